/**
 * Cholesky benchmark: the textbook loop (`choleskyNaive`) vs the register-blocked `cholesky`.
 *
 * For each n: a random SPD matrix A = X Xᵀ/n + I; the median CPU time (user + system) and wall
 * time over repeats (CPU time is the steadier figure on a shared machine); GFLOP/s counted as
 * n³/3 flops (the standard Cholesky count).
 *
 * Run: npm run bench:cholesky [-- n ...]   (default 200 500 1000 2000)
 * Results are written by hand into BENCHMARKS.md, section "Cholesky".
 */
import { cpus, loadavg } from 'node:os';
import { Rng } from '../src/core/index.ts';
import {
  cholesky,
  choleskyNaive,
  cholInverse,
  solveLower,
  solveLowerRows,
} from '../src/linalg/index.ts';

function spd(n: number, rng: Rng): Float64Array {
  const X = new Float64Array(n * n).map(() => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (X[i * n + k] as number) * (X[j * n + k] as number);
      A[i * n + j] = s / n;
      A[j * n + i] = s / n;
    }
    A[i * n + i] = (A[i * n + i] as number) + 1;
  }
  return A;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median wall time and median CPU time (user + system) of `f` over repeats, in seconds. */
function time(f: () => void, repeats: number): { wall: number; cpu: number } {
  f(); // warm-up (JIT)
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    f();
    walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const sizes = process.argv.slice(2).map(Number);
const ns = sizes.length > 0 ? sizes : [200, 500, 1000, 2000];
const rng = new Rng(0);
console.log(
  `node ${process.version}; ${cpus()[0]?.model ?? '?'} x${cpus().length}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('GFLOP/s = (n^3/3) / median CPU time (user+sys; wall time in brackets)');
console.log('n\tnaive_cpu_s\tnaive_GF\tblocked_cpu_s\tblocked_GF\tspeedup\tmax|L-Lnaive|');
for (const n of ns) {
  const A = spd(n, rng);
  const repeats = n <= 500 ? 7 : n <= 1000 ? 5 : 3;
  let Ln: Float64Array | null = null;
  let Lb: Float64Array | null = null;
  const tn = time(
    () => {
      Ln = choleskyNaive(A, n);
    },
    n >= 2000 ? 1 : repeats,
  );
  const tb = time(() => {
    Lb = cholesky(A, n).L;
  }, repeats);
  let err = 0;
  const a = Ln as Float64Array | null;
  const b = Lb as Float64Array | null;
  if (a !== null && b !== null) {
    for (let i = 0; i < n * n; i++)
      err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
  }
  const flops = n ** 3 / 3;
  console.log(
    [
      n,
      `${tn.cpu.toFixed(4)} [${tn.wall.toFixed(4)}]`,
      (flops / tn.cpu / 1e9).toFixed(2),
      `${tb.cpu.toFixed(4)} [${tb.wall.toFixed(4)}]`,
      (flops / tb.cpu / 1e9).toFixed(2),
      (tn.cpu / tb.cpu).toFixed(2),
      err.toExponential(1),
    ].join('\t'),
  );
}

// Related kernels that a GP fit/predict calls, blocked with the same 4×4 tiles.
console.log(
  '\nn\tcholInverse_cpu_s\tGF\tsolveLower(n rhs)_cpu_s\tGF\tsolveLowerRows(n rows)_cpu_s\tGF',
);
for (const n of ns.filter((x) => x <= 1000)) {
  const A = spd(n, rng);
  const { L } = cholesky(A, n);
  const B = new Float64Array(n * n).map(() => rng.normal());
  const repeats = n <= 500 ? 5 : 3;
  const ti = time(() => cholInverse(L, n), repeats);
  const ts = time(() => solveLower(L, n, B, n), repeats);
  const tr = time(() => solveLowerRows(L, n, B, n), repeats);
  // cholInverse: 2 × n³/6 multiply-adds; a solve with n right-hand sides: n³/2 multiply-adds.
  const gInv = (2 * (n ** 3 / 6) * 2) / ti.cpu / 1e9;
  const gSol = ((n ** 3 / 2) * 2) / ts.cpu / 1e9;
  const gRow = ((n ** 3 / 2) * 2) / tr.cpu / 1e9;
  console.log(
    [
      n,
      ti.cpu.toFixed(4),
      gInv.toFixed(2),
      ts.cpu.toFixed(4),
      gSol.toFixed(2),
      tr.cpu.toFixed(4),
      gRow.toFixed(2),
    ].join('\t'),
  );
}
