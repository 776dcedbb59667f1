/**
 * Cholesky factorisation with growing jitter, and what one does with the factor.
 *
 * Notation:
 *   n        matrix order
 *   A        n×n symmetric positive-definite matrix, row-major; only the lower triangle is read
 *   L        n×n lower-triangular factor, row-major, upper part zero: A + εI = L Lᵀ
 *   ε        jitter added to the diagonal ("nugget")
 *   nb = 4   register block: 4×4 tiles of dot products are accumulated in 16 local variables
 *   NB = 128 panel width (columns per outer step)
 *
 * Algorithm: right-looking over panels P = [p, p+NB) of columns, each step
 *   1. factor the diagonal block A[P,P] (left-looking over 4×4 tiles, below),
 *   2. the panel below it: L[I,P] = A[I,P] L[P,P]⁻ᵀ, four rows at a time,
 *   3. the trailing update A[I,J] −= L[I,P] L[J,P]ᵀ over 4×4 tiles of the lower triangle;
 * and inside steps 1–2, for a block of four rows I and a block of four columns J,
 *   S      = A[I,J] − L[I, p:j] L[J, p:j]ᵀ      (a 4×4 tile of dot products of contiguous rows)
 *   L[I,J] = S L[J,J]⁻ᵀ                          (4×4 triangular solve).
 * The 4×4 tile loads 8 numbers per 16 multiply-adds (the naive loop loads 2 per 1), and the panel
 * (n × NB numbers) stays in cache during the trailing update; together 2–3× faster in V8 than
 * the textbook loop (about 3–4 GFLOP/s; see bench/cholesky.ts and BENCHMARKS.md).
 *
 * Reference: Golub & Van Loan, Matrix Computations (4th ed.), §4.2 (Algorithm 4.2.1 and the
 * blocked variants of §4.2.9); jitter as in GPyTorch's `psd_safe_cholesky`.
 */
import { NumericsError, ValidationError } from '../core/index.ts';
import { TILE as S, tile4x4 } from './tile-kernel.ts';
import { solveLower, solveRowsInPlace, solveTileRows } from './triangular.ts';
import { wasmBuffer, wasmTileSub, withWasmArrays } from './wasm-arena.ts';

/** Options of {@link cholesky}. */
export interface CholeskyOptions {
  /** Jitter for the first attempt (default 0). */
  readonly jitter?: number;
  /** Number of retries with growing jitter after the first attempt fails (default 8). */
  readonly maxTries?: number;
}

/** A Cholesky factor and the jitter that made it succeed. */
export interface CholeskyResult {
  /** n×n lower-triangular factor, row-major, zeros above the diagonal. */
  readonly L: Float64Array;
  /** ε such that A + εI = L Lᵀ (0 when A factored as given). */
  readonly jitter: number;
}

function checkSquare(fn: string, A: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError(`${fn}: n must be a non-negative integer, got ${String(n)}`, { n });
  }
  if (A.length !== n * n) {
    throw new ValidationError(
      `${fn}: matrix has length ${A.length}, expected n*n = ${n * n} (row-major n×n)`,
      { length: A.length, n },
    );
  }
}

/** Panel width of the right-looking algorithm: columns factored per outer step (multiple of 4). */
const NB = 128;

/**
 * Left-looking step for one block of rb ≤ 4 rows starting at row i: computes L[I, p:jEnd] given
 * that the diagonal blocks of columns [p, jEnd) are factored and contributions of columns < p
 * are already subtracted from W[I, p:jEnd]. jEnd − p is a multiple of 4.
 *   L[I,J] = (W[I,J] − L[I, p:j] L[J, p:j]ᵀ) L[J,J]⁻ᵀ   for J = [j, j+4), j = p, p+4, …
 * (the triangular solve's tile step, on W in place).
 */
