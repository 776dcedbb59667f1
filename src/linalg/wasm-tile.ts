/**
 * The 4×4 tile of tile-kernel.ts as a WebAssembly SIMD function, and the linear memory it reads.
 *
 * The module is assembled here from its bytecode (about 300 bytes; no toolchain, nothing
 * downloaded) and compiled once per thread. It exports one function and its memory:
 *
 *   tile(x0, x1, x2, x3, y0, y1, y2, y3, kLen, out)     (all i32 byte addresses / counts)
 *     TILE_ab = Σ_{k < kLen} X_a[k] · Y_b[k],  X_a at byte address x_a, Y_b at y_b (f64, stride 8)
 *     written row-major (16 f64) at `out`.
 *
 * Each step loads X_a[k] splatted into both lanes of a v128 and (Y_0[k], Y_1[k]),
 * (Y_2[k], Y_3[k]) into two v128, and does 8 f64x2 multiplies and 8 f64x2 adds into 8 v128
 * accumulators: lane b of accumulator (a, b/2) accumulates X_a[k]·Y_b[k] over k in increasing
 * order, a rounded multiply then a rounded add (no fused multiply-add), exactly as the scalar
 * loop of tile-kernel.ts does. So the two give bit-identical results; the vector form does two
 * tile entries per instruction and skips the bounds checks of typed-array accesses (wasm
 * memory accesses are guarded by the address space).
 *
 * The blocked algorithms place their working matrices in the memory ({@link withWasmArrays}, a
 * bump arena freed when the callback returns) so that the kernel can read them; bytes [0, 128)
 * hold the tile result. The memory grows to the largest working set seen and is kept (per
 * thread): about 2·n² numbers for an n×n inverse, 64 MiB at n = 2,000.
 */

/** Byte address of the 16-number tile result in the wasm memory. */
const OUT = 0;
/** First byte of the arena (after the tile result, 64-byte aligned). */
const ARENA_START = 128;
const PAGE = 65536;

