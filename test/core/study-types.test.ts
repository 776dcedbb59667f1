import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasSurrogateView } from '../../src/core/study-types.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { synthSpace } from '../optimizers/helpers.ts';

describe('hasSurrogateView', () => {
  it('true for the GP optimisers (they predict at any fidelity), false for random and hyperband', () => {
    const ctx = { space: synthSpace(), seed: 0 };
    for (const method of ['bo', 'mf-bo', 'mfms-bo', 'mfms-bo:paper']) {
      assert.equal(hasSurrogateView(createOptimizer(method, ctx)), true, method);
    }
    for (const method of ['random', 'hyperband']) {
      assert.equal(hasSurrogateView(createOptimizer(method, ctx)), false, method);
    }
  });
});
