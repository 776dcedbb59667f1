import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { speedup, stayTime, summarize, type Trajectory, touchTime } from '../../src/bench/index.ts';
import { handTrajectory } from './hand-trajectory.ts';

const close = (a: number | null | undefined, b: number, tol = 1e-12): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} != ${b}`);

const traj = (
  method: string,
  seed: number,
  pts: [number, number][],
  direction: 'minimize' | 'maximize' = 'minimize',
): Trajectory => handTrajectory(method, seed, pts, { direction });

describe('speedup (docs/benchmarks.md definitions)', () => {
  // B touches its final value 4 at 20, leaves it (5 at 30), and stays from 40.
  const B = { xs: [10, 20, 30, 40], values: [5, 3, 5, 4] };

  it('counts from where a curve stays at or better, not the first touch', () => {
    assert.equal(stayTime(B, 4, 'minimize'), 40);
    assert.equal(touchTime(B, 4, 'minimize'), 20);
    const A = { xs: [5, 15], values: [4.5, 3.9] };
    const s = speedup(A, B, 'minimize');
    close(s.speedup, 40 / 15);
    close(s.firstTouch, 20 / 15);
    assert.equal(s.target, 4);
  });

  it('a curve that touches the value, leaves, and comes back counts from its return', () => {
    const A = { xs: [5, 10, 25], values: [3.5, 4.5, 3.9] };
    close(speedup(A, B, 'minimize').speedup, 40 / 25);
    close(speedup(A, B, 'minimize').firstTouch, 20 / 5);
  });

  it('is null (not reached) when the curve ends worse than the baseline final value', () => {
    const A = { xs: [5, 10], values: [3, 4.2] };
    const s = speedup(A, B, 'minimize');
    assert.equal(s.speedup, null);
    close(s.firstTouch, 20 / 5);
  });

  it('respects a maximised metric', () => {
    const Bmax = { xs: [10, 20], values: [0.5, 0.6] };
    const A = { xs: [4, 8], values: [0.55, 0.7] };
    close(speedup(A, Bmax, 'maximize').speedup, 20 / 8);
    assert.equal(speedup(Bmax, A, 'maximize').speedup, null);
  });

  it('a method against itself is exactly 1', () => {
    close(speedup(B, B, 'minimize').speedup, 1);
  });
});

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
