/**
 * The physical limit for mixopt's Cholesky on this machine: the best
 * multiply-add rate a JavaScript loop reaches here, next to `cholesky`'s rate,
 * measured in one process under the same load.
 *
 * - `register loop`: 8 independent chains `a_j = a_j * x + y` (no memory traffic;
 *   V8 emits scalar mulsd + addsd, no SIMD, no fused multiply-add): 2 flops per step;
 * - `dot loop`: `s += u[i] * v[i]` over two L1-resident Float64Arrays of 512,
 *   4 accumulators (the inner loop of a Cholesky tile): 2 flops per element;
 * - `4x4 tile loop`: 16 accumulators, a 4x4 block of dot products over rows of
 *   length 512 (the scalar register tile): 32 flops per k;
 * - `wasm SIMD 4x4 tile loop`: the same tile in the WebAssembly SIMD kernel
 *   (src/linalg/wasm-tile.ts) on rows in its memory: the tile `cholesky` runs;
 * - `cholesky(n)`: the blocked factorisation, counted as n^3/3 flops.
 * GFLOP/s from the median CPU time (user + system) over `--repeats`.
 *
 * Usage: node --import tsx bench/perf-peak.ts [--repeats 7] [--n 1000,2000]
 */
import { cpus, loadavg } from 'node:os';
import { Rng } from '../src/core/index.ts';
import { cholesky, withWasmArrays } from '../src/linalg/index.ts';
import { TILE, tile4x4 } from '../src/linalg/tile-kernel.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const repeats = Number(opt('repeats', '7'));
const sizes = opt('n', '1000,2000').split(',').map(Number);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median CPU and wall seconds of `f` over `r` repeats, after one warm-up call. */
function time(f: () => number, r: number): { cpu: number; wall: number; sink: number } {
  let sink = f();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < r; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sink += f();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { cpu: median(cpu), wall: median(wall), sink };
}

function registerLoop(iters: number): number {
  let a0 = 1;
  let a1 = 1.1;
  let a2 = 1.2;
  let a3 = 1.3;
  let a4 = 1.4;
  let a5 = 1.5;
  let a6 = 1.6;
  let a7 = 1.7;
  const x = 0.999999;
  const y = 1e-7;
  for (let i = 0; i < iters; i++) {
    a0 = a0 * x + y;
    a1 = a1 * x + y;
    a2 = a2 * x + y;
    a3 = a3 * x + y;
    a4 = a4 * x + y;
    a5 = a5 * x + y;
    a6 = a6 * x + y;
    a7 = a7 * x + y;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}

const L = 512;
const rng = new Rng(1);
const U = new Float64Array(4 * L).map(() => rng.normal());
const V = new Float64Array(4 * L).map(() => rng.normal());

function dotLoop(reps: number): number {
  let t = 0;
  for (let r = 0; r < reps; r++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < L; i += 4) {
      s0 += (U[i] as number) * (V[i] as number);
      s1 += (U[i + 1] as number) * (V[i + 1] as number);
      s2 += (U[i + 2] as number) * (V[i + 2] as number);
      s3 += (U[i + 3] as number) * (V[i + 3] as number);
    }
    t += s0 + s1 + s2 + s3;
  }
  return t;
}

function tileLoop(reps: number): number {
  let t = 0;
  for (let r = 0; r < reps; r++) {
    let [c00, c01, c02, c03, c10, c11, c12, c13] = [0, 0, 0, 0, 0, 0, 0, 0];
    let [c20, c21, c22, c23, c30, c31, c32, c33] = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < L; k++) {
      const u0 = U[k] as number;
      const u1 = U[L + k] as number;
      const u2 = U[2 * L + k] as number;
      const u3 = U[3 * L + k] as number;
      const v0 = V[k] as number;
      const v1 = V[L + k] as number;
      const v2 = V[2 * L + k] as number;
      const v3 = V[3 * L + k] as number;
      c00 += u0 * v0;
      c01 += u0 * v1;
      c02 += u0 * v2;
      c03 += u0 * v3;
      c10 += u1 * v0;
      c11 += u1 * v1;
      c12 += u1 * v2;
      c13 += u1 * v3;
      c20 += u2 * v0;
      c21 += u2 * v1;
      c22 += u2 * v2;
      c23 += u2 * v3;
      c30 += u3 * v0;
      c31 += u3 * v1;
      c32 += u3 * v2;
      c33 += u3 * v3;
    }
    t += c00 + c01 + c02 + c03 + c10 + c11 + c12 + c13;
    t += c20 + c21 + c22 + c23 + c30 + c31 + c32 + c33;
  }
  return t;
}

function spd(n: number): Float64Array {
  // A = B Bᵀ/n + I with B lower-triangular random: SPD, built in O(n³/3) once.
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) B[i * n + j] = rng.normal();
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += (B[i * n + k] as number) * (B[j * n + k] as number);
      A[i * n + j] = s / n + (i === j ? 1 : 0);
      A[j * n + i] = A[i * n + j] as number;
    }
  }
  return A;
}

const gf = (flops: number, s: number): string => (flops / s / 1e9).toFixed(2);
console.log(
  `# peak loops vs cholesky; ${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, ${new Date().toISOString()}`,
);
console.log('| loop | flops per call | median CPU s [wall] | GFLOP/s (CPU) |');
console.log('|---|---:|---:|---:|');
const iters = 2e7;
const r1 = time(() => registerLoop(iters), repeats);
console.log(
  `| register loop (8 chains) | ${16 * iters} | ${r1.cpu.toFixed(4)} [${r1.wall.toFixed(4)}] | ${gf(16 * iters, r1.cpu)} |`,
);
const reps = 1e5;
const r2 = time(() => dotLoop(reps), repeats);
console.log(
  `| dot loop (L1, 4 acc.) | ${2 * L * reps} | ${r2.cpu.toFixed(4)} [${r2.wall.toFixed(4)}] | ${gf(2 * L * reps, r2.cpu)} |`,
);
const reps3 = 2e4;
const r3 = time(() => tileLoop(reps3), repeats);
console.log(
  `| 4x4 tile loop (L1) | ${32 * L * reps3} | ${r3.cpu.toFixed(4)} [${r3.wall.toFixed(4)}] | ${gf(32 * L * reps3, r3.cpu)} |`,
);
const r4 = withWasmArrays([4 * L, 4 * L], ([Uw, Vw]) => {
  (Uw as Float64Array).set(U);
  (Vw as Float64Array).set(V);
  return time(() => {
    let t = 0;
    for (let r = 0; r < reps3; r++) {
      tile4x4(Uw as Float64Array, 0, L, 2 * L, 3 * L, Vw as Float64Array, 0, L, 2 * L, 3 * L, 0, L);
      t += TILE[5] as number;
    }
    return t;
  }, repeats);
});
console.log(
  `| wasm SIMD 4x4 tile loop (L1) | ${32 * L * reps3} | ${r4.cpu.toFixed(4)} [${r4.wall.toFixed(4)}] | ${gf(32 * L * reps3, r4.cpu)} |`,
);
for (const n of sizes) {
  const A = spd(n);
  const rc = time(
    () => {
      return cholesky(A, n).L[0] as number;
    },
    n >= 2000 ? Math.min(repeats, 3) : repeats,
  );
  const fl = (n * n * n) / 3;
  console.log(
    `| cholesky n=${n} | ${fl.toExponential(2)} | ${rc.cpu.toFixed(4)} [${rc.wall.toFixed(4)}] | ${gf(fl, rc.cpu)} |`,
  );
}
