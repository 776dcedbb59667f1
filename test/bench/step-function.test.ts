import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evalStep, meanStep, stepFunction } from '../../src/bench/step-function.ts';

describe('step functions', () => {
  it('follow the newest point affordable at each cost, even when x goes back', () => {
    // Run 1 is charged a confirmation (x = 30), run 2 is not (x = 25): from 25 on, run 2's value holds.
    const f = stepFunction([
      { x: 10, value: 5 },
      { x: 30, value: 4 },
      { x: 25, value: 3 },
    ]);
    assert.deepEqual(f, { xs: [10, 25], values: [5, 3] });
  });

  it('keep the later of two points at the same cost', () => {
    const f = stepFunction([
      { x: 10, value: 5 },
      { x: 10, value: 4 },
      { x: 20, value: 6 },
    ]);
    assert.deepEqual(f, { xs: [10, 20], values: [4, 6] });
    assert.deepEqual(stepFunction([]), { xs: [], values: [] });
  });

  it('evaluate right-continuously, undefined before the first step', () => {
    const f = { xs: [10, 20, 35], values: [5, 3, 4] };
    assert.equal(evalStep(f, 9.999), undefined);
    assert.equal(evalStep(f, 10), 5);
    assert.equal(evalStep(f, 19.999), 5);
    assert.equal(evalStep(f, 20), 3);
    assert.equal(evalStep(f, 34), 3);
    assert.equal(evalStep(f, 35), 4);
    assert.equal(evalStep(f, 1e9), 4);
    assert.equal(evalStep({ xs: [], values: [] }, 1), undefined);
  });

  it('average exactly on the union of steps, from where every seed has a value', () => {
    const m = meanStep([
      { xs: [10, 30], values: [4, 2] },
      { xs: [20], values: [6] },
    ]);
    assert.deepEqual(m, { xs: [20, 30], values: [5, 4] });
    assert.deepEqual(meanStep([]), { xs: [], values: [] });
    assert.deepEqual(
      meanStep([
        { xs: [], values: [] },
        { xs: [1], values: [2] },
      ]),
      {
        xs: [],
        values: [],
      },
    );
  });
});
