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
