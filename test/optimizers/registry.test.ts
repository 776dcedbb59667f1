import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, StateError, ValidationError } from '../../src/core/index.ts';
import {
  BUILTIN_OPTIMIZERS,
  createOptimizer,
  createRandomSearch,
  hasOptimizer,
  listOptimizers,
  registerOptimizer,
} from '../../src/optimizers/index.ts';
import { toySpace } from './toy-space.ts';

describe('optimizer registry', () => {
  it('lists the built-ins from its table, in table order', () => {
    const names = listOptimizers().map((e) => e.name);
    assert.deepEqual(names.slice(0, 8), [
      'asha',
      'bo',
      'hyperband',
      'mf-bo',
      'mfms-bo:paper',
      'mfms-bo',
      'random',
      'regmix',
    ]);
    assert.deepEqual(names.slice(0, 8), Object.keys(BUILTIN_OPTIMIZERS));
    for (const e of listOptimizers()) assert.ok(e.description.length > 10, e.name);
  });

  it('builds every built-in under its own name', () => {
    for (const name of Object.keys(BUILTIN_OPTIMIZERS)) {
      assert.equal(createOptimizer(name, { space: toySpace(), seed: 1 }).name, name);
    }
  });

  it('creates a registered optimiser by name', () => {
    const opt = createOptimizer('random', { space: toySpace(), seed: 1 });
    assert.equal(opt.name, 'random');
  });

  it('throws NotFoundError naming the known optimisers', () => {
    assert.throws(
      () => createOptimizer('optuna-tpe', { space: toySpace(), seed: 1 }),
      (err: unknown) =>
        err instanceof NotFoundError &&
        /unknown optimiser 'optuna-tpe'/.test(err.message) &&
        /random/.test(err.message),
    );
  });

  it('rejects duplicate and malformed names', () => {
    assert.throws(() => registerOptimizer('random', createRandomSearch, 'again'), StateError);
    assert.throws(() => registerOptimizer('Bad Name', createRandomSearch, 'x'), ValidationError);
    assert.throws(() => registerOptimizer('mfms-bo', createRandomSearch, 'again'), StateError);
    registerOptimizer('test-only:random', createRandomSearch, 'a test registration');
    assert.ok(hasOptimizer('test-only:random'));
    assert.equal(listOptimizers().at(-1)?.name, 'test-only:random');
  });
});
