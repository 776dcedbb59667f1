import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, StateError, ValidationError } from '../../src/core/index.ts';
import {
  createOptimizer,
  createRandomSearch,
  hasOptimizer,
  listOptimizers,
  registerOptimizer,
} from '../../src/optimizers/index.ts';
import { toySpace } from './toy-space.ts';

describe('optimizer registry', () => {
  it('lists the built-ins registered by importing the door', () => {
    const names = listOptimizers().map((e) => e.name);
    assert.ok(names.includes('random'));
    assert.ok(names.includes('hyperband'));
    for (const e of listOptimizers()) assert.ok(e.description.length > 10, e.name);
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
    registerOptimizer('test-only:random', createRandomSearch, 'a test registration');
    assert.ok(hasOptimizer('test-only:random'));
  });
});
