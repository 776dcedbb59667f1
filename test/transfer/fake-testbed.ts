/**
 * A closed-form testbed for the transfer tests (cheap, deterministic):
 * loss(w, m, z) = 2 + 3·(m/1e6)^-0.3 + 5·z^-0.5 + w·v, and an accuracy that is
 * an increasing transform of it; steps 100..19,700 logged every 100.
 */
import type { CurvePoint, Mixture, Testbed } from '../../src/core/index.ts';
import { ValidationError } from '../../src/core/index.ts';

const V = [0.3, -0.2, 0.1];

export function fakeTestbed(scaleCount = 7): Testbed {
  const all = [
    { name: '20M', params: 20e6 },
    { name: '60M', params: 60e6 },
    { name: '150M', params: 150e6 },
    { name: '300M', params: 300e6 },
    { name: '500M', params: 500e6 },
    { name: '700M', params: 700e6 },
    { name: '1B', params: 1e9 },
  ];
  const scales = all.slice(all.length - scaleCount);
  const loss = (w: Mixture, scale: string, z: number): number => {
    const s = scales.find((x) => x.name === scale);
    if (s === undefined) throw new ValidationError(`unknown scale ${scale}`);
    let mix = 0;
    w.forEach((x, i) => {
      mix += x * (V[i] as number);
    });
    return 2 + 3 * (s.params / 1e6) ** -0.3 + 5 * z ** -0.5 + mix;
  };
  const value = (w: Mixture, scale: string, z: number, metric: string): number =>
    metric === 'loss' ? loss(w, scale, z) : 1 / loss(w, scale, z);
  return {
    name: 'fake',
    description: 'closed-form test testbed',
    domains: ['a', 'b', 'c'],
    scales,
    steps: { min: 100, max: 19_700, logEvery: 100 },
    metrics: [
      { name: 'loss', direction: 'minimize' },
      { name: 'acc', direction: 'maximize' },
    ],
    target: { scale: '1B', steps: 19_700 },
    costUnit: '100 steps of 1B',
    evaluate: (w, scale, z, metric) => value(w, scale, z, metric),
    curve(w, scale, z, metric): CurvePoint[] {
      const out: CurvePoint[] = [];
      for (let s = 100; s <= z; s += 100) out.push({ step: s, value: value(w, scale, s, metric) });
      return out;
    },
    cost: (scale, z) => ((scales.find((x) => x.name === scale)?.params ?? 0) / 1e9) * (z / 100),
  };
}
