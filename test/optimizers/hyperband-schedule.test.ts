import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import { hyperbandSchedule } from '../../src/optimizers/index.ts';

describe('hyperbandSchedule', () => {
  it('matches the hand-computed table on slimpajama-mlp (R = 19700, logEvery 100, eta 3)', () => {
    const s = hyperbandSchedule({ maxSteps: 19700, minSteps: 100, logEvery: 100, eta: 3 });
    // sMax = floor(log3(19700 / 100)) = floor(4.81) = 4.
    assert.equal(s.sMax, 4);
    // b_l = ceil(19700 / 3^l / 100) * 100: 19700, 6566.7 -> 6600, 2188.9 -> 2200, 729.6 -> 800, 243.2 -> 300.
    assert.deepEqual(s.budgets, [19700, 6600, 2200, 800, 300]);
    // n_s = ceil(5 * 3^s / (s + 1)): 81, 34 (33.75), 15, 8 (7.5), 5; rung i keeps floor(n_s / 3^i).
    assert.deepEqual(
      s.brackets.map((b) => b.rungs.map((r) => [r.n, r.steps])),
      [
        [
          [81, 300],
          [27, 800],
          [9, 2200],
          [3, 6600],
          [1, 19700],
        ],
        [
          [34, 800],
          [11, 2200],
          [3, 6600],
          [1, 19700],
        ],
        [
          [15, 2200],
          [5, 6600],
          [1, 19700],
        ],
        [
          [8, 6600],
          [2, 19700],
        ],
        [[5, 19700]],
      ],
    );
  });

  it('matches the hand-computed table on the toy range (R = 1000, logEvery 100)', () => {
    const s = hyperbandSchedule({ maxSteps: 1000, minSteps: 100, logEvery: 100 });
    // 1000/9 = 111 >= 100 but 1000/27 = 37 < 100: sMax = 2; budgets 1000, 333.3 -> 400, 111.1 -> 200.
    assert.equal(s.sMax, 2);
    assert.deepEqual(s.budgets, [1000, 400, 200]);
    assert.deepEqual(
      s.brackets.map((b) => b.rungs.map((r) => [r.n, r.steps])),
      [
        [
          [9, 200],
          [3, 400],
          [1, 1000],
        ],
        [
          [5, 400],
          [1, 1000],
        ],
        [[3, 1000]],
      ],
    );
  });

  it('rejects a bad eta or step range', () => {
    assert.throws(
      () => hyperbandSchedule({ maxSteps: 1000, minSteps: 100, logEvery: 100, eta: 1 }),
      ValidationError,
    );
    assert.throws(
      () => hyperbandSchedule({ maxSteps: 50, minSteps: 100, logEvery: 100 }),
      ValidationError,
    );
  });
});
