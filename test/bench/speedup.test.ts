import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { speedup, stayTime, touchTime } from '../../src/bench/index.ts';

const close = (a: number | null | undefined, b: number, tol = 1e-12): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} != ${b}`);

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
