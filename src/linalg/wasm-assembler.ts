/**
 * The dense kernels as WebAssembly SIMD functions: the module's bytecode, assembled here (no
 * toolchain, nothing downloaded), and its instantiation. Pure: nothing runs at import; the arena
 * (./wasm-arena.ts) compiles the module on first use.
 *
 * The module exports four functions and its memory (all addresses are i32 byte addresses into
 * the memory, f64 data with stride 8):
 *
 *   tile(x0..x3, y0..y3, kLen, out)        TILE_ab = Σ_{k < kLen} X_a[k]·Y_b[k], 16 f64 at `out`
 *   tilesub(x0..x3, y0..y3, kLen, w0..w3)  W_a[b] −= TILE_ab (the Cholesky's trailing update)
 *   dot4(l0..l3, x, kLen)                  s_a −= Σ_{k < kLen} L_a[k]·x[k], s at bytes [0, 32)
 *   axpy4(x, la..ld, xa..xd, pairs)        x[k] = (((x[k] − La[k]·xa) − Lb[k]·xb) − …) − Ld[k]·xd
 *
 * The tile loads X_a[k] splatted into both lanes of a v128 and (Y_0[k], Y_1[k]),
 * (Y_2[k], Y_3[k]) into two v128, and does 8 f64x2 multiplies and 8 f64x2 adds into 8 v128
 * accumulators: lane b of accumulator (a, b/2) accumulates X_a[k]·Y_b[k] over k in increasing
 * order, a rounded multiply then a rounded add (no fused multiply-add), exactly as the scalar
 * loop of tile-kernel.ts does. Likewise each lane of dot4 is one row's chain of the forward
 * substitution, and each lane of axpy4 one entry's sequence of updates in the back substitution.
 * So the kernels give bit-identical results to the JavaScript loops; the vector form does two
 * numbers per instruction and skips the bounds checks of typed-array accesses (wasm memory
 * accesses are guarded by the address space).
 */

/** Byte address of the 16-number tile result (and of dot4's four sums) in the wasm memory. */
export const OUT = 0;

