// Aggregating trajectories into the benchmark summary (src/bench/summary.ts):
// speedups with known answers (docs/benchmarks.md definitions), the cost
// grid, curve statistics over seeds, finals and regret, run counts, errors and
// failed proposals, on trajectories written by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize, type Trajectory } from '../../src/bench/index.ts';
import { handTrajectory } from './hand-trajectory.ts';

const close = (a: number | null | undefined, b: number, tol = 1e-12): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} != ${b}`);

const traj = (
  method: string,
  seed: number,
  pts: [number, number][],
  direction: 'minimize' | 'maximize' = 'minimize',
): Trajectory => handTrajectory(method, seed, pts, { direction });

describe('summarize', () => {
  it('computes mean-curve, per-seed and median speedups with known answers', () => {
    const ts = [
      // Baseline B: seed 0 ends at 4 (stays from 40), seed 1 ends at 2 (stays from 20).
      traj('B', 0, [
        [10, 5],
        [40, 4],
      ]),
      traj('B', 1, [
        [10, 6],
        [20, 2],
      ]),
      // A: seed 0 at 4 from 10; seed 1 at 2 from 10.
      traj('A', 0, [[10, 4]]),
      traj('A', 1, [[10, 2]]),
    ];
    const s = summarize(ts, { reference: { m: 1 } });
    // Mean of B: 5.5 on [10, 20), 3.5 on [20, 40), 3 from 40: v_B = 3, stays from 40.
    // Mean of A: 3 from 10 -> speedup 40 / 10 = 4.
    close(s.speedups['A']?.['B']?.perMetric['m'], 4);
    close(s.speedups['A']?.['B']?.median, 4);
    // Per seed: seed 0: 40 / 10; seed 1: 20 / 10.
    assert.deepEqual(s.speedups['A']?.['B']?.perSeed['m'], [4, 2]);
    assert.equal(s.speedups['A']?.['B']?.perSeedMedian['m'], 3);
    // B never reaches A's final value 3 ... it does, at 40 (mean 3): A stays from 10 -> 10/40.
    close(s.speedups['B']?.['A']?.perMetric['m'], 10 / 40);
    // Regret against the reference 1: A finals 4 and 2 -> mean 2, sem 1.
    assert.deepEqual(s.finalRegret['A']?.['m'], { mean: 2, sem: 1 });
    assert.equal(s.horizon, 50);
    // Curves on the grid: at cost 0 nothing yet (null), at the horizon the final mean.
    assert.equal(s.curves['B']?.['m']?.mean[0], null);
    assert.equal(s.curves['B']?.['m']?.mean.at(-1), 3);
  });

  it('flags not reached', () => {
    const ts = [
      traj('B', 0, [[10, 1]]),
      traj('A', 0, [
        [5, 0.5],
        [10, 2],
      ]),
    ];
    const s = summarize(ts);
    assert.equal(s.speedups['A']?.['B']?.perMetric['m'], null);
    assert.deepEqual(s.speedups['A']?.['B']?.notReached, ['m']);
    assert.equal(s.speedups['A']?.['B']?.median, null);
  });
});

describe('summarize: grid, curves, finals and bookkeeping', () => {
  // Three seeds of one method: best-so-far values 6, 3 and 9 from cost 10; seed 2 improves to 3 at 30.
  const ts = [
    traj('A', 0, [[10, 6]]),
    traj('A', 1, [[10, 3]]),
    traj('A', 2, [
      [10, 9],
      [30, 3],
    ]),
  ];
  const s = summarize(ts, { gridPoints: 6, reference: { m: 2 } });

  it('spaces G grid points evenly on [0, budget + target cost]', () => {
    assert.equal(s.budget, 40);
    assert.equal(s.targetCost, 10);
    assert.equal(s.horizon, 50);
    assert.deepEqual(s.grid, [0, 10, 20, 30, 40, 50]);
    assert.equal(summarize(ts).grid.length, 201);
    assert.equal(s.seeds, 3);
    assert.deepEqual(s.methods, ['A']);
    assert.deepEqual(s.metrics, ['m']);
    assert.deepEqual(s.directions, { m: 'minimize' });
    assert.equal(s.testbed, 't');
  });

  it('curve statistics over seeds at each grid point, null before every seed has a value', () => {
    const c = s.curves['A']!['m']!;
    assert.equal(c.mean[0], null);
    // at 10 and 20: values 6, 3, 9 -> mean 6, sd 3, sem sqrt(3)
    close(c.mean[1], 6);
    close(c.sem[1], Math.sqrt(3));
    assert.equal(c.median[1], 6);
    // from 30: 6, 3, 3 -> mean 4, median 3
    close(c.mean[3], 4);
    assert.equal(c.median[5], 3);
  });

  it('finals and regret against the reference; mean runs and spent per job', () => {
    close(s.final['A']!['m']!.mean, 4);
    // regret v - 2: 4, 1, 1 -> mean 2, sem sd/sqrt(3) = sqrt(3)/sqrt(3) = 1
    close(s.finalRegret['A']!['m']!.mean, 2);
    close(s.finalRegret['A']!['m']!.sem, 1);
    assert.deepEqual(s.reference, { m: 2 });
    close(s.runs['A']!.meanRuns, 4 / 3);
    close(s.runs['A']!.meanSpent, (10 + 10 + 30) / 3);
    assert.deepEqual(s.speedups, { A: {} });
  });

  it('maximising: regret is v* - v', () => {
    const m = summarize([traj('A', 0, [[10, 0.7]], 'maximize')], { reference: { m: 0.9 } });
    close(m.finalRegret['A']!['m']!.mean, 0.2, 1e-15);
  });

  it('lists failed jobs and jobs with failed proposals', () => {
    const failed: Trajectory = { ...traj('A', 3, [[10, 5]]), error: 'NumericsError: boom' };
    const partly: Trajectory = {
      ...traj('A', 4, [[10, 5]]),
      failedProposals: [
        { run: 1, proposal: { mixture: [1], scale: 'S', steps: 7 }, error: 'NotFoundError: first' },
        {
          run: 2,
          proposal: { mixture: [1], scale: 'S', steps: 8 },
          error: 'NotFoundError: second',
        },
      ],
    };
    const r = summarize([...ts, failed, partly]);
    assert.deepEqual(r.errors, [
      { method: 'A', metric: 'm', seed: 3, error: 'NumericsError: boom' },
    ]);
    assert.deepEqual(r.failedProposals, [
      { method: 'A', metric: 'm', seed: 4, count: 2, first: 'NotFoundError: first' },
    ]);
  });

  it('an empty benchmark summarises to empty tables', () => {
    const e = summarize([]);
    assert.deepEqual([e.testbed, e.methods, e.metrics, e.seeds, e.horizon], ['', [], [], 0, 0]);
  });
});
