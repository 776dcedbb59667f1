import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBetter } from '../../src/core/interfaces.ts';

describe('isBetter', () => {
  it('strictly smaller when minimising, strictly larger when maximising; a tie is not better', () => {
    assert.equal(isBetter('minimize', 1, 2), true);
    assert.equal(isBetter('minimize', 2, 1), false);
    assert.equal(isBetter('maximize', 2, 1), true);
    assert.equal(isBetter('maximize', 1, 2), false);
    assert.equal(isBetter('minimize', 1, 1), false);
    assert.equal(isBetter('maximize', 1, 1), false);
    // Nothing is better than NaN or than it.
    assert.equal(isBetter('minimize', Number.NaN, 1), false);
    assert.equal(isBetter('minimize', 1, Number.NaN), false);
  });
});
