import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError } from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { toySpace } from './toy-space.ts';

const hyper = {
  lengthscales: [{ kind: 'matern52', dims: [0, 1], values: [0.5] }],
  outputScale: 1.2,
  noise: 0.01,
  mean: [0.1],
  standardization: { mean: 3, std: 0.5 },
};

describe('optimiser state read back (loadState)', () => {
  for (const method of ['bo', 'mf-bo']) {
    it(`${method}: takes what it saved, and an empty state`, () => {
      const opt = createOptimizer(method, { space: toySpace(), seed: 1 });
      opt.loadState?.({ hyper });
      assert.deepEqual(opt.saveState?.(), { hyper });
      opt.loadState?.(null);
      assert.deepEqual(opt.saveState?.(), { hyper: null });
      opt.loadState?.({ hyper: null });
      assert.deepEqual(opt.saveState?.(), { hyper: null });
    });

    it(`${method}: a malformed state is a DataError naming the optimiser and the field`, () => {
      const opt = createOptimizer(method, { space: toySpace(), seed: 1 });
      assert.throws(
        () => opt.loadState?.({ hyper: { ...hyper, outputScale: -1 } }),
        (err: unknown) =>
          err instanceof DataError &&
          err.message.startsWith(
            `the saved state of optimiser '${method}' is malformed (hyper.outputScale: must be > 0)`,
          ),
      );
      assert.throws(() => opt.loadState?.({ hyper: { mean: [] } }), /hyper.lengthscales/);
    });
  }
});

describe('mfms-bo state read back (loadState)', () => {
  it('mfms-bo: takes what it saved (with the group offsets), and rejects malformed fields', () => {
    const opt = createOptimizer('mfms-bo', { space: toySpace(), seed: 1 });
    const k = toySpace().domains.length;
    const rec = new Array<number>(k).fill(1 / k);
    const state = { hyper: { ...hyper, groupNoise: 0.02 }, fittedAt: 7, recommended: rec };
    opt.loadState?.(state);
    assert.deepEqual(opt.saveState?.(), state);
    opt.loadState?.(null);
    assert.deepEqual(opt.saveState?.(), { hyper: null, fittedAt: -1, recommended: null });
    assert.throws(
      () => opt.loadState?.({ ...state, fittedAt: 1.5 }),
      (err: unknown) =>
        err instanceof DataError &&
        err.message.startsWith("the saved state of optimiser 'mfms-bo' is malformed (fittedAt"),
    );
    assert.throws(() => opt.loadState?.({ ...state, recommended: [-1, 2] }), /recommended/);
    // runNoise 'auto': the switch to run offsets is saved (only once on) and read back.
    const on = { ...state, runNoiseOn: true };
    opt.loadState?.(on);
    assert.deepEqual(opt.saveState?.(), on);
    assert.throws(() => opt.loadState?.({ ...state, runNoiseOn: 'yes' }), /runNoiseOn/);
  });

  it('mfms-bo:paper: takes what it saved, and rejects a malformed shrinkAt', () => {
    const opt = createOptimizer('mfms-bo:paper', { space: toySpace(), seed: 1 });
    opt.loadState?.({ hyper, shrinkAt: [3, 9] });
    assert.deepEqual(opt.saveState?.(), { hyper, shrinkAt: [3, 9] });
    assert.throws(
      () => opt.loadState?.({ hyper, shrinkAt: ['x'] }),
      (err: unknown) => err instanceof DataError && /mfms-bo:paper/.test(err.message),
    );
  });
});