function solveRowBlock(
  W: Float64Array,
  n: number,
  i: number,
  rb: number,
  p: number,
  jEnd: number,
): void {
  solveTileRows(W, n, i * n, rb, W, p, jEnd);
}

/**
 * Factor the diagonal block of rb ≤ 4 rows at row i (columns [i, i+rb)), after subtracting
 * L[I, p:i] L[I, p:i]ᵀ. Returns false when a pivot is not above its floor (see {@link cholesky}).
 */
function factorDiagonalTile(
  W: Float64Array,
  n: number,
  i: number,
  rb: number,
  p: number,
  floor: Float64Array,
): boolean {
  for (let a = 0; a < rb; a++) {
    const ra = (i + a) * n;
    for (let b = 0; b <= a; b++) {
      const rbw = (i + b) * n;
      let s = W[ra + i + b] as number;
      for (let k = p; k < i + b; k++) s -= (W[ra + k] as number) * (W[rbw + k] as number);
      if (a === b) {
        if (!(s > 0) || !(s > (floor[i + a] as number)) || !Number.isFinite(s)) return false;
        W[ra + i + a] = Math.sqrt(s);
      } else {
        W[ra + i + b] = s / (W[rbw + i + b] as number);
      }
    }
  }
  return true;
}

/**
 * Trailing update of the right-looking algorithm: W[I,J] −= L[I,P] L[J,P]ᵀ for all 4×4 tiles of
 * the lower triangle of rows/columns [t, n), with P = [p, t) the panel just factored.
 */
function trailingUpdate(W: Float64Array, n: number, p: number, t: number): void {
  const wasm = W.buffer === wasmBuffer();
  for (let i = t; i < n; i += 4) {
    const rb = Math.min(4, n - i);
    const r0 = i * n;
    const r1 = rb > 1 ? r0 + n : r0;
    const r2 = rb > 2 ? r0 + 2 * n : r0;
    const r3 = rb > 3 ? r0 + 3 * n : r0;
    for (let j = t; j <= i; j += 4) {
      const cb = Math.min(4, n - j);
      const q0 = j * n;
      const q1 = cb > 1 ? q0 + n : q0;
      const q2 = cb > 2 ? q0 + 2 * n : q0;
      const q3 = cb > 3 ? q0 + 3 * n : q0;
      if (wasm && j + 4 <= i && rb === 4) {
        // Full off-diagonal tile, subtracted in the wasm kernel (the same operations).
        wasmTileSub(W, r0, r1, r2, r3, q0, q1, q2, q3, p, t, r0 + j, r1 + j, r2 + j, r3 + j);
        continue;
      }
      tile4x4(W, r0, r1, r2, r3, W, q0, q1, q2, q3, p, t);
      if (j + 4 <= i && rb === 4) {
        // Full off-diagonal tile.
        for (let a = 0; a < 4; a++) {
          const r = r0 + a * n + j;
          W[r] = (W[r] as number) - (S[4 * a] as number);
          W[r + 1] = (W[r + 1] as number) - (S[4 * a + 1] as number);
          W[r + 2] = (W[r + 2] as number) - (S[4 * a + 2] as number);
          W[r + 3] = (W[r + 3] as number) - (S[4 * a + 3] as number);
        }
      } else {
        for (let a = 0; a < rb; a++) {
          const r = r0 + a * n + j;
          for (let b = 0; b < cb && j + b <= i + a; b++) {
            W[r + b] = (W[r + b] as number) - (S[4 * a + b] as number);
          }
        }
      }
    }
  }
}

/**
 * In-place blocked Cholesky of the lower triangle held in W (row-major n×n).
 * Right-looking over panels of NB columns; inside a panel, left-looking over 4×4 tiles.
 * On success W's lower triangle holds L (the upper triangle is untouched). Returns false when
 * the matrix is not numerically positive definite.
 */
