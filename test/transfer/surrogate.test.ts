import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import type { RunSet } from '../../src/transfer/run-set.ts';
import {
  activeDimensions,
  DEFAULT_SURROGATE,
  encodeRunInput,
  transferSpace,
  validateSurrogateSpec,
} from '../../src/transfer/surrogate.ts';

const runSet = {
  domains: ['a', 'b', 'c'],
  scales: [
    { name: 'S', params: 20e6 },
    { name: 'M', params: 100e6 },
    { name: 'L', params: 1e9 },
  ],
  metrics: [{ name: 'loss', direction: 'minimize' }],
  maxSteps: 2000,
} as unknown as RunSet;

describe('transfer surrogate helpers', () => {
  it('transferSpace: the run set’s domains and ladder, steps 1..maxSteps, the largest size as target', () => {
    const space = transferSpace(runSet);
    assert.deepEqual(space.domains, ['a', 'b', 'c']);
    assert.deepEqual(space.steps, { min: 1, max: 2000, logEvery: 1 });
    assert.deepEqual(space.target, { scale: 'L', steps: 2000 });
    assert.equal(space.metric.name, 'loss');
  });

  it('encodeRunInput: x = [w, s, z / z_max], s = ln(p/p_min)/ln(p_max/p_min) (log) or p/p_max (linear)', () => {
    const space = transferSpace(runSet);
    const w = [0.2, 0.3, 0.5];
    const log = encodeRunInput(space, w, 'M', 500, 'log');
    const sLog = Math.log(100e6 / 20e6) / Math.log(1e9 / 20e6);
    assert.deepEqual(log.slice(0, 3), w);
    assert.ok(Math.abs((log[3] as number) - sLog) < 1e-12, `s = ${log[3]} vs ${sLog}`);
    assert.ok(Math.abs((log[4] as number) - 0.25) < 1e-12);
    const lin = encodeRunInput(space, w, 'M', 2000, 'linear');
    assert.ok(Math.abs((lin[3] as number) - 0.1) < 1e-12, `s = ${lin[3]}`);
    assert.equal(lin[4], 1);
  });

  it('activeDimensions: the columns that vary between rows (beyond 1e-12)', () => {
    // 3 rows x 4 columns: column 0 constant, 1 varies, 2 varies below 1e-12, 3 varies in the last row.
    const X = Float64Array.from([1, 0, 5, 7, 1, 1, 5 + 1e-13, 7, 1, 2, 5, 8]);
    assert.deepEqual(activeDimensions(X, 3, 4), [1, 3]);
    assert.deepEqual(activeDimensions(X, 1, 4), []);
  });

  it('validateSurrogateSpec: the defaults pass; each bad field is named with its value', () => {
    assert.equal(validateSurrogateSpec(DEFAULT_SURROGATE), DEFAULT_SURROGATE);
    const bad: [Partial<Record<keyof typeof DEFAULT_SURROGATE, unknown>>, string][] = [
      [{ kernel: 'cosine' }, "kernel must be 'rbf' or 'matern52', got 'cosine'"],
      [{ mean: 'quadratic' }, "mean must be 'linear', 'constant' or 'zero', got 'quadratic'"],
      [{ sizeEncoding: 'sqrt' }, "size encoding must be 'log' or 'linear', got 'sqrt'"],
      [{ restarts: 0 }, 'restarts must be an integer >= 1, got 0'],
      [{ maxIter: 1.5 }, 'maxIter must be an integer >= 1, got 1.5'],
      [{ maxFitPoints: 5 }, 'maxFitPoints must be an integer >= 10, got 5'],
      [{ maxPoints: 100 }, 'maxFitPoints (300) must not exceed maxPoints (100)'],
    ];
    for (const [over, message] of bad) {
      assert.throws(
        () => validateSurrogateSpec({ ...DEFAULT_SURROGATE, ...over } as typeof DEFAULT_SURROGATE),
        (e: unknown) => e instanceof ValidationError && e.message === message,
        message,
      );
    }
  });
});
