import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GPHyperparametersSchema } from '../../src/gp/hyperparameters-schema.ts';

const good = {
  lengthscales: [{ kind: 'rbf', dims: [0, 1], values: [0.5, 2] }],
  outputScale: 1.5,
  noise: 0,
  mean: [0.1, -2],
  standardization: { mean: 3, std: 0.5 },
};

/** The paths of the problems zod finds in `v`. */
const problems = (v: unknown): string[] => {
  const r = GPHyperparametersSchema.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('GPHyperparametersSchema', () => {
  it('accepts hyper-parameters as saved, keeps fields it does not know, standardization optional', () => {
    assert.deepEqual(GPHyperparametersSchema.parse({ ...good, groupNoise: 0.2 }), {
      ...good,
      groupNoise: 0.2,
    });
    const { standardization: _s, ...bare } = good;
    assert.deepEqual(problems(bare), []);
  });

  it('rejects non-positive lengthscales and scales, negative noise and non-finite numbers, by path', () => {
    assert.deepEqual(
      problems({ ...good, lengthscales: [{ kind: 'rbf', dims: [0], values: [0] }] }),
      ['lengthscales.0.values.0: must be > 0'],
    );
    assert.deepEqual(problems({ ...good, outputScale: -1 }), ['outputScale: must be > 0']);
    assert.deepEqual(problems({ ...good, noise: -1e-9 }), ['noise: must be >= 0']);
    assert.deepEqual(problems({ ...good, mean: [Number.NaN] }).length, 1);
    assert.deepEqual(problems({ ...good, standardization: { mean: 0, std: 0 } }), [
      'standardization.std: must be > 0',
    ]);
    assert.equal(
      problems({ ...good, lengthscales: [{ kind: 'cosine', dims: [0], values: [1] }] }).length,
      1,
    );
    assert.equal(
      problems({ ...good, lengthscales: [{ kind: 'rbf', dims: [-1], values: [1] }] }).length,
      1,
    );
  });
});
