import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumericsError, Rng, ValidationError } from '../../src/core/index.ts';
import {
  cholAppend,
  cholesky,
  choleskyNaive,
  cholInverse,
  logDetChol,
  matmul,
  transpose,
} from '../../src/linalg/index.ts';

/** Random SPD matrix X Xᵀ/n + c I. */
function randomSpd(n: number, rng: Rng, c = 0.5): Float64Array {
  const X = new Float64Array(n * n).map(() => rng.normal());
  const A = matmul(X, transpose(X, n, n), n, n, n);
  for (let i = 0; i < n * n; i++) A[i] = (A[i] as number) / n;
  for (let i = 0; i < n; i++) A[i * n + i] = (A[i * n + i] as number) + c;
  return A;
}

/** RBF kernel matrix of 1-d points (PSD, singular when points repeat). */
function rbfGram(xs: readonly number[], ell = 0.7): Float64Array {
  const n = xs.length;
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      K[i * n + j] = Math.exp(-0.5 * (((xs[i] as number) - (xs[j] as number)) / ell) ** 2);
    }
  }
  return K;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** log|det A| by Gaussian elimination with partial pivoting (independent of Cholesky). */
function logDetLu(A: Float64Array, n: number): number {
  const M = Float64Array.from(A);
  let s = 0;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) {
      if (Math.abs(M[r * n + c] as number) > Math.abs(M[piv * n + c] as number)) piv = r;
    }
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        const t = M[c * n + k] as number;
        M[c * n + k] = M[piv * n + k] as number;
        M[piv * n + k] = t;
      }
    }
    const d = M[c * n + c] as number;
    s += Math.log(Math.abs(d));
    for (let r = c + 1; r < n; r++) {
      const f = (M[r * n + c] as number) / d;
      for (let k = c; k < n; k++)
        M[r * n + k] = (M[r * n + k] as number) - f * (M[c * n + k] as number);
    }
  }
  return s;
}

describe('cholesky', () => {
  it('reconstructs A = L Lᵀ for random SPD matrices of many sizes (block edges included)', () => {
    const rng = new Rng(7);
    for (const n of [1, 2, 3, 4, 5, 7, 16, 67, 127, 128, 129, 131, 200, 261]) {
      const A = randomSpd(n, rng);
      const copy = Float64Array.from(A);
      const { L, jitter } = cholesky(A, n);
      assert.equal(jitter, 0);
      assert.deepEqual(A, copy, 'A must not be modified');
      for (let i = 0; i < n; i++) {
        assert.ok((L[i * n + i] as number) > 0);
        for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0, `upper entry [${i}][${j}]`);
      }
      const R = matmul(L, transpose(L, n, n), n, n, n);
      assert.ok(maxAbsDiff(R, A) < 1e-12, `n=${n}: ${maxAbsDiff(R, A)}`);
      const Ln = choleskyNaive(A, n);
      assert.ok(Ln !== null && maxAbsDiff(L, Ln) < 1e-12, `n=${n} vs textbook loop`);
    }
  });

  it('reads only the lower triangle', () => {
    const A = new Float64Array([4, 999, 2, 3]);
    const { L } = cholesky(A, 2);
    assert.deepEqual(Array.from(L), [2, 0, 1, Math.SQRT2]);
  });

  it('near-singular (duplicate inputs): succeeds with jitter > 0, never NaN', () => {
    const xs = [0, 0.1, 0.5, 0.5, 1.2, 0.1, 2, 3, 3, 0.5];
    const n = xs.length;
    const K = rbfGram(xs);
    assert.equal(choleskyNaive(K, n), null, 'the textbook loop fails on this matrix');
    const { L, jitter } = cholesky(K, n);
    assert.ok(jitter > 0, `jitter ${jitter}`);
    assert.ok(jitter <= 1e-2, `jitter ${jitter}`);
    for (const v of L) assert.ok(Number.isFinite(v));
    const R = matmul(L, transpose(L, n, n), n, n, n);
    for (let i = 0; i < n; i++) K[i * n + i] = (K[i * n + i] as number) + jitter;
    assert.ok(maxAbsDiff(R, K) < 1e-10);
  });

  it('a pivot at rounding level counts as failure: jitter, not a factor with huge entries', () => {
    const c = 1 - 1e-16; // 1 − c² ≈ 2.2e-16, below the floor n·u·A_ii = 4.4e-16
    const { L, jitter } = cholesky(new Float64Array([1, c, c, 1]), 2);
    assert.equal(jitter, 1e-10);
    assert.ok((L[3] as number) > 1e-6, `L[1][1] = ${L[3]}`);
    // Well above the floor: factored as given.
    assert.equal(cholesky(new Float64Array([1, 0.999, 0.999, 1]), 2).jitter, 0);
  });

  it('near-singular at a size past the panel width also succeeds with jitter', () => {
    const rng = new Rng(2);
    const base = Array.from({ length: 100 }, () => rng.uniformIn(0, 5));
    const xs = [...base, ...base.slice(0, 60)];
    const { L, jitter } = cholesky(rbfGram(xs), xs.length);
    assert.ok(jitter > 0);
    for (const v of L) assert.ok(!Number.isNaN(v));
  });

  it('starts from the given jitter: A + εI = L Lᵀ', () => {
    const rng = new Rng(3);
    const n = 9;
    const A = randomSpd(n, rng);
    const { L, jitter } = cholesky(A, n, { jitter: 0.25 });
    assert.equal(jitter, 0.25);
    const R = matmul(L, transpose(L, n, n), n, n, n);
    for (let i = 0; i < n; i++) A[i * n + i] = (A[i * n + i] as number) + 0.25;
    assert.ok(maxAbsDiff(R, A) < 1e-12);
  });

  it('a negative-definite matrix throws NumericsError naming n and the last jitter', () => {
    const n = 6;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = -1;
    try {
      cholesky(A, n);
      assert.fail('expected a NumericsError');
    } catch (e) {
      assert.ok(e instanceof NumericsError);
      assert.equal(e.code, 'E_NUMERICS');
      assert.match(e.message, /6×6 matrix is not positive definite even with jitter 1\.00e-3/);
      assert.deepEqual(e.details, { n: 6, jitter: 1e-10 * 10 ** 7 });
    }
    // maxTries: 0 gives up after the first attempt, reporting the first jitter.
    assert.throws(
      () => cholesky(new Float64Array([1, 1, 1, 1]), 2, { maxTries: 0 }),
      (e: unknown) => e instanceof NumericsError && (e.details as { jitter: number }).jitter === 0,
    );
  });

  it('NaN or Infinity in A throws NumericsError at once; bad arguments throw ValidationError', () => {
    const A = new Float64Array([4, 0, Number.NaN, 3]);
    assert.throws(() => cholesky(A, 2), /holds NaN at \[1\]\[0\]/);
    assert.throws(() => cholesky(new Float64Array([Number.POSITIVE_INFINITY]), 1), NumericsError);
    assert.throws(() => cholesky(new Float64Array(5), 2), ValidationError);
    assert.throws(() => cholesky(new Float64Array(4), 2, { jitter: -1 }), ValidationError);
    assert.throws(() => cholesky(new Float64Array(4), 2, { maxTries: 1.5 }), ValidationError);
  });

  it('n = 0 gives an empty factor', () => {
    assert.equal(cholesky(new Float64Array(0), 0).L.length, 0);
  });
});

