/**
 * Triangular solves with a Cholesky factor.
 *
 * Notation:
 *   n      matrix order
 *   L      n×n lower-triangular factor, row-major (entries above the diagonal are ignored)
 *   B, X   n×nrhs right-hand sides / solutions, row-major (`B[i*nrhs + r]`), one per column;
 *          for {@link solveLowerRows}, m×n with one right-hand side per row
 *
 * The exported functions return a new array and leave their inputs untouched. With four or more
 * right-hand sides both solves run on the register-blocked 4×4 tiles of tile-kernel.ts.
 */
import { NumericsError, ValidationError } from '../core/index.ts';
import { TILE, tile4x4 } from './tile-kernel.ts';
import { residentArrays, wasmAxpy4, wasmDot4, withWasmArrays } from './wasm-arena.ts';

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
  if (!Number.isInteger(nrhs) || nrhs < 0) {
    throw new ValidationError(`${fn}: nrhs must be a non-negative integer, got ${String(nrhs)}`, {
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
 * In place, for the rb ≤ 4 rows of X starting at offset x0 (row length n) and the columns
 * [k0, jEnd) (jEnd − k0 a multiple of 4), with rows x0.. already solved before column k0 or
 * zero there: the columns become the solution of y L[k0:jEnd, k0:jEnd]ᵀ = x − (the part of
 * columns < k0 already subtracted), four columns at a time,
 *   S = X[I, J] − X[I, k0:j] L[J, k0:j]ᵀ   (a 4×4 tile of dot products, {@link tile4x4})
 *   X[I, J] = S L[J, J]⁻ᵀ                  (4×4 triangular solve)   for J = [j, j+4).
 * X and L may be the same array (the Cholesky factorisation solves its panel in place).
 * @internal
 */
export function solveTileRows(
  X: Float64Array,
  n: number,
  x0: number,
  rb: number,
  L: Float64Array,
  k0: number,
  jEnd: number,
): void {
  // Rows past the block alias the first row (valid memory; their results are ignored).
  const x1 = rb > 1 ? x0 + n : x0;
  const x2 = rb > 2 ? x0 + 2 * n : x0;
  const x3 = rb > 3 ? x0 + 3 * n : x0;
  for (let j = k0; j < jEnd; j += 4) {
    const q0 = j * n;
    const q1 = q0 + n;
    const q2 = q1 + n;
    const q3 = q2 + n;
    tile4x4(X, x0, x1, x2, x3, L, q0, q1, q2, q3, k0, j);
    const d0 = 1 / (L[q0 + j] as number);
    const l10 = L[q1 + j] as number;
    const d1 = 1 / (L[q1 + j + 1] as number);
    const l20 = L[q2 + j] as number;
    const l21 = L[q2 + j + 1] as number;
    const d2 = 1 / (L[q2 + j + 2] as number);
    const l30 = L[q3 + j] as number;
    const l31 = L[q3 + j + 1] as number;
    const l32 = L[q3 + j + 2] as number;
    const d3 = 1 / (L[q3 + j + 3] as number);
    for (let a = 0; a < rb; a++) {
      const x = x0 + a * n + j;
      const t0 = ((X[x] as number) - (TILE[4 * a] as number)) * d0;
      const t1 = ((X[x + 1] as number) - (TILE[4 * a + 1] as number) - t0 * l10) * d1;
      const t2 = ((X[x + 2] as number) - (TILE[4 * a + 2] as number) - t0 * l20 - t1 * l21) * d2;
      const t3 =
        ((X[x + 3] as number) - (TILE[4 * a + 3] as number) - t0 * l30 - t1 * l31 - t2 * l32) * d3;
      X[x] = t0;
      X[x + 1] = t1;
      X[x + 2] = t2;
      X[x + 3] = t3;
    }
  }
}

/**
 * In place: each row x of the m×n row-major X becomes the solution of L yᵀ = xᵀ (i.e. Y Lᵀ = X).
 * Row blocks of four right-hand sides times 4×4 tiles of L: every dot product runs over
 * contiguous rows of X and L. When `zeroLead` is true, rows r..r+3 of X are known to be zero
 * before column r (as for the identity in {@link cholInverse}) and the work there is skipped;
 * given as an array, row r of X is known to be zero before column `zeroLead[r]` (so is its
 * solution), and each block of four starts at its smallest lead. Skipping the leading zeros
 * drops only exact zeros from the sums: the results are the same as without the leads.
 * @internal
 */
export function solveRowsInPlace(
  L: Float64Array,
  n: number,
  X: Float64Array,
  m: number,
  zeroLead: boolean | ArrayLike<number>,
): void {
  const n4 = n - (n % 4);
  for (let r = 0; r < m; r += 4) {
    const rb = Math.min(4, m - r);
    const x0 = r * n;
    let k0 = 0;
    if (zeroLead === true) k0 = Math.min(r - (r % 4), n4);
    else if (zeroLead !== false) {
      let lead = n;
      for (let a = 0; a < rb; a++) lead = Math.min(lead, zeroLead[r + a] as number);
      k0 = Math.min(lead - (lead % 4), n4);
    }
    solveTileRows(X, n, x0, rb, L, k0, n4);
    // The last n mod 4 columns: plain dot products.
    for (let j = n4; j < n; j++) {
      const q = j * n;
      const inv = 1 / (L[q + j] as number);
      for (let a = 0; a < rb; a++) {
        const x = x0 + a * n;
        let s = X[x + j] as number;
        for (let k = k0; k < j; k++) s -= (X[x + k] as number) * (L[q + k] as number);
        X[x + j] = s * inv;
      }
    }
  }
}

/**
 * In place: each row x of the m×n row-major X becomes the solution of y U = x, for U upper
 * triangular (row-major, U = Lᵀ), i.e. y_j = (x_j − Σ_{k>j} U_jk y_k)/U_jj, j = n−1 … 0.
 * Row blocks of four right-hand sides times 4×4 tiles of U (dot products over contiguous rows).
 * @internal
 */
function solveRowsUpperInPlace(U: Float64Array, n: number, X: Float64Array, m: number): void {
  const n4 = n - (n % 4);
  for (let r = 0; r < m; r += 4) {
    const rb = Math.min(4, m - r);
    const x0 = r * n;
    const x1 = rb > 1 ? x0 + n : x0;
    const x2 = rb > 2 ? x0 + 2 * n : x0;
    const x3 = rb > 3 ? x0 + 3 * n : x0;
    // The last n mod 4 columns first: plain dot products.
    for (let j = n - 1; j >= n4; j--) {
      const q = j * n;
      const inv = 1 / (U[q + j] as number);
      for (let a = 0; a < rb; a++) {
        const x = x0 + a * n;
        let s = X[x + j] as number;
        for (let k = j + 1; k < n; k++) s -= (U[q + k] as number) * (X[x + k] as number);
        X[x + j] = s * inv;
      }
    }
    for (let j = n4 - 4; j >= 0; j -= 4) {
      const q0 = j * n;
      const q1 = q0 + n;
      const q2 = q1 + n;
      const q3 = q2 + n;
      tile4x4(X, x0, x1, x2, x3, U, q0, q1, q2, q3, j + 4, n);
      const d0 = 1 / (U[q0 + j] as number);
      const u01 = U[q0 + j + 1] as number;
      const u02 = U[q0 + j + 2] as number;
      const u03 = U[q0 + j + 3] as number;
      const d1 = 1 / (U[q1 + j + 1] as number);
      const u12 = U[q1 + j + 2] as number;
      const u13 = U[q1 + j + 3] as number;
      const d2 = 1 / (U[q2 + j + 2] as number);
      const u23 = U[q2 + j + 3] as number;
      const d3 = 1 / (U[q3 + j + 3] as number);
      for (let a = 0; a < rb; a++) {
        const x = x0 + a * n + j;
        const t3 = ((X[x + 3] as number) - (TILE[4 * a + 3] as number)) * d3;
        const t2 = ((X[x + 2] as number) - (TILE[4 * a + 2] as number) - u23 * t3) * d2;
        const t1 = ((X[x + 1] as number) - (TILE[4 * a + 1] as number) - u12 * t2 - u13 * t3) * d1;
        const t0 =
          ((X[x] as number) - (TILE[4 * a] as number) - u01 * t1 - u02 * t2 - u03 * t3) * d0;
        X[x] = t0;
        X[x + 1] = t1;
        X[x + 2] = t2;
        X[x + 3] = t3;
      }
    }
  }
}

/** Four running sums handed to and from the wasm kernel. */
const SUMS = new Float64Array(4);

/**
 * One-right-hand-side solves L x = b and Lᵀ x = b with a factor kept in the wasm memory across
 * calls (wasm-arena.ts's resident slot), for callers that solve with the same factor many times
 * (a GP's predictions with gradients): the long loops run in the SIMD kernel, with results
 * bit-identical to {@link solveLower} / {@link solveLowerTranspose} (the same operations in the
 * same order per entry). The slot holds one factor at a time: a solver whose factor was displaced
 * copies it back in (n² numbers) on its next call; without the kernel it solves in JavaScript.
 * L is kept by reference and must not be modified.
 * @internal
 */
export class FactorSolver {
  /**
   * @param L n×n lower-triangular factor, row-major
   * @throws ValidationError on a wrong length; NumericsError on a zero or non-finite diagonal
   */
  constructor(
    private readonly L: Float64Array,
    private readonly n: number,
  ) {
    checkSolveArgs('FactorSolver', L, n, new Float64Array(n), 1);
  }

  /** L x = b (new array). */
  forward(b: ArrayLike<number>): Float64Array {
    return this.solve(b, forwardOne);
  }

  /** Lᵀ x = b (new array). */
  backward(b: ArrayLike<number>): Float64Array {
    return this.solve(b, backwardOne);
  }

  /**
   * Rows r of the m×n B solved as L xᵣ = bᵣ (new m×n array): the same results as
   * {@link solveLowerRows}(L, n, B, m), with the tiles in the wasm kernel against the resident L.
   * With `lead`, row r of B is known to be zero before column `lead[r]` and the work there is
   * skipped (same results; order the rows by lead so that blocks of four share theirs).
   */
  rows(B: ArrayLike<number>, m: number, lead?: ArrayLike<number>): Float64Array {
    const { L, n } = this;
    if (lead !== undefined && lead.length !== m) {
      throw new ValidationError(
        `FactorSolver.rows: lead has length ${lead.length}, expected m = ${m}`,
      );
    }
    const zeroLead = lead ?? false;
    const placed = n >= 8 ? residentArrays(this, n) : null;
    if (placed === null) {
      if (zeroLead === false) return solveLowerRows(L, n, B, m);
      checkSolveArgs('FactorSolver.rows', L, n, B, m);
      const X = Float64Array.from(B);
      solveRowsInPlace(L, n, X, m, zeroLead);
      return X;
    }
    if (placed.fresh) placed.L.set(L);
    return withWasmArrays([m * n], ([X]) => {
      // Placing X may have grown the memory (the resident copy is then refreshed here).
      const slot = residentArrays(this, n);
      const Xm = X as Float64Array;
      Xm.set(B);
      if (slot === null) {
        solveRowsInPlace(L, n, Xm, m, zeroLead);
      } else {
        if (slot.fresh) slot.L.set(L);
        solveRowsInPlace(slot.L, n, Xm, m, zeroLead);
      }
      return Xm.slice();
    });
  }

  private solve(
    b: ArrayLike<number>,
    f: (L: ArrayLike<number>, n: number, X: Float64Array, wasm: boolean) => void,
  ): Float64Array {
    const { L, n } = this;
    if (b.length !== n) {
      throw new ValidationError(`FactorSolver: b has length ${b.length}, expected n = ${n}`);
    }
    const slot = n >= 8 ? residentArrays(this, n) : null;
    if (slot === null) {
      const X = Float64Array.from(b);
      f(L, n, X, false);
      return X;
    }
    if (slot.fresh) slot.L.set(L);
    slot.x.set(b);
    f(slot.L, n, slot.x, true);
    return slot.x.slice();
  }
}

/**
 * L x = b in place for one right-hand side: x_i = (b_i − Σ_{k<i} L_ik x_k)/L_ii, each sum taken
 * in increasing k. Rows go four at a time: one pass over x[0, i) feeds the four running sums
 * (four independent chains instead of one, and one load of x_k for four multiply-adds); the
 * 4×4 triangle then finishes them in the same order, so every x_i is bit-identical to the
 * row-by-row loop.
 */
function forwardOne(L: ArrayLike<number>, n: number, X: Float64Array, wasm = false): void {
  const n4 = n - (n % 4);
  const S = SUMS;
  let i = 0;
  for (; i < n4; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let s0 = X[i] as number;
    let s1 = X[i + 1] as number;
    let s2 = X[i + 2] as number;
    let s3 = X[i + 3] as number;
    if (wasm) {
      // The same four chains in the SIMD kernel (L and X are views of the wasm memory).
      S[0] = s0;
      S[1] = s1;
      S[2] = s2;
      S[3] = s3;
      wasmDot4(L as Float64Array, r0, r1, r2, r3, X, i, S);
      s0 = S[0] as number;
      s1 = S[1] as number;
      s2 = S[2] as number;
      s3 = S[3] as number;
    } else {
      for (let k = 0; k < i; k++) {
        const xk = X[k] as number;
        s0 -= (L[r0 + k] as number) * xk;
        s1 -= (L[r1 + k] as number) * xk;
        s2 -= (L[r2 + k] as number) * xk;
        s3 -= (L[r3 + k] as number) * xk;
      }
    }
    const x0 = s0 / (L[r0 + i] as number);
    s1 -= (L[r1 + i] as number) * x0;
    const x1 = s1 / (L[r1 + i + 1] as number);
    s2 -= (L[r2 + i] as number) * x0;
    s2 -= (L[r2 + i + 1] as number) * x1;
    const x2 = s2 / (L[r2 + i + 2] as number);
    s3 -= (L[r3 + i] as number) * x0;
    s3 -= (L[r3 + i + 1] as number) * x1;
    s3 -= (L[r3 + i + 2] as number) * x2;
    X[i] = x0;
    X[i + 1] = x1;
    X[i + 2] = x2;
    X[i + 3] = s3 / (L[r3 + i + 3] as number);
  }
  for (; i < n; i++) {
    const r = i * n;
    let s = X[i] as number;
    for (let k = 0; k < i; k++) s -= (L[r + k] as number) * (X[k] as number);
    X[i] = s / (L[r + i] as number);
  }
}

/**
 * Lᵀ x = b in place for one right-hand side, column-oriented: for i = n−1 … 0,
 * x_i = b_i / L_ii, then b_k −= L_ik x_i for k < i (skipped when x_i = 0). Rows go four at a
 * time (i, i−1, i−2, i−3): after the 4×4 triangle, one pass applies the four updates to each
 * b_k in the same order (one load and store of b_k instead of four), so the result is
 * bit-identical to the row-by-row loop.
 */
function backwardOne(L: ArrayLike<number>, n: number, X: Float64Array, wasm = false): void {
  let i = n - 1;
  for (; i >= 3; i -= 4) {
    const ra = i * n;
    const rb = ra - n;
    const rc = rb - n;
    const rd = rc - n;
    const xa = (X[i] as number) / (L[ra + i] as number);
    X[i] = xa;
    if (xa !== 0) {
      X[i - 1] = (X[i - 1] as number) - (L[ra + i - 1] as number) * xa;
      X[i - 2] = (X[i - 2] as number) - (L[ra + i - 2] as number) * xa;
      X[i - 3] = (X[i - 3] as number) - (L[ra + i - 3] as number) * xa;
    }
    const xb = (X[i - 1] as number) / (L[rb + i - 1] as number);
    X[i - 1] = xb;
    if (xb !== 0) {
      X[i - 2] = (X[i - 2] as number) - (L[rb + i - 2] as number) * xb;
      X[i - 3] = (X[i - 3] as number) - (L[rb + i - 3] as number) * xb;
    }
    const xc = (X[i - 2] as number) / (L[rc + i - 2] as number);
    X[i - 2] = xc;
    if (xc !== 0) X[i - 3] = (X[i - 3] as number) - (L[rc + i - 3] as number) * xc;
    const xd = (X[i - 3] as number) / (L[rd + i - 3] as number);
    X[i - 3] = xd;
    const end = i - 3;
    if (xa !== 0 && xb !== 0 && xc !== 0 && xd !== 0) {
      let k = 0;
      if (wasm) {
        // Pairs of k in the SIMD kernel (same update sequence per entry), the odd one below.
        wasmAxpy4(X, L as Float64Array, ra, rb, rc, rd, xa, xb, xc, xd, end >> 1);
        k = end - (end & 1);
      }
      for (; k < end; k++) {
        X[k] =
          (X[k] as number) -
          (L[ra + k] as number) * xa -
          (L[rb + k] as number) * xb -
          (L[rc + k] as number) * xc -
          (L[rd + k] as number) * xd;
      }
    } else {
      const rows = [ra, rb, rc, rd];
      [xa, xb, xc, xd].forEach((x, t) => {
        if (x === 0) return;
        const r = rows[t] as number;
        for (let k = 0; k < end; k++) X[k] = (X[k] as number) - (L[r + k] as number) * x;
      });
    }
  }
  for (; i >= 0; i--) {
    const r = i * n;
    const xi = (X[i] as number) / (L[r + i] as number);
    X[i] = xi;
    if (xi === 0) continue;
    for (let k = 0; k < i; k++) X[k] = (X[k] as number) - (L[r + k] as number) * xi;
  }
}

/**
 * Forward substitution for right-hand sides stored as ROWS: solves L xᵣ = bᵣ for every row bᵣ of
 * the m×n row-major B (equivalently X Lᵀ = B). The natural layout when each row holds the
 * covariances of one test point with the n training points; cheaper than {@link solveLower} on
 * the transpose (contiguous dot products, register-blocked).
 *
 * @param L n×n lower triangular, row-major
 * @param B m×n, row-major (row r = one right-hand side)
 * @returns X, m×n (new array), row r = L⁻¹ bᵣ
 * @throws ValidationError on mismatched lengths; NumericsError on a zero or non-finite diagonal
 */
export function solveLowerRows(
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  m: number,
): Float64Array {
  checkSolveArgs('solveLowerRows', L, n, B, m);
  if (m < 4) {
    const X = Float64Array.from(B);
    solveRowsInPlace(L instanceof Float64Array ? L : Float64Array.from(L), n, X, m, false);
    return X;
  }
  // L and X in the wasm memory: the tiles run in the SIMD kernel.
  return withWasmArrays([n * n, m * n], ([Lw, X]) => {
    (Lw as Float64Array).set(L);
    (X as Float64Array).set(B);
    solveRowsInPlace(Lw as Float64Array, n, X as Float64Array, m, false);
    return (X as Float64Array).slice();
  });
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
    forwardOne(L, n, X);
    return X;
  }
  if (nrhs >= 4) {
    // Transpose to one right-hand side per row, solve with the blocked kernel, transpose back.
    // L and T in the wasm memory: the tiles run in the SIMD kernel.
    withWasmArrays([n * n, n * nrhs], ([Lw, T]) => {
      const Tm = T as Float64Array;
      (Lw as Float64Array).set(L);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < nrhs; c++) Tm[c * n + i] = X[i * nrhs + c] as number;
      solveRowsInPlace(Lw as Float64Array, n, Tm, nrhs, false);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < nrhs; c++) X[i * nrhs + c] = Tm[c * n + i] as number;
    });
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
  if (nrhs >= 4) {
    // Lᵀ X = B  ⇔  Xᵀ L = Bᵀ: solve row-wise against U = Lᵀ with the blocked kernel.
    // U and T in the wasm memory: the tiles run in the SIMD kernel.
    withWasmArrays([n * n, n * nrhs], ([U, T]) => {
      const Um = U as Float64Array;
      const Tm = T as Float64Array;
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) Um[j * n + i] = L[i * n + j] as number;
      for (let i = 0; i < n; i++)
        for (let c = 0; c < nrhs; c++) Tm[c * n + i] = X[i * nrhs + c] as number;
      solveRowsUpperInPlace(Um, n, Tm, nrhs);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < nrhs; c++) X[i * nrhs + c] = Tm[c * n + i] as number;
    });
    return X;
  }
  // Column-oriented: once X_i is known, subtract L_ik X_i from every earlier row k (row i of L is contiguous).
  if (nrhs === 1) {
    backwardOne(L, n, X);
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
