/**
 * The wasm kernels' linear memory as an arena, and the calls into the kernels
 * (./wasm-assembler.ts builds and compiles the module).
 *
 * Nothing happens at import: the module is compiled (and warmed up) on the first call that needs
 * it ({@link withWasmArrays}, {@link residentArrays}), or by an explicit {@link initWasm}. The
 * arena's bookkeeping is private to this file; callers learn whether a view lives in the wasm
 * memory from {@link wasmBuffer}.
 *
 * Memory layout: bytes [0, 128) the tile result (and dot4's sums); then the resident slot (one
 * factor kept across calls for {@link residentArrays}); then the scoped arena
 * ({@link withWasmArrays}, bump-allocated, freed when the callback returns), where the blocked
 * algorithms place their working matrices so that the kernel can read them. The memory grows to
 * the largest working set seen and is kept for the life of the thread: at n = 2,000 about
 * 4·n² numbers (128 MB) for the likelihood's inverse plus a resident factor.
 */

import { instantiateKernel, type Kernel, OUT } from './wasm-assembler.ts';

/** First byte of the arena (after the tile result, 64-byte aligned). */
const ARENA_START = 128;
const PAGE = 65536;

/** The arena of this thread, created by the first {@link initWasm} (explicit or on first use). */
interface Arena {
  /** The compiled kernel; null where this platform cannot compile it. */
  readonly kernel: Kernel | null;
  /** Off: every allocation falls back to ordinary arrays (the scalar loops). */
  enabled: boolean;
  /** The buffer that views of the wasm memory share; replaced when the memory grows. */
  buffer: ArrayBufferLike | null;
  /** The 16-number tile result (a view of the memory at OUT). */
  result: Float64Array;
  /** Start of the scoped arena: after the resident slot (see {@link residentArrays}). */
  arenaStart: number;
  /** The bump pointer of the scoped arena. */
  top: number;
  /** The resident slot: one n×n factor and an n-vector, and who they belong to. */
  resident: { owner: object; n: number; L: Float64Array; x: Float64Array } | null;
}

/** An arena whose kernel compiled. */
type LiveArena = Arena & { readonly kernel: Kernel };

let arena: Arena | null = null;

/** Options of {@link initWasm}. */
export interface WasmOptions {
  /**
   * Use the SIMD kernels (default: on, unless `MIXOPT_WASM=0` is in the environment when the
   * arena is first created). Off keeps every tile in the scalar JavaScript loop; results are the
   * same either way (tests and benchmarks switch it to compare).
   */
  readonly enabled?: boolean;
}

function envEnabled(): boolean {
  return (
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
      ?.MIXOPT_WASM !== '0'
  );
}

/**
 * V8 first runs wasm in its baseline compiler and tiers a function up to the optimising one after
 * enough work; a few calls on zeroed memory (about a millisecond) make the first real
 * factorisations run at full speed.
 */
function warmUp(k: Kernel): void {
  for (let i = 0; i < 400; i++) {
    k.tile(128, 128, 128, 128, 128, 128, 128, 128, 256, OUT);
    k.tilesub(128, 128, 128, 128, 128, 128, 128, 128, 256, 4096, 4096, 4096, 4096);
    k.dot4(128, 128, 128, 128, 128, 256);
    k.axpy4(4096, 128, 128, 128, 128, 0, 0, 0, 0, 128);
  }
}

function createArena(enabled: boolean): Arena {
  const kernel = instantiateKernel();
  if (kernel !== null) warmUp(kernel);
  return {
    kernel,
    enabled,
    buffer: kernel === null ? null : kernel.memory.buffer,
    result:
      kernel === null ? new Float64Array(16) : new Float64Array(kernel.memory.buffer, OUT, 16),
    arenaStart: ARENA_START,
    top: ARENA_START,
    resident: null,
  };
}

/**
 * Compiles the kernels for this thread (once; later calls only apply `options`) and says whether
 * they are in use: true when they compiled and are enabled. Optional: the first allocation does
 * it with the default options.
 */
export function initWasm(options: WasmOptions = {}): boolean {
  if (arena === null) arena = createArena(options.enabled ?? envEnabled());
  else if (options.enabled !== undefined) arena.enabled = options.enabled;
  return arena.kernel !== null && arena.enabled;
}

/** Whether the SIMD kernel compiles on this platform (compiles it on the first call). */
export function wasmAvailable(): boolean {
  initWasm();
  return (arena as Arena).kernel !== null;
}

/**
 * The buffer that views of the wasm memory share, or null (no kernel, or not compiled yet):
 * {@link tile4x4} takes the wasm path when both operands are views of it.
 */
export function wasmBuffer(): ArrayBufferLike | null {
  return arena === null ? null : arena.buffer;
}

/** The arena with a usable kernel, or null when the kernel is unavailable or disabled. */
function live(): LiveArena | null {
  initWasm();
  const a = arena as Arena;
  return a.kernel !== null && a.enabled ? (a as LiveArena) : null;
}

/**
 * Grows the memory to at least `end` bytes; false when it cannot, or when it would have to
 * while views are live (`live`: growing detaches them).
 */
function ensureBytes(a: LiveArena, end: number, live: boolean): boolean {
  const k = a.kernel;
  const have = k.memory.buffer.byteLength;
  if (end <= have) return true;
  if (live) return false;
  try {
    k.memory.grow(Math.ceil((end - have) / PAGE));
  } catch {
    return false;
  }
  a.buffer = k.memory.buffer;
  a.result = new Float64Array(k.memory.buffer, OUT, 16);
  a.resident = null;
  return true;
}