describe('logDetChol / cholInverse / cholAppend', () => {
  it('logDetChol equals log det by LU (independent) and closed forms', () => {
    const rng = new Rng(11);
    for (const n of [1, 3, 10, 40]) {
      const A = randomSpd(n, rng);
      const { L } = cholesky(A, n);
      const a = logDetChol(L, n);
      const b = logDetLu(A, n);
      assert.ok(Math.abs(a - b) < 1e-10 * Math.max(1, Math.abs(b)), `n=${n}: ${a} vs ${b}`);
    }
    // det [[4, 2], [2, 3]] = 8
    const { L } = cholesky(new Float64Array([4, 2, 2, 3]), 2);
    assert.ok(Math.abs(logDetChol(L, 2) - Math.log(8)) < 1e-15);
  });

  it('cholInverse gives A⁻¹ (symmetric, A A⁻¹ = I)', () => {
    const rng = new Rng(12);
    for (const n of [1, 2, 5, 33, 130]) {
      const A = randomSpd(n, rng);
      const { L } = cholesky(A, n);
      const Inv = cholInverse(L, n);
      const P = matmul(A, Inv, n, n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          assert.ok(Math.abs((P[i * n + j] as number) - (i === j ? 1 : 0)) < 1e-10);
          assert.equal(Inv[i * n + j], Inv[j * n + i]);
        }
      }
    }
  });

  it('cholAppend equals the Cholesky factor of the full matrix', () => {
    const rng = new Rng(13);
    for (const n of [0, 1, 6, 30]) {
      const m = n + 1;
      const Afull = randomSpd(m, rng);
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) A[i * n + j] = Afull[i * m + j] as number;
      const k = new Float64Array(n);
      for (let i = 0; i < n; i++) k[i] = Afull[n * m + i] as number;
      const L1 = cholAppend(cholesky(A, n).L, n, k, Afull[n * m + n] as number);
      const L2 = cholesky(Afull, m).L;
      assert.ok(maxAbsDiff(L1, L2) < 1e-12, `n=${n}: ${maxAbsDiff(L1, L2)}`);
    }
  });

  it('cholAppend throws NumericsError when the appended point duplicates an old one', () => {
    const xs = [0, 0.4, 1.1];
    const { L } = cholesky(rbfGram(xs), 3);
    const k = rbfGram([0, 0.4, 1.1, 0.4]).slice(3 * 4, 3 * 4 + 3);
    assert.throws(() => cholAppend(L, 3, k, 1), NumericsError);
    assert.throws(() => cholAppend(L, 3, k, 1), /non-positive pivot/);
    assert.throws(() => cholAppend(L, 3, k, 0.5), NumericsError);
    // With a little noise on the new diagonal the appended matrix is PD again.
    assert.doesNotThrow(() => cholAppend(L, 3, k, 1 + 1e-6));
    assert.doesNotThrow(() => cholAppend(L, 3, k, 1.01));
    assert.throws(() => cholAppend(L, 3, new Float64Array(2), 1), ValidationError);
  });
});
