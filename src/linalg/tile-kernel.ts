/**
 * The register-blocked micro-kernel shared by the Cholesky factorisation and the triangular
 * solves (internal; not exported from the linalg door).
 *
 * Notation: X, Y row-major matrices; r0..r3 and q0..q3 offsets of four rows of X and four rows of
 * Y; TILE the 4×4 result, row-major (TILE[4a + b]).
 *
 *   TILE_ab = Σ_{k ∈ [k0, k1)} X[r_a + k] · Y[q_b + k]
 *
 * Each step of the loop loads 8 numbers and does 16 multiply-adds in 16 local accumulators (the
 * naive dot product loads 2 per multiply-add), which is what makes the blocked algorithms several
 * times faster in V8. Rows past the end of a block may alias a valid row; callers ignore those
 * results. When both matrices are views of the wasm memory (wasm-arena.ts) the tile runs in the
 * SIMD kernel there (byte addresses: view offset + 8 · index), with bit-identical results.
 */

import { wasmBuffer, wasmTileKernel } from './wasm-arena.ts';
import { OUT } from './wasm-assembler.ts';

/** Result of the last {@link tile4x4} call (module-level scratch: no allocation per tile). */
export const TILE = new Float64Array(16);

/** TILE_ab = Σ_{k ∈ [k0, k1)} X[r_a + k] Y[q_b + k], a, b = 0..3. */
export function tile4x4(
  X: Float64Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  Y: Float64Array,
  q0: number,
  q1: number,
  q2: number,
  q3: number,
  k0: number,
  k1: number,
): void {
  // Both operands in the wasm memory (see withWasmArrays): the SIMD kernel, same results.
  const wb = wasmBuffer();
  if (wb !== null && X.buffer === wb && Y.buffer === wb) {
    const w = wasmTileKernel();
    const bx = X.byteOffset + 8 * k0;
    const by = Y.byteOffset + 8 * k0;
    const n = k1 - k0;
    w.kernel.tile(
      bx + 8 * r0,
      bx + 8 * r1,
      bx + 8 * r2,
      bx + 8 * r3,
      by + 8 * q0,
      by + 8 * q1,
      by + 8 * q2,
      by + 8 * q3,
      n,
      OUT,
    );
    // 16 scalar copies: cheaper than TILE.set(result) for so few numbers.
    const r = w.result;
    TILE[0] = r[0] as number;
    TILE[1] = r[1] as number;
    TILE[2] = r[2] as number;
    TILE[3] = r[3] as number;
    TILE[4] = r[4] as number;
    TILE[5] = r[5] as number;
    TILE[6] = r[6] as number;
    TILE[7] = r[7] as number;
    TILE[8] = r[8] as number;
    TILE[9] = r[9] as number;
    TILE[10] = r[10] as number;
    TILE[11] = r[11] as number;
    TILE[12] = r[12] as number;
    TILE[13] = r[13] as number;
    TILE[14] = r[14] as number;
    TILE[15] = r[15] as number;
    return;
  }
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s10 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  let s20 = 0;
  let s21 = 0;
  let s22 = 0;
  let s23 = 0;
  let s30 = 0;
  let s31 = 0;
  let s32 = 0;
  let s33 = 0;
  for (let k = k0; k < k1; k++) {
    const x0 = X[r0 + k] as number;
    const x1 = X[r1 + k] as number;
    const x2 = X[r2 + k] as number;
    const x3 = X[r3 + k] as number;
    const y0 = Y[q0 + k] as number;
    const y1 = Y[q1 + k] as number;
    const y2 = Y[q2 + k] as number;
    const y3 = Y[q3 + k] as number;
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    s10 += x1 * y0;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
    s20 += x2 * y0;
    s21 += x2 * y1;
    s22 += x2 * y2;
    s23 += x2 * y3;
    s30 += x3 * y0;
    s31 += x3 * y1;
    s32 += x3 * y2;
    s33 += x3 * y3;
  }
  TILE[0] = s00;
  TILE[1] = s01;
  TILE[2] = s02;
  TILE[3] = s03;
  TILE[4] = s10;
  TILE[5] = s11;
  TILE[6] = s12;
  TILE[7] = s13;
  TILE[8] = s20;
  TILE[9] = s21;
  TILE[10] = s22;
  TILE[11] = s23;
  TILE[12] = s30;
  TILE[13] = s31;
  TILE[14] = s32;
  TILE[15] = s33;
}
