// A small analytic testbed for harness tests (importable by worker threads as a module).
// loss(w, m, z) = base_m + 2 (z/100)^-0.5 + |w - w*_m|^2 (minimise), acc = 1 - loss/4 (maximise);
// the target optimum is w*_L with loss base_L + 2/sqrt(10).
import type { CurvePoint, Mixture, Testbed } from '../../src/core/index.ts';

const OPT: Record<string, number[]> = { S: [0.6, 0.3, 0.1], L: [0.2, 0.2, 0.6] };
const BASE: Record<string, number> = { S: 1.5, L: 1.0 };

function loss(w: Mixture, scale: string, steps: number): number {
  const o = OPT[scale] as number[];
  let d = 0;
  for (let i = 0; i < 3; i++) d += ((w[i] as number) - (o[i] as number)) ** 2;
  return (BASE[scale] as number) + 2 * (steps / 100) ** -0.5 + d;
}

function check(w: Mixture, scale: string, steps: number, metric: string): void {
  if (w.length !== 3 || Math.abs(w.reduce((a, b) => a + b, 0) - 1) > 1e-6 || w.some((x) => x < 0))
    throw new Error(`toy testbed: bad mixture ${JSON.stringify(w)}`);
  if (!(scale in OPT)) throw new Error(`toy testbed: bad scale ${scale}`);
  if (!Number.isInteger(steps) || steps < 100 || steps > 1000)
    throw new Error(`toy testbed: bad steps ${steps}`);
  if (metric !== 'loss' && metric !== 'acc') throw new Error(`toy testbed: bad metric ${metric}`);
}

function evaluate(w: Mixture, scale: string, steps: number, metric: string): number {
  check(w, scale, steps, metric);
  const l = loss(w, scale, steps);
  return metric === 'loss' ? l : 1 - l / 4;
}

export const toyTestbed: Testbed = {
  name: 'toy',
  description: 'analytic toy testbed for tests',
  domains: ['a', 'b', 'c'],
  scales: [
    { name: 'S', params: 1e7 },
    { name: 'L', params: 1e8 },
  ],
  steps: { min: 100, max: 1000, logEvery: 100 },
  metrics: [
    { name: 'loss', direction: 'minimize' },
    { name: 'acc', direction: 'maximize' },
  ],
  target: { scale: 'L', steps: 1000 },
  costUnit: '100 steps of L',
  evaluate,
  curve(w, scale, steps, metric): CurvePoint[] {
    check(w, scale, steps, metric);
    const out: CurvePoint[] = [];
    for (let z = 100; z <= steps; z += 100)
      out.push({ step: z, value: evaluate(w, scale, z, metric) });
    return out;
  },
  cost: (scale, steps) => (scale === 'L' ? 1 : 0.1) * (steps / 100),
  referenceOptimum(metric) {
    const v = evaluate(OPT['L'] as number[], 'L', 1000, metric);
    return { metric, mixture: OPT['L'] as number[], value: v, method: 'closed form' };
  },
};

export const testbed = toyTestbed;