function factorInPlace(W: Float64Array, n: number, floor: Float64Array): boolean {
  for (let p = 0; p < n; p += NB) {
    const t = Math.min(n, p + NB);
    // 1. Factor the diagonal block [p, t).
    for (let i = p; i < t; i += 4) {
      const rb = Math.min(4, t - i);
      solveRowBlock(W, n, i, rb, p, i);
      if (!factorDiagonalTile(W, n, i, rb, p, floor)) return false;
    }
    if (t === n) break;
    // 2. The panel below it: L[I, p:t] for every row block I below.
    for (let i = t; i < n; i += 4) solveRowBlock(W, n, i, Math.min(4, n - i), p, t);
    // 3. Update the trailing matrix with the panel.
    trailingUpdate(W, n, p, t);
  }
  return true;
}

/**
 * Copy the lower triangle of A (plus ε on the diagonal) into a zeroed n×n array, and set the
 * pivot floors n·u·(A_ii + ε) (u = machine epsilon).
 */
function lowerCopy(
  A: ArrayLike<number>,
  n: number,
  eps: number,
  out: Float64Array,
  floor: Float64Array,
): void {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let j = 0; j <= i; j++) out[r + j] = A[r + j] as number;
    const d = (out[r + i] as number) + eps;
    out[r + i] = d;
    floor[i] = n * Number.EPSILON * d;
  }
}

/**
 * Cholesky factorisation A + εI = L Lᵀ with growing jitter ε.
 *
 * The first attempt uses ε = `opts.jitter` (default 0). If A is not numerically positive
 * definite, retries use ε₀ = 1e-10 · mean(diag A) (1e-10 when that is not positive; at least
 * 10× the first jitter), then ×10 per retry, for at most `opts.maxTries` (default 8) retries.
 * "Numerically positive definite" means every pivot exceeds n·u·(A_ii + ε) (u = 2⁻⁵² the machine
 * epsilon), not merely 0: a pivot at rounding level (duplicate inputs) would give a factor with
 * huge entries and a meaningless log-determinant, so it triggers jitter instead.
 *
 * @param A n×n symmetric, row-major; only the lower triangle is read; not modified
 * @param n matrix order
 * @returns the new factor L (n×n, zeros above the diagonal) and the jitter ε used
 * @throws NumericsError when A holds NaN/±Infinity (at once), or when the last retry still fails;
 *   `details` = `{ n, jitter }` with the last jitter tried
 * @throws ValidationError when the length of A is not n², or the options are invalid
 *
 * @example
 * const { L, jitter } = cholesky(new Float64Array([4, 2, 2, 3]), 2);
 * // L = [2, 0, 1, √2], jitter = 0
 */
export function cholesky(
  A: ArrayLike<number>,
  n: number,
  opts: CholeskyOptions = {},
): CholeskyResult {
  checkSquare('cholesky', A, n);
  const jitter0 = opts.jitter ?? 0;
  const maxTries = opts.maxTries ?? 8;
  if (!(jitter0 >= 0) || !Number.isFinite(jitter0)) {
    throw new ValidationError(`cholesky: jitter must be finite and >= 0, got ${String(jitter0)}`, {
      jitter: jitter0,
    });
  }
  if (!Number.isInteger(maxTries) || maxTries < 0) {
    throw new ValidationError(
      `cholesky: maxTries must be a non-negative integer, got ${String(maxTries)}`,
      { maxTries },
    );
  }
  let diagSum = 0;
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let j = 0; j <= i; j++) {
      const v = A[r + j] as number;
      if (!Number.isFinite(v)) {
        throw new NumericsError(
          `cholesky: the ${n}×${n} matrix holds ${String(v)} at [${i}][${j}]; check the kernel inputs and hyper-parameters for NaN/Infinity`,
          { n, jitter: jitter0, row: i, col: j, value: String(v) },
        );
      }
    }
    diagSum += A[r + i] as number;
  }
  // W in the wasm memory: the tiles run in the SIMD kernel; the factor is copied out.
  const found = withWasmArrays([n * n], ([W]): CholeskyResult | { last: number } => {
    const Wm = W as Float64Array;
    const copyOut = (): Float64Array => (Wm.buffer === wasmBuffer() ? Wm.slice() : Wm);
    const floor = new Float64Array(n);
    lowerCopy(A, n, jitter0, Wm, floor);
    if (factorInPlace(Wm, n, floor)) return { L: copyOut(), jitter: jitter0 };
    const meanDiag = n > 0 ? diagSum / n : 0;
    let eps = meanDiag > 0 ? 1e-10 * meanDiag : 1e-10;
    if (eps <= jitter0) eps = 10 * jitter0;
    let last = jitter0;
    for (let t = 0; t < maxTries; t++, eps *= 10) {
      last = eps;
      lowerCopy(A, n, eps, Wm, floor);
      if (factorInPlace(Wm, n, floor)) return { L: copyOut(), jitter: eps };
    }
    return { last };
  });
  if (!('last' in found)) return found;
  const last = found.last;
  throw new NumericsError(
    `cholesky: the ${n}×${n} matrix is not positive definite even with jitter ${last.toExponential(2)} on the diagonal (after ${maxTries} retries); check for duplicate inputs, a zero or negative variance, or raise the noise floor`,
    { n, jitter: last },
  );
}

