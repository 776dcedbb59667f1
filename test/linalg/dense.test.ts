import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import { dot, identity, matmul, matvec, transpose } from '../../src/linalg/index.ts';

describe('dense helpers', () => {
  it('matmul of a 2×3 by a 3×2 matrix', () => {
    const A = [1, 2, 3, 4, 5, 6];
    const B = [7, 8, 9, 10, 11, 12];
    assert.deepEqual(Array.from(matmul(A, B, 2, 3, 2)), [58, 64, 139, 154]);
    assert.deepEqual(Array.from(matmul(identity(2), [1, 2, 3, 4], 2, 2, 2)), [1, 2, 3, 4]);
  });

  it('matvec, dot, transpose', () => {
    assert.deepEqual(Array.from(matvec([1, 2, 3, 4, 5, 6], [1, 0, -1], 2, 3)), [-2, -2]);
    assert.equal(dot([1, 2, 3], [4, 5, 6]), 32);
    assert.deepEqual(Array.from(transpose([1, 2, 3, 4, 5, 6], 2, 3)), [1, 4, 2, 5, 3, 6]);
  });

  it('rejects mismatched dimensions', () => {
    assert.throws(() => matmul([1, 2], [1, 2], 2, 2, 1), ValidationError);
    assert.throws(() => dot([1], [1, 2]), /has length 2, expected 1/);
    assert.throws(() => matvec([1, 2, 3], [1], 1, 3), ValidationError);
  });
});
