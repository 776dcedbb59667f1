import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, ValidationError } from '../../src/core/index.ts';
import {
  checkQuery,
  checkSteps,
  loggedSteps,
  metricIndex,
  type QueryShape,
  scaleIndex,
} from '../../src/testbeds/index.ts';

const tb: QueryShape = {
  name: 'tiny',
  domains: ['web', 'code'],
  scales: [
    { name: '20M', params: 2e7 },
    { name: '1B', params: 1e9 },
  ],
  steps: { min: 250, max: 1000, logEvery: 100 },
  metrics: [
    { name: 'loss', direction: 'minimize' },
    { name: 'acc', direction: 'maximize' },
  ],
};

describe('testbed query checks', () => {
  it('find scales and metrics by name, and name the accepted ones when missing', () => {
    assert.equal(scaleIndex(tb, '1B'), 1);
    assert.equal(metricIndex(tb, 'acc'), 1);
    assert.throws(
      () => scaleIndex(tb, '7B'),
      (e: unknown) =>
        e instanceof NotFoundError &&
        e.message === "unknown size '7B' for testbed 'tiny'; accepted sizes: 20M, 1B",
    );
    assert.throws(
      () => metricIndex(tb, 'ppl'),
      (e: unknown) =>
        e instanceof NotFoundError &&
        e.message === "unknown metric 'ppl' for testbed 'tiny'; accepted metrics: loss, acc",
    );
  });

  it('accept integer steps in min..max only', () => {
    assert.equal(checkSteps(tb, 250), 250);
    assert.equal(checkSteps(tb, 1000), 1000);
    for (const z of [249, 1001, 500.5, Number.NaN]) {
      assert.throws(
        () => checkSteps(tb, z),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message ===
            `steps = ${String(z)} is out of range for testbed 'tiny': accepted integers 250..1000 (curve logged every 100)`,
      );
    }
  });

  it('check a whole query in order: mixture, scale, steps, metric', () => {
    assert.deepEqual(checkQuery(tb, [0.5, 0.5], '20M', 300), { scale: 0, metric: -1 });
    assert.deepEqual(checkQuery(tb, [0.5, 0.5], '1B', 300, 'acc'), { scale: 1, metric: 1 });
    assert.throws(
      () => checkQuery(tb, [1], '7B', 1, 'ppl'),
      /^ValidationError: mixture for testbed 'tiny' \(domains web, code\) must have 2 weights/,
    );
    assert.throws(() => checkQuery(tb, [0.5, 0.5], '7B', 1, 'ppl'), NotFoundError);
    assert.throws(() => checkQuery(tb, [0.5, 0.5], '1B', 1, 'ppl'), /steps = 1 is out of range/);
    assert.throws(() => checkQuery(tb, [0.5, 0.5], '1B', 300, 'ppl'), /unknown metric 'ppl'/);
  });
});

describe('loggedSteps', () => {
  it('every logEvery from min on, and the run length itself', () => {
    assert.deepEqual(loggedSteps(tb.steps, 1000), [300, 400, 500, 600, 700, 800, 900, 1000]);
    assert.deepEqual(loggedSteps(tb.steps, 450), [300, 400, 450]);
    assert.deepEqual(loggedSteps(tb.steps, 250), [250]);
    assert.deepEqual(loggedSteps({ min: 100, max: 500, logEvery: 100 }, 300), [100, 200, 300]);
  });
});
