import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumericsError, Rng, ValidationError } from '../../src/core/index.ts';
import {
  cholesky,
  cholSolve,
  matmul,
  solveLower,
  solveLowerRows,
  solveLowerTranspose,
  transpose,
} from '../../src/linalg/index.ts';

function randomLower(n: number, rng: Rng): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) L[i * n + j] = rng.normal();
    L[i * n + i] = 1 + rng.uniform();
  }
  return L;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('triangular solves', () => {
  it('one right-hand side: bit-identical to the textbook row-by-row loops (blocked by four rows)', () => {
    const rng = new Rng(9);
    for (const n of [1, 3, 4, 7, 8, 33, 64]) {
      const L = randomLower(n, rng);
      // Some zero entries, so that zero x_i (skipped updates) occur mid-block.
      const b = Float64Array.from({ length: n }, (_, i) => (i % 5 === 2 ? 0 : rng.normal()));
      const fwd = Float64Array.from(b);
      for (let i = 0; i < n; i++) {
        let s = fwd[i] as number;
        for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (fwd[k] as number);
        fwd[i] = s / (L[i * n + i] as number);
      }
      assert.deepEqual(Array.from(solveLower(L, n, b, 1)), Array.from(fwd), `forward n=${n}`);
      const bwd = Float64Array.from(b);
      for (let i = n - 1; i >= 0; i--) {
        const xi = (bwd[i] as number) / (L[i * n + i] as number);
        bwd[i] = xi;
        if (xi === 0) continue;
        for (let k = 0; k < i; k++) bwd[k] = (bwd[k] as number) - (L[i * n + k] as number) * xi;
      }
      assert.deepEqual(
        Array.from(solveLowerTranspose(L, n, b, 1)),
        Array.from(bwd),
        `backward n=${n}`,
      );
    }
  });

  it('solveLower: L X = B (checked by multiplying back), one and several right-hand sides', () => {
    const rng = new Rng(1);
    for (const [n, nrhs] of [
      [1, 1],
      [5, 1],
      [17, 3],
      [40, 1],
      [40, 7],
    ] as const) {
      const L = randomLower(n, rng);
      const B = new Float64Array(n * nrhs).map(() => rng.normal());
      const X = solveLower(L, n, B, nrhs);
      assert.ok(maxAbsDiff(matmul(L, X, n, n, nrhs), B) < 1e-10, `n=${n} nrhs=${nrhs}`);
    }
  });

  it('solveLowerTranspose: Lᵀ X = B', () => {
    const rng = new Rng(2);
    for (const [n, nrhs] of [
      [1, 1],
      [6, 1],
      [23, 4],
      [2, 5],
      [3, 6],
      [8, 4],
      [41, 9],
      [64, 13],
    ] as const) {
      const L = randomLower(n, rng);
      const B = new Float64Array(n * nrhs).map(() => rng.normal());
      const X = solveLowerTranspose(L, n, B, nrhs);
      assert.ok(maxAbsDiff(matmul(transpose(L, n, n), X, n, n, nrhs), B) < 1e-10);
    }
  });

  it('cholSolve: A X = B with A = L Lᵀ; columns solved together equal columns solved alone', () => {
    const rng = new Rng(3);
    const n = 30;
    const X0 = new Float64Array(n * n).map(() => rng.normal());
    const A = matmul(X0, transpose(X0, n, n), n, n, n);
    for (let i = 0; i < n; i++) A[i * n + i] = (A[i * n + i] as number) + 1;
    const { L } = cholesky(A, n);
    const B = new Float64Array(n * 2).map(() => rng.normal());
    const X = cholSolve(L, n, B, 2);
    assert.ok(maxAbsDiff(matmul(A, X, n, n, 2), B) < 1e-9);
    const b1 = new Float64Array(n);
    for (let i = 0; i < n; i++) b1[i] = B[i * 2 + 1] as number;
    const x1 = cholSolve(L, n, b1);
    for (let i = 0; i < n; i++)
      assert.ok(Math.abs((x1[i] as number) - (X[i * 2 + 1] as number)) < 1e-12);
  });

  it('solveLowerRows: each row of B solved on its own (X Lᵀ = B), sizes past the 4×4 tiles', () => {
    const rng = new Rng(4);
    for (const [n, m] of [
      [1, 1],
      [7, 3],
      [33, 9],
      [64, 5],
    ] as const) {
      const L = randomLower(n, rng);
      const B = new Float64Array(m * n).map(() => rng.normal());
      const X = solveLowerRows(L, n, B, m);
      assert.ok(maxAbsDiff(matmul(X, transpose(L, n, n), m, n, n), B) < 1e-10, `n=${n} m=${m}`);
      // Same as solveLower on the transpose.
      const Y = solveLower(L, n, transpose(B, m, n), m);
      assert.ok(maxAbsDiff(transpose(Y, n, m), X) < 1e-12);
    }
  });

  it('does not modify its inputs', () => {
    const L = new Float64Array([2, 0, 1, 3]);
    const B = new Float64Array([4, 5]);
    cholSolve(L, 2, B);
    assert.deepEqual(Array.from(B), [4, 5]);
    assert.deepEqual(Array.from(solveLower(L, 2, B)), [2, 1]);
  });

  it('rejects mismatched lengths and a zero diagonal', () => {
    assert.throws(() => solveLower(new Float64Array(4), 2, new Float64Array(3)), ValidationError);
    assert.throws(
      () => solveLower(new Float64Array([1, 0, 1, 0]), 2, new Float64Array(2)),
      NumericsError,
    );
    assert.throws(
      () => solveLowerTranspose(new Float64Array(4), 2, new Float64Array(2), 0),
      ValidationError,
    );
  });
});