/**
 * Views of the resident slot for `owner`'s n×n factor and an n-vector, between the tile result
 * and the scoped arena, so that the factor stays in the wasm memory across calls (it is only
 * replaced when another owner asks). `fresh` says the factor must be copied in. Null when the
 * kernel is unavailable or disabled, or when the slot must move while scoped arrays are live.
 */
export function residentArrays(
  owner: object,
  n: number,
): { L: Float64Array; x: Float64Array; fresh: boolean } | null {
  const a = live();
  if (a === null) return null;
  const resident = a.resident;
  if (resident !== null && resident.owner === owner && resident.n === n) {
    return { L: resident.L, x: resident.x, fresh: false };
  }
  const lBytes = ((8 * n * n + 63) & ~63) >>> 0;
  const need = ARENA_START + lBytes + ((8 * n + 63) & ~63);
  if (need > a.arenaStart) {
    if (a.top !== a.arenaStart || !ensureBytes(a, need, false)) return null;
    a.arenaStart = need;
    a.top = need;
  }
  const buf = a.kernel.memory.buffer;
  a.resident = {
    owner,
    n,
    L: new Float64Array(buf, ARENA_START, n * n),
    x: new Float64Array(buf, ARENA_START + lBytes, n),
  };
  return { L: a.resident.L, x: a.resident.x, fresh: true };
}

/**
 * Zeroed views of the given lengths in the wasm memory, or null when the kernel is unavailable or
 * disabled, or when the memory would have to grow while views from an enclosing
 * {@link withWasmArrays} are live (growing detaches them). Bump allocation from `top`.
 */
function alloc(a: LiveArena, lengths: readonly number[]): Float64Array[] | null {
  const starts: number[] = [];
  let end = a.top;
  for (const len of lengths) {
    starts.push(end);
    end = (end + 8 * len + 63) & ~63;
  }
  if (!ensureBytes(a, end, a.top !== a.arenaStart)) return null;
  a.top = end;
  return lengths.map((len, i) => {
    const v = new Float64Array(a.kernel.memory.buffer, starts[i] as number, len);
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
  const a = live();
  const mark = a === null ? 0 : a.top;
  const views = a === null ? null : alloc(a, lengths);
  if (a === null || views === null) return f(lengths.map((len) => new Float64Array(len)));
  try {
    return f(views);
  } finally {
    a.top = mark;
  }
}

/** The compiled kernel (the wrappers below run only on views that {@link withWasmArrays} or {@link residentArrays} handed out, so it exists). */
function k(): Kernel {
  return (arena as Arena).kernel as Kernel;
}

/**
 * The compiled kernel and the view of its 16-number tile result (bytes [OUT, OUT + 128) of its
 * memory), for {@link tile4x4}'s wasm path: call only on views that {@link wasmBuffer} owns.
 */
export function wasmTileKernel(): { readonly kernel: Kernel; readonly result: Float64Array } {
  // The arena itself (read-only to the caller): no allocation per tile.
  return arena as LiveArena;
}

/**
 * W[w_a + b] −= Σ_{k ∈ [k0, k1)} W[r_a + k]·W[q_b + k] for a, b = 0..3, in the wasm kernel (W a
 * view of its memory; offsets in numbers): {@link tile4x4}'s wasm path followed by the subtraction,
 * the same operations.
 */
export function wasmTileSub(
  W: Float64Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  q0: number,
  q1: number,
  q2: number,
  q3: number,
  k0: number,
  k1: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): void {
  const b = W.byteOffset;
  const bk = b + 8 * k0;
  k().tilesub(
    bk + 8 * r0,
    bk + 8 * r1,
    bk + 8 * r2,
    bk + 8 * r3,
    bk + 8 * q0,
    bk + 8 * q1,
    bk + 8 * q2,
    bk + 8 * q3,
    k1 - k0,
    b + 8 * w0,
    b + 8 * w1,
    b + 8 * w2,
    b + 8 * w3,
  );
}

/** `s_a −= Σ_{k<kLen} L_a[k]·x[k]` for four rows of the view L (offsets in numbers); see dot4Code. */
export function wasmDot4(
  L: Float64Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  x: Float64Array,
  kLen: number,
  s: Float64Array,
): void {
  const result = (arena as Arena).result;
  result[0] = s[0] as number;
  result[1] = s[1] as number;
  result[2] = s[2] as number;
  result[3] = s[3] as number;
  const b = L.byteOffset;
  k().dot4(b + 8 * r0, b + 8 * r1, b + 8 * r2, b + 8 * r3, x.byteOffset, kLen);
  s[0] = result[0] as number;
  s[1] = result[1] as number;
  s[2] = result[2] as number;
  s[3] = result[3] as number;
}

/**
 * x[k] = (((x[k] − L[ra+k]·xa) − L[rb+k]·xb) − L[rc+k]·xc) − L[rd+k]·xd for k < 2·pairs
 * (views of the wasm memory; row offsets in numbers); see axpy4Code.
 */
export function wasmAxpy4(
  x: Float64Array,
  L: Float64Array,
  ra: number,
  rb: number,
  rc: number,
  rd: number,
  xa: number,
  xb: number,
  xc: number,
  xd: number,
  pairs: number,
): void {
  const b = L.byteOffset;
  k().axpy4(x.byteOffset, b + 8 * ra, b + 8 * rb, b + 8 * rc, b + 8 * rd, xa, xb, xc, xd, pairs);
}
