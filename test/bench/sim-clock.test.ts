import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pointTime, runTiming, trainedFraction, validateClock } from '../../src/bench/index.ts';
import { Rng, ValidationError } from '../../src/core/index.ts';

describe('simulated clock', () => {
  it('times a run as t0 + o_m + tau * f * c, f = 1 + j (2u - 1) from the seed and run index', () => {
    const t = runTiming({ workers: 2, timePerCost: 2, overhead: { S: 3 } }, 7, 0, 'S', 5, 10);
    assert.deepEqual(t, { start: 10, trainStart: 13, end: 23 });
    const u = new Rng(7).fork('clock').fork(4).uniform();
    const j = runTiming({ workers: 2, jitter: 0.5 }, 7, 4, 'L', 8, 0);
    assert.equal(j.end, (1 + 0.5 * (2 * u - 1)) * 8);
    // Another run index draws another factor.
    assert.notEqual(runTiming({ workers: 2, jitter: 0.5 }, 7, 5, 'L', 8, 0).end, j.end);
  });

  it('reveals a point when the cost up to its step has been trained; inherited points at launch', () => {
    const t = { start: 10, trainStart: 13, end: 23 };
    assert.equal(pointTime(t, 5, undefined), 10);
    assert.equal(pointTime(t, 5, 1), 15);
    assert.equal(pointTime(t, 5, 5), 23);
    assert.equal(pointTime(t, 5, 7), 23);
    assert.equal(trainedFraction(t, 12), 0);
    assert.equal(trainedFraction(t, 18), 0.5);
    assert.equal(trainedFraction(t, 30), 1);
  });

  it('rejects bad options naming the value', () => {
    assert.throws(() => validateClock({ workers: 1.5 }), ValidationError);
    assert.throws(() => validateClock({ workers: 2, timePerCost: 0 }), /timePerCost.*got 0/);
    assert.throws(() => validateClock({ workers: 2, jitter: -0.1 }), /jitter.*got -0.1/);
    assert.deepEqual(validateClock({ workers: 3 }), { workers: 3 });
  });
});