/** Unsigned LEB128. */
function uleb(v: number): number[] {
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
const V128_STORE = 0x0b;
const V128_LOAD64_SPLAT = 0x0a;
const V128_LOAD64_ZERO = 0x5d;
const V128_LOAD64_LANE = 0x57;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;

/** memarg: alignment exponent (3: 8 bytes) and offset. */
const mem = (offset = 0): number[] => [3, ...uleb(offset)];
const simd = (op: number): number[] => [SIMD, ...uleb(op)];

/** The module's bytes. */
function moduleBytes(): Uint8Array {
  // Parameters 0..7: row addresses x0..x3, y0..y3; 8: kLen; 9: out.
  // Locals: 10 = o (byte offset into the rows); 11..18 = accumulators acc[a][h] (a = row of X,
  // h = 0 for columns (0, 1), 1 for (2, 3)) at 11 + 2a + h; 19, 20 = (Y0, Y1), (Y2, Y3); 21 = X_a.
  const O = 10;
  const LIM = 8;
  const acc = (a: number, h: number) => 11 + 2 * a + h;
  const Y01 = 19;
  const Y23 = 20;
  const XA = 21;
  const get = (i: number): number[] => [LOCAL_GET, i];
  const set = (i: number): number[] => [LOCAL_SET, i];
  const addr = (p: number): number[] => [...get(p), ...get(O), I32_ADD];
  /** (Y_p[k], Y_q[k]) */
  const pair = (p: number, q: number): number[] => [
    ...addr(q),
    ...addr(p),
    ...simd(V128_LOAD64_ZERO),
    ...mem(),
    ...simd(V128_LOAD64_LANE),
    ...mem(),
    1,
  ];
  const body: number[] = [];
  // lim = kLen · 8; if o >= lim skip the loop
  body.push(...get(LIM), I32_CONST, 3, I32_SHL, ...set(LIM));
  body.push(BLOCK, VOID, ...get(O), ...get(LIM), I32_GE_S, BR_IF, 0, LOOP, VOID);
  body.push(...pair(4, 5), ...set(Y01), ...pair(6, 7), ...set(Y23));
  for (let a = 0; a < 4; a++) {
    body.push(...addr(a), ...simd(V128_LOAD64_SPLAT), ...mem(), ...set(XA));
    for (let h = 0; h < 2; h++) {
      // acc[a][h] = acc[a][h] + X_a · (Y01 | Y23)
      body.push(...get(acc(a, h)), ...get(XA), ...get(h === 0 ? Y01 : Y23));
      body.push(...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(acc(a, h)));
    }
  }
  // o += 8; loop while o < lim
  body.push(...get(O), I32_CONST, 8, I32_ADD, LOCAL_TEE, O, ...get(LIM), I32_LT_S, BR_IF, 0);
  body.push(END, END); // loop, block
  for (let a = 0; a < 4; a++) {
    for (let h = 0; h < 2; h++) {
      body.push(...get(9), ...get(acc(a, h)), ...simd(V128_STORE), ...mem(32 * a + 16 * h));
    }
  }
  body.push(END);
  // Local declarations: 1 i32, then 11 v128.
  const code = [2, 1, I32, 11, V128, ...body];
  const funcType = [0x60, 10, ...new Array<number>(10).fill(I32), 0];
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return Uint8Array.from([
    ...header,
    ...section(1, [1, ...funcType]), // types
    ...section(3, [1, 0]), // functions
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page, no maximum
    ...section(7, [2, ...name('tile'), 0x00, 0, ...name('mem'), 0x02, 0]), // exports
    ...section(10, [1, ...uleb(code.length), ...code]), // code
  ]);
}

type TileFn = (
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
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

interface Kernel {
  readonly tile: TileFn;
  readonly memory: WasmMemory;
}

function instantiate(): Kernel | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return null;
  try {
    const bytes = moduleBytes();
    if (!wa.validate(bytes)) return null;
    const inst = new wa.Instance(new wa.Module(bytes), {});
    return { tile: inst.exports.tile as TileFn, memory: inst.exports.mem as WasmMemory };
  } catch {
    return null;
  }
}

/**
 * Switch (tests and benchmarks only): `MIXOPT_WASM=0` in the environment, or `WASM_TUNING.enabled
 * = false`, keeps every tile in the scalar JavaScript loop. Results are the same either way.
 * @internal
 */
export const WASM_TUNING = {
  enabled:
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
      ?.MIXOPT_WASM !== '0',
};

const kernel = instantiate();

/** Whether the SIMD kernel compiled on this platform. */
export const wasmAvailable = kernel !== null;

let top = ARENA_START;
let result: Float64Array =
  kernel === null ? new Float64Array(16) : new Float64Array(kernel.memory.buffer, OUT, 16);

/**
 * The buffer that views of the wasm memory share (null without the kernel): {@link tile4x4}
 * takes the wasm path when both operands are views of it. Replaced when the memory grows.
 * @internal
 */
export const WASM_STATE: { buffer: ArrayBufferLike | null } = {
  buffer: kernel === null ? null : kernel.memory.buffer,
};

/**
 * Zeroed views of the given lengths in the wasm memory, or null when the kernel is unavailable or
 * disabled, or when the memory would have to grow while views from an enclosing
 * {@link withWasmArrays} are live (growing detaches them). Bump allocation from `top`.
 */
function alloc(lengths: readonly number[]): Float64Array[] | null {
  if (kernel === null || !WASM_TUNING.enabled) return null;
  const starts: number[] = [];
  let end = top;
  for (const len of lengths) {
    starts.push(end);
    end = (end + 8 * len + 63) & ~63;
  }
  const have = kernel.memory.buffer.byteLength;
  if (end > have) {
    if (top !== ARENA_START) return null;
    try {
      kernel.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      return null;
    }
    WASM_STATE.buffer = kernel.memory.buffer;
    result = new Float64Array(kernel.memory.buffer, OUT, 16);
  }
  top = end;
  return lengths.map((len, i) => {
    const v = new Float64Array(kernel.memory.buffer, starts[i] as number, len);
    v.fill(0);
    return v;
  });
}

/**
 * Runs `f` with zeroed arrays of the given lengths placed in the wasm memory, so that the tiles
 * on them run in the SIMD kernel; they are freed when `f` returns (copy out what must outlive
 * it). Falls back to ordinary arrays (the scalar loop) when the kernel is unavailable or
 * disabled, or when the arrays do not fit; the results are the same either way.
 */
export function withWasmArrays<T>(lengths: readonly number[], f: (arrays: Float64Array[]) => T): T {
  const mark = top;
  const views = alloc(lengths);
  if (views === null) return f(lengths.map((len) => new Float64Array(len)));
  try {
    return f(views);
  } finally {
    top = mark;
  }
}

/**
 * The tile on two views of the wasm memory (see the module comment); the 16 results are copied
 * into `into`. Offsets are in numbers from the start of each view.
 */
export function wasmTile4x4(
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
  into: Float64Array,
): void {
  const bx = X.byteOffset + 8 * k0;
  const by = Y.byteOffset + 8 * k0;
  (kernel as Kernel).tile(
    bx + 8 * r0,
    bx + 8 * r1,
    bx + 8 * r2,
    bx + 8 * r3,
    by + 8 * q0,
    by + 8 * q1,
    by + 8 * q2,
    by + 8 * q3,
    k1 - k0,
    OUT,
  );
  into.set(result);
}