/** Unsigned LEB128. */
export function uleb(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Opcodes (WebAssembly core 2.0 and the fixed-width SIMD proposal).
const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_LT_S = 0x48;
const I32_GE_S = 0x4e;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const F64X2_SPLAT = 0x14;
const V128_LOAD64_SPLAT = 0x0a;
const V128_LOAD64_ZERO = 0x5d;
const V128_LOAD64_LANE = 0x57;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;

/** memarg: alignment exponent (3: 8 bytes) and offset. */
const mem = (offset = 0): number[] => [3, ...uleb(offset)];
const simd = (op: number): number[] => [SIMD, ...uleb(op)];

const get = (i: number): number[] => [LOCAL_GET, i];
const set = (i: number): number[] => [LOCAL_SET, i];
/** local p + local o (a row address plus the running byte offset). */
const addr = (p: number, o: number): number[] => [...get(p), ...get(o), I32_ADD];
/** (Row p[k], row q[k]) as one v128, from the byte offset in local o. */
const lanePair = (p: number, q: number, o: number): number[] => [
  ...addr(q, o),
  ...addr(p, o),
  ...simd(V128_LOAD64_ZERO),
  ...mem(),
  ...simd(V128_LOAD64_LANE),
  ...mem(),
  1,
];
/** `lim = count · 8 (local c)`, then `block; if o >= lim skip; loop`. */
const loopHead = (c: number, o: number): number[] => [
  ...get(c),
  I32_CONST,
  3,
  I32_SHL,
  ...set(c),
  BLOCK,
  VOID,
  ...get(o),
  ...get(c),
  I32_GE_S,
  BR_IF,
  0,
  LOOP,
  VOID,
];
/** `o += step; loop while o < lim; end loop; end block`. */
const loopTail = (c: number, o: number, step: number): number[] => [
  ...get(o),
  I32_CONST,
  step,
  I32_ADD,
  LOCAL_TEE,
  o,
  ...get(c),
  I32_LT_S,
  BR_IF,
  0,
  END,
  END,
];

/**
 * The tile's loop, for a function whose first 9 parameters are x0..x3, y0..y3, kLen and whose
 * locals start at `first`: first = o; first+1..first+8 the accumulators acc[a][h] (row a of X;
 * h = 0 for columns (0, 1), 1 for (2, 3)); first+9, first+10 = (Y0, Y1), (Y2, Y3); first+11 = X_a
 * splatted. Returns the code and acc.
 */
function tileLoop(first: number): { code: number[]; acc: (a: number, h: number) => number } {
  const O = first;
  const acc = (a: number, h: number) => first + 1 + 2 * a + h;
  const [Y01, Y23, XA] = [first + 9, first + 10, first + 11];
  const code = [...loopHead(8, O), ...lanePair(4, 5, O), ...set(Y01)];
  code.push(...lanePair(6, 7, O), ...set(Y23));
  for (let a = 0; a < 4; a++) {
    code.push(...addr(a, O), ...simd(V128_LOAD64_SPLAT), ...mem(), ...set(XA));
    for (let h = 0; h < 2; h++) {
      // acc[a][h] = acc[a][h] + X_a · (Y01 | Y23)
      code.push(...get(acc(a, h)), ...get(XA), ...get(h === 0 ? Y01 : Y23));
      code.push(...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(acc(a, h)));
    }
  }
  code.push(...loopTail(8, O, 8));
  return { code, acc };
}

/** tile(x0..x3, y0..y3, kLen, out): the 4×4 tile (module comment), stored at `out` (param 9). */
function tileCode(): number[] {
  const { code, acc } = tileLoop(10);
  for (let a = 0; a < 4; a++) {
    for (let h = 0; h < 2; h++) {
      code.push(...get(9), ...get(acc(a, h)), ...simd(V128_STORE), ...mem(32 * a + 16 * h));
    }
  }
  return [2, 1, I32, 11, V128, ...code, END];
}

/**
 * tilesub(x0..x3, y0..y3, kLen, w0..w3): the tile, then W_a[b] = W_a[b] − TILE_ab for the four
 * rows at byte addresses w0..w3 (params 9..12, columns b = 0..3): the trailing update of the
 * Cholesky without the round trip of the tile through JavaScript.
 */
function tileSubCode(): number[] {
  const { code, acc } = tileLoop(13);
  for (let a = 0; a < 4; a++) {
    for (let h = 0; h < 2; h++) {
      // W_a[2h, 2h+1] = W_a[2h, 2h+1] − acc[a][h]
      code.push(...get(9 + a), ...get(9 + a), ...simd(V128_LOAD), ...mem(16 * h));
      code.push(...get(acc(a, h)), ...simd(F64X2_SUB), ...simd(V128_STORE), ...mem(16 * h));
    }
  }
  return [2, 1, I32, 11, V128, ...code, END];
}

/**
 * dot4(l0..l3, x, kLen): s_a = s_a − L_a[k]·x[k] for k < kLen in increasing order, the four
 * running sums s_0..s_3 read from and written back to bytes [0, 32). Lanes (s0, s1), (s2, s3):
 * each lane is the scalar chain of the row-by-row forward substitution. Locals: 6 = o;
 * 7, 8 = (s0, s1), (s2, s3); 9 = x[k] splatted.
 */
function dot4Code(): number[] {
  const O = 6;
  const [S01, S23, XK] = [7, 8, 9];
  const body = [I32_CONST, 0, ...simd(V128_LOAD), ...mem(OUT), ...set(S01)];
  body.push(I32_CONST, 0, ...simd(V128_LOAD), ...mem(OUT + 16), ...set(S23));
  body.push(...loopHead(5, O), ...addr(4, O), ...simd(V128_LOAD64_SPLAT), ...mem(), ...set(XK));
  body.push(...get(S01), ...lanePair(0, 1, O), ...get(XK), ...simd(F64X2_MUL));
  body.push(...simd(F64X2_SUB), ...set(S01));
  body.push(...get(S23), ...lanePair(2, 3, O), ...get(XK), ...simd(F64X2_MUL));
  body.push(...simd(F64X2_SUB), ...set(S23));
  body.push(...loopTail(5, O, 8));
  body.push(I32_CONST, 0, ...get(S01), ...simd(V128_STORE), ...mem(OUT));
  body.push(I32_CONST, 0, ...get(S23), ...simd(V128_STORE), ...mem(OUT + 16));
  return [2, 1, I32, 3, V128, ...body, END];
}

/**
 * axpy4(x, la, lb, lc, ld, xa, xb, xc, xd, pairs): for k < 2·pairs,
 * x[k] = (((x[k] − La[k]·xa) − Lb[k]·xb) − Lc[k]·xc) − Ld[k]·xd, two k per instruction (each
 * lane is the scalar update sequence of the column-oriented back substitution). Params 0..4
 * addresses, 5..8 f64, 9 = pairs. Locals: 10 = o; 11..14 = xa..xd splatted; 15 = the x pair.
 */
function axpy4Code(): number[] {
  const O = 10;
  const V = 15;
  const body: number[] = [];
  for (let t = 0; t < 4; t++) body.push(...get(5 + t), ...simd(F64X2_SPLAT), ...set(11 + t));
  body.push(...get(9), I32_CONST, 1, I32_SHL, ...set(9)); // pairs → doubles
  body.push(...loopHead(9, O), ...addr(0, O), ...simd(V128_LOAD), ...mem(), ...set(V));
  for (let t = 0; t < 4; t++) {
    body.push(...get(V), ...addr(1 + t, O), ...simd(V128_LOAD), ...mem(), ...get(11 + t));
    body.push(...simd(F64X2_MUL), ...simd(F64X2_SUB), ...set(V));
  }
  body.push(...addr(0, O), ...get(V), ...simd(V128_STORE), ...mem());
  body.push(...loopTail(9, O, 16));
  return [2, 1, I32, 5, V128, ...body, END];
}

/** The module's bytes: functions tile, dot4, axpy4, tilesub and the memory, exported. */
export function moduleBytes(): Uint8Array {
  const i32s = (k: number) => new Array<number>(k).fill(I32);
  const types = [
    [0x60, 10, ...i32s(10), 0], // tile
    [0x60, 6, ...i32s(6), 0], // dot4
    [0x60, 10, ...i32s(5), F64, F64, F64, F64, I32, 0], // axpy4
    [0x60, 13, ...i32s(13), 0], // tilesub
  ];
  const codes = [tileCode(), dot4Code(), axpy4Code(), tileSubCode()];
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const exports = [
    ...[5, ...name('tile'), 0x00, 0],
    ...[...name('dot4'), 0x00, 1],
    ...[...name('axpy4'), 0x00, 2],
    ...[...name('tilesub'), 0x00, 3],
    ...[...name('mem'), 0x02, 0],
  ];
  return Uint8Array.from([
    ...header,
    ...section(1, [types.length, ...types.flat()]), // types
    ...section(3, [codes.length, 0, 1, 2, 3]), // function i has type i
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page, no maximum
    ...section(7, exports),
    ...section(10, [codes.length, ...codes.flatMap((c) => [...uleb(c.length), ...c])]), // code
  ]);
}

export type TileFn = (
  x0: number,
  x1: number,
  x2: number,
  x3: number,
  y0: number,
  y1: number,
  y2: number,
  y3: number,
  kLen: number,
  out: number,
) => void;

/** The part of the WebAssembly JS API used here (the project's lib has no DOM/wasm typings). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

export type Dot4Fn = (
  l0: number,
  l1: number,
  l2: number,
  l3: number,
  x: number,
  kLen: number,
) => void;
export type Axpy4Fn = (
  x: number,
  la: number,
  lb: number,
  lc: number,
  ld: number,
  xa: number,
  xb: number,
  xc: number,
  xd: number,
  pairs: number,
) => void;

export type TileSubFn = (
  x0: number,
  x1: number,
  x2: number,
  x3: number,
  y0: number,
  y1: number,
  y2: number,
  y3: number,
  kLen: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
) => void;

/** The compiled module's exports. */
export interface Kernel {
  readonly tile: TileFn;
  readonly tilesub: TileSubFn;
  readonly dot4: Dot4Fn;
  readonly axpy4: Axpy4Fn;
  readonly memory: WasmMemory;
}

/**
 * Compiles and instantiates the module: null when this platform has no WebAssembly or no SIMD
 * (the callers then keep to the scalar JavaScript loops).
 */
export function instantiateKernel(): Kernel | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return null;
  try {
    const bytes = moduleBytes();
    if (!wa.validate(bytes)) return null;
    const inst = new wa.Instance(new wa.Module(bytes), {});
    const ex = inst.exports;
    return {
      tile: ex.tile as TileFn,
      tilesub: ex.tilesub as TileSubFn,
      dot4: ex.dot4 as Dot4Fn,
      axpy4: ex.axpy4 as Axpy4Fn,
      memory: ex.mem as WasmMemory,
    };
  } catch {
    return null;
  }
}
