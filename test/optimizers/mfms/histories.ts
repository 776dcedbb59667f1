// Histories on the synthetic testbed (../helpers.ts) for the tests of the mfms parts.
import { type History, Rng, type RunRecord } from '../../../src/core/index.ts';
import { makeRun, synthSpace } from '../helpers.ts';

export const space = synthSpace();

/**
 * `n` completed runs with Dirichlet(1) mixtures (seed 4), cycling over the scales S, M, L with
 * 1000 + 300 i steps, then the target runs at the given mixtures (ids t0, t1, ...).
 */
export function history(n: number, targets: readonly (readonly number[])[] = []): History {
  const rng = new Rng(4);
  const runs: RunRecord[] = [];
  const scales = ['S', 'M', 'L'];
  for (let i = 0; i < n; i++) {
    runs.push(makeRun(space, `r${i}`, rng.dirichlet([1, 1, 1]), scales[i % 3]!, 1000 + 300 * i));
  }
  targets.forEach((w, j) => {
    runs.push(makeRun(space, `t${j}`, w, 'L', 19700));
  });
  return { runs, spent: runs.reduce((a, r) => a + r.cost, 0) };
}