/**
 * Textbook Cholesky–Banachiewicz loop (no blocking, no jitter). Kept as the baseline for
 * bench/cholesky.ts and as an independent reference in tests.
 * @returns the factor, or null when a pivot is not positive
 * @internal
 */
export function choleskyNaive(A: ArrayLike<number>, n: number): Float64Array | null {
  checkSquare('choleskyNaive', A, n);
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = A[ri + j] as number;
      for (let k = 0; k < j; k++) s -= (L[ri + k] as number) * (L[rj + k] as number);
      if (i === j) {
        if (!(s > 0)) return null;
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / (L[rj + j] as number);
      }
    }
  }
  return L;
}

/**
 * log det(L Lᵀ) = 2 Σᵢ log Lᵢᵢ.
 * @param L n×n Cholesky factor, row-major
 * @throws ValidationError when the length is not n²
 */
export function logDetChol(L: ArrayLike<number>, n: number): number {
  checkSquare('logDetChol', L, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i] as number);
  return 2 * s;
}

/**
 * (L Lᵀ)⁻¹ into Inv (both triangles), as {@link cholInverse} does: U = L⁻ᵀ row by row (into the
 * zeroed n×n U), then entry (a, b) = Σ_{k ≥ a} U_ak U_bk for b ≤ a, mirrored. For callers that
 * place L, U and Inv in the wasm memory themselves (withWasmArrays); no argument checks.
 * @internal
 */
