/**
 * Test helpers for the GP optimisers: a small smooth synthetic problem (3
 * domains, 3 scales) with a known optimum that moves with scale, and a
 * simulated ask/tell loop. Not a test file itself.
 */
import type { History, Optimizer, Proposal, RunRecord, SearchSpace } from '../../src/core/index.ts';

export const SCALES = [
  { name: 'S', params: 20e6 },
  { name: 'M', params: 150e6 },
  { name: 'L', params: 1e9 },
];

/** Per-step cost relative to L (as on the paper's testbed). */
const PER_STEP: Record<string, number> = { S: 0.013, M: 0.075, L: 1 };

/** How far the optimum moves between S and L (1: as described below; 0: it does not move). */
let SHIFT = 1;

/** Runs `f` with the optimum shift set to `shift` (restored afterwards). */
export function withShift<T>(shift: number, f: () => T): T {
  const old = SHIFT;
  SHIFT = shift;
  try {
    return f();
  } finally {
    SHIFT = old;
  }
}

/**
 * Loss of mixture w at (scale, steps): a power law in size and steps plus a
 * quadratic bowl whose centre moves from (0.6, 0.3, 0.1) at S to (0.2, 0.5, 0.3) at L.
 */
export function synthLoss(w: readonly number[], scale: string, steps: number): number {
  const p = SCALES.find((s) => s.name === scale)!.params;
  const u = 1 - SHIFT * (1 - (Math.log(p) - Math.log(20e6)) / (Math.log(1e9) - Math.log(20e6)));
  const c = [0.6 - 0.4 * u, 0.3 + 0.2 * u, 0.1 + 0.2 * u];
  let q = 0;
  for (let i = 0; i < 3; i++) q += (w[i]! - c[i]!) ** 2;
  return 2 + 8 * (steps / 100) ** -0.3 * (p / 20e6) ** -0.1 + 1.5 * q;
}

export const TARGET_OPT = [0.2, 0.5, 0.3];

export function synthSpace(direction: 'minimize' | 'maximize' = 'minimize'): SearchSpace {
  return {
    domains: ['a', 'b', 'c'],
    scales: SCALES,
    steps: { min: 100, max: 19700, logEvery: 100 },
    target: { scale: 'L', steps: 19700 },
    metric: { name: 'loss', direction },
    cost: (scale, steps) => (PER_STEP[scale]! * steps) / 100,
  };
}

/** A completed run with its whole curve (sign-flipped when the space maximises). */
export function makeRun(
  space: SearchSpace,
  id: string,
  w: readonly number[],
  scale: string,
  steps: number,
  parent?: RunRecord,
): RunRecord {
  const sign = space.metric.direction === 'minimize' ? 1 : -1;
  const curve = [];
  for (let z = space.steps.logEvery; z <= steps; z += space.steps.logEvery) {
    curve.push({ step: z, value: sign * synthLoss(w, scale, z) });
  }
  const cost = space.cost(scale, steps) - (parent ? space.cost(scale, parent.steps) : 0);
  return {
    id,
    mixture: w,
    scale,
    steps,
    curve,
    state: 'completed',
    cost,
    ...(parent ? { parent: parent.id } : {}),
  };
}

/** Runs `opt` sequentially until the budget is spent; returns the history and the proposals. */
export function simulate(
  space: SearchSpace,
  opt: Optimizer,
  budget: number,
  maxProposals = 200,
): { history: History; proposals: Proposal[] } {
  const runs: RunRecord[] = [];
  let spent = 0;
  const proposals: Proposal[] = [];
  for (let i = 0; i < maxProposals && spent < budget; i++) {
    const h: History = { runs, spent, budget };
    const [p] = opt.propose(h, 1);
    if (p === undefined) break;
    proposals.push(p);
    const parent = p.continues ? runs.find((r) => r.id === p.continues) : undefined;
    const run = makeRun(space, `r${i}`, p.mixture, p.scale, p.steps, parent);
    runs.push(run);
    spent += run.cost;
  }
  return { history: { runs, spent, budget }, proposals };
}

/** Target loss of a mixture. */
export function targetLoss(w: readonly number[]): number {
  return synthLoss(w, 'L', 19700);
}
