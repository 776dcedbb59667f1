/**
 * Small dense helpers on row-major `Float64Array` matrices.
 *
 * Notation: an m×n matrix `A` is stored row-major, `A[i*n + j] = A_ij`.
 * Vectors are plain `Float64Array`s (or any `ArrayLike<number>` where read-only).
 */
import { ValidationError } from '../core/index.ts';

function checkLength(what: string, arr: ArrayLike<number>, expected: number): void {
  if (arr.length !== expected) {
    throw new ValidationError(
      `${what} has length ${arr.length}, expected ${expected}; check the matrix dimensions you passed`,
      { length: arr.length, expected },
    );
  }
}

/**
 * Matrix product C = A B.
 *
 * @param A m×k row-major
 * @param B k×n row-major
 * @returns C, m×n row-major (new array)
 * @throws ValidationError when the lengths do not match the dimensions
 */
export function matmul(
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  checkLength('matmul: A', A, m * k);
  checkLength('matmul: B', B, k * n);
  const C = new Float64Array(m * n);
  // i-p-j loop order: the inner loop streams rows of B and C.
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p] as number;
      if (a === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] = (C[ci + j] as number) + a * (B[bp + j] as number);
    }
  }
  return C;
}

/**
 * Matrix–vector product y = A x.
 *
 * @param A m×n row-major
 * @param x length n
 * @returns y, length m (new array)
 * @throws ValidationError when the lengths do not match the dimensions
 */
export function matvec(
  A: ArrayLike<number>,
  x: ArrayLike<number>,
  m: number,
  n: number,
): Float64Array {
  checkLength('matvec: A', A, m * n);
  checkLength('matvec: x', x, n);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += (A[r + j] as number) * (x[j] as number);
    y[i] = s;
  }
  return y;
}

/**
 * Inner product Σ_i a_i b_i.
 * @throws ValidationError when the lengths differ
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLength('dot: b', b, a.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Transpose: A is m×n row-major; returns Aᵀ, n×m row-major (new array).
 * @throws ValidationError when the length does not match the dimensions
 */
export function transpose(A: ArrayLike<number>, m: number, n: number): Float64Array {
  checkLength('transpose: A', A, m * n);
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j] as number;
  return T;
}

/** The n×n identity, row-major. */
export function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}