export function cholInverseInto(
  L: Float64Array,
  U: Float64Array,
  n: number,
  Inv: Float64Array,
): void {
  for (let i = 0; i < n; i++) U[i * n + i] = 1;
  solveRowsInPlace(L, n, U, n, true);
  for (let a = 0; a < n; a += 4) {
    const ab = Math.min(4, n - a);
    const r0 = a * n;
    const r1 = ab > 1 ? r0 + n : r0;
    const r2 = ab > 2 ? r0 + 2 * n : r0;
    const r3 = ab > 3 ? r0 + 3 * n : r0;
    for (let b = 0; b <= a; b += 4) {
      const bb = Math.min(4, n - b);
      const q0 = b * n;
      const q1 = bb > 1 ? q0 + n : q0;
      const q2 = bb > 2 ? q0 + 2 * n : q0;
      const q3 = bb > 3 ? q0 + 3 * n : q0;
      // U rows a.. are zero before column a, so the sum starts at k = a.
      tile4x4(U, r0, r1, r2, r3, U, q0, q1, q2, q3, a, n);
      for (let i = 0; i < ab; i++) {
        const row = (a + i) * n;
        for (let j = 0; j < bb && b + j <= a + i; j++) Inv[row + b + j] = S[4 * i + j] as number;
      }
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) Inv[b * n + a] = Inv[a * n + b] as number;
}

/**
 * (L Lᵀ)⁻¹ as a full symmetric n×n matrix, in two register-blocked passes of n³/6 multiply-adds:
 *   U = L⁻ᵀ, computed row by row (row j of U solves L uⱼ = eⱼ, zero before column j);
 *   (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ, i.e. entry (a, b) = Σ_{k ≥ max(a,b)} U_ak U_bk.
 * Prefer {@link cholSolve} when only products with the inverse are needed.
 * @param L n×n Cholesky factor, row-major
 * @returns n×n symmetric inverse, row-major (new array)
 * @throws ValidationError when the length is not n²; NumericsError on a zero or non-finite diagonal
 */
export function cholInverse(L: ArrayLike<number>, n: number): Float64Array {
  checkSquare('cholInverse', L, n);
  for (let i = 0; i < n; i++) {
    const d = L[i * n + i] as number;
    if (!(d !== 0 && Number.isFinite(d))) {
      throw new NumericsError(
        `cholInverse: the factor has diagonal entry L[${i}][${i}] = ${String(d)}; pass the L returned by cholesky()`,
        { n, index: i, value: String(d) },
      );
    }
  }
  const Inv = new Float64Array(n * n);
  // L and U in the wasm memory: the tiles run in the SIMD kernel.
  withWasmArrays([n * n, n * n], ([Lf, U]) => {
    (Lf as Float64Array).set(L);
    cholInverseInto(Lf as Float64Array, U as Float64Array, n, Inv);
  });
  return Inv;
}

/**
 * Rank-one append: the factor of the (n+1)×(n+1) matrix [[A, k], [kᵀ, κ]] from the factor L of A,
 * in O(n²):  ℓ = L⁻¹ k,  d = √(κ − ℓᵀℓ),  L' = [[L, 0], [ℓᵀ, d]].
 *
 * @param L n×n lower-triangular factor of A, row-major
 * @param k length n: the new column (covariances with the existing points)
 * @param kappa the new diagonal entry (include any jitter/noise the original factor had)
 * @returns L', (n+1)×(n+1) row-major (new array)
 * @throws NumericsError when κ − ℓᵀℓ is not positive beyond rounding (≤ ε·max(1, n)·|κ|: the appended
 *   matrix is not numerically PD) or not finite
 * @throws ValidationError on mismatched lengths
 */
export function cholAppend(
  L: ArrayLike<number>,
  n: number,
  k: ArrayLike<number>,
  kappa: number,
): Float64Array {
  checkSquare('cholAppend', L, n);
  if (k.length !== n) {
    throw new ValidationError(`cholAppend: k has length ${k.length}, expected n = ${n}`, {
      length: k.length,
      n,
    });
  }
  const ell = solveLower(L, n, k, 1);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (ell[i] as number) ** 2;
  const d2 = kappa - ss;
  // A pivot at rounding level (relative to κ) means the new point duplicates an old one.
  if (!(d2 > Number.EPSILON * Math.max(1, n) * Math.abs(kappa)) || !Number.isFinite(d2)) {
    throw new NumericsError(
      `cholAppend: appending to the ${n}×${n} factor gives a non-positive pivot ${String(d2)} (κ = ${String(kappa)}); the new point duplicates an old one — add jitter/noise to κ or refactor with cholesky()`,
      { n, jitter: 0, pivot: d2, kappa },
    );
  }
  const m = n + 1;
  const out = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    const r = i * n;
    const ro = i * m;
    for (let j = 0; j <= i; j++) out[ro + j] = L[r + j] as number;
  }
  const rn = n * m;
  for (let j = 0; j < n; j++) out[rn + j] = ell[j] as number;
  out[rn + n] = Math.sqrt(d2);
  return out;
}
