/**
 * Triangular solves with a Cholesky factor.
 *
 * Notation:
 *   n      matrix order
 *   L      n×n lower-triangular factor, row-major (entries above the diagonal are ignored)
 *   B, X   n×nrhs right-hand sides / solutions, row-major (`B[i*nrhs + r]`)
 *
 * All functions return a new array and leave their inputs untouched.
 */
import { NumericsError, ValidationError } from '../core/index.ts';

function checkSolveArgs(
  fn: string,
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  nrhs: number,
): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError(`${fn}: n must be a non-negative integer, got ${String(n)}`, { n });
  }
  if (!Number.isInteger(nrhs) || nrhs < 1) {
    throw new ValidationError(`${fn}: nrhs must be a positive integer, got ${String(nrhs)}`, {
      nrhs,
    });
  }
  if (L.length !== n * n) {
    throw new ValidationError(`${fn}: L has length ${L.length}, expected n*n = ${n * n}`, {
      length: L.length,
      n,
    });
  }
  if (B.length !== n * nrhs) {
    throw new ValidationError(
      `${fn}: B has length ${B.length}, expected n*nrhs = ${n * nrhs} (row-major n×nrhs)`,
      { length: B.length, n, nrhs },
    );
  }
  for (let i = 0; i < n; i++) {
    const d = L[i * n + i] as number;
    if (!(d !== 0 && Number.isFinite(d))) {
      throw new NumericsError(
        `${fn}: the factor has diagonal entry L[${i}][${i}] = ${String(d)}; pass the L returned by cholesky()`,
        { n, index: i, value: String(d) },
      );
    }
  }
}

/**
 * Forward substitution: solves L X = B.
 *
 * @param L n×n lower triangular, row-major
 * @param B n×nrhs, row-major
 * @returns X, n×nrhs (new array)
 * @throws ValidationError on mismatched lengths; NumericsError on a zero or non-finite diagonal
 */
export function solveLower(
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  nrhs = 1,
): Float64Array {
  checkSolveArgs('solveLower', L, n, B, nrhs);
  const X = Float64Array.from(B);
  if (nrhs === 1) {
    for (let i = 0; i < n; i++) {
      const r = i * n;
      let s = X[i] as number;
      for (let k = 0; k < i; k++) s -= (L[r + k] as number) * (X[k] as number);
      X[i] = s / (L[r + i] as number);
    }
    return X;
  }
  for (let i = 0; i < n; i++) {
    const r = i * n;
    const xi = i * nrhs;
    for (let k = 0; k < i; k++) {
      const l = L[r + k] as number;
      if (l === 0) continue;
      const xk = k * nrhs;
      for (let c = 0; c < nrhs; c++) X[xi + c] = (X[xi + c] as number) - l * (X[xk + c] as number);
    }
    const inv = 1 / (L[r + i] as number);
    for (let c = 0; c < nrhs; c++) X[xi + c] = (X[xi + c] as number) * inv;
  }
  return X;
}

/**
 * Back substitution with the transpose: solves Lᵀ X = B.
 *
 * @param L n×n lower triangular, row-major
 * @param B n×nrhs, row-major
 * @returns X, n×nrhs (new array)
 * @throws ValidationError on mismatched lengths; NumericsError on a zero or non-finite diagonal
 */
export function solveLowerTranspose(
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  nrhs = 1,
): Float64Array {
  checkSolveArgs('solveLowerTranspose', L, n, B, nrhs);
  const X = Float64Array.from(B);
  // Column-oriented: once X_i is known, subtract L_ik X_i from every earlier row k (row i of L is contiguous).
  if (nrhs === 1) {
    for (let i = n - 1; i >= 0; i--) {
      const r = i * n;
      const xi = (X[i] as number) / (L[r + i] as number);
      X[i] = xi;
      if (xi === 0) continue;
      for (let k = 0; k < i; k++) X[k] = (X[k] as number) - (L[r + k] as number) * xi;
    }
    return X;
  }
  for (let i = n - 1; i >= 0; i--) {
    const r = i * n;
    const xi = i * nrhs;
    const inv = 1 / (L[r + i] as number);
    for (let c = 0; c < nrhs; c++) X[xi + c] = (X[xi + c] as number) * inv;
    for (let k = 0; k < i; k++) {
      const l = L[r + k] as number;
      if (l === 0) continue;
      const xk = k * nrhs;
      for (let c = 0; c < nrhs; c++) X[xk + c] = (X[xk + c] as number) - l * (X[xi + c] as number);
    }
  }
  return X;
}

/**
 * Solves (L Lᵀ) X = B with a Cholesky factor: forward then back substitution.
 *
 * @param L n×n lower-triangular Cholesky factor of A, row-major
 * @param B n×nrhs, row-major
 * @returns X = A⁻¹ B, n×nrhs (new array)
 * @throws ValidationError on mismatched lengths; NumericsError on a zero or non-finite diagonal
 */
export function cholSolve(
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  nrhs = 1,
): Float64Array {
  return solveLowerTranspose(L, n, solveLower(L, n, B, nrhs), nrhs);
}
