/**
 * GP benchmark: fit (5 L-BFGS-B starts) + predict 1,000 points, mixopt vs scikit-learn.
 *
 * Data: n ∈ {100, 300, 1000} points, d = 7 laid out like the MFMS inputs: x = [w_1..w_5, s, t],
 * w ~ Dirichlet(1), s, t ~ U[0,1]; y a smooth loss-like function plus N(0, 0.02²) noise.
 * Kernel: product of RBFs, ARD on w, one lengthscale each for s and t (= one ARD RBF over
 * the 7 dims: the same kernel sklearn gets as ConstantKernel * RBF(7 lengthscales)), learned noise
 * (sklearn: + WhiteKernel).
 *
 * mixopt configurations:
 *   linear    linear mean c + bᵀx (the issue's configuration; sklearn has no linear mean)
 *   constant  constant mean c (learned)
 *   zero      zero mean on standardised y: exactly sklearn's model (normalize_y=True)
 * sklearn: GaussianProcessRegressor(normalize_y=True, n_restarts_optimizer=4) via
 * bench/peers/sklearn_gp.py under /usr/bin/python3 (skipped with a message when unavailable).
 *
 * Reported per n and configuration: median over repeats of wall and CPU seconds (user + system,
 * all threads) for fit + predict, and the MLL reached, on sklearn's scale (log p of the
 * normalised y: mixopt's logMarginalLikelihood + n log σ_y).
 *
 * Run: npm run bench:gp [-- --sizes 100,300,1000 --repeats 3 --configs linear,constant,zero
 *      --no-sklearn --write]   (--write replaces the "## GP" section of BENCHMARKS.md)
 * sklearn's results are cached in .cache/bench-gp-sklearn/ keyed by a hash of the job (data,
 * restarts, repeats, peer script); --fresh-sklearn ignores the cache.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Rng } from '../src/core/index.ts';
import { fitGP, type GPOptions, type MeanSpec } from '../src/gp/index.ts';

interface Run {
  wall: number;
  cpu: number;
  lml: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const sizes = arg('sizes', '100,300,1000').split(',').map(Number);
const repeats = Number(arg('repeats', '3'));
const configs = arg('configs', 'linear,constant,zero').split(',') as MeanSpec[];
const useSklearn = !process.argv.includes('--no-sklearn');
const write = process.argv.includes('--write');
const d = 7;
const ns = 1000;

function data(n: number, seed: number): { X: Float64Array; y: Float64Array; Xs: Float64Array } {
  const rng = new Rng(seed);
  const draw = (m: number, noise: boolean): { X: Float64Array; y: Float64Array } => {
    const X = new Float64Array(m * d);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const w = rng.dirichlet(1, 5);
      const s = rng.uniform();
      const t = rng.uniform();
      X.set([...w, s, t], i * d);
      const [w0, w1, w2, w3, w4] = w as [number, number, number, number, number];
      y[i] =
        3.2 -
        0.9 * s -
        0.7 * Math.sqrt(t) +
        0.5 * (w0 - w2) ** 2 +
        0.3 * Math.sin(4 * w1 + 2 * s) +
        0.4 * w3 * t -
        0.2 * w4 * s +
        (noise ? 0.02 * rng.normal() : 0);
    }
    return { X, y };
  };
  const train = draw(n, true);
  return { ...train, Xs: draw(ns, false).X };
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function options(mean: MeanSpec, seed: number): GPOptions {
  return {
    kernel: {
      kind: 'product',
      terms: [
        { kind: 'rbf', dims: [0, 1, 2, 3, 4], ard: true },
        { kind: 'rbf', dims: [5] },
        { kind: 'rbf', dims: [6] },
      ],
    },
    mean,
    noise: { kind: 'learned', lower: 1e-6 },
    restarts: 5,
    seed,
  };
}

function runOurs(n: number, mean: MeanSpec): Run[] {
  const { X, y, Xs } = data(n, n);
  let m = 0;
  for (const v of y) m += v;
  m /= n;
  let v2 = 0;
  for (const v of y) v2 += (v - m) ** 2;
  const logStd = 0.5 * Math.log(v2 / n);
  const runs: Run[] = [];
  for (let r = 0; r < repeats; r++) {
    const w0 = performance.now();
    const c0 = cpuNow();
    const gp = fitGP(X, y, d, options(mean, r));
    const p = gp.predict(Xs);
    const cpu = cpuNow() - c0;
    const wall = (performance.now() - w0) / 1000;
    if (!p.mean.every(Number.isFinite)) throw new Error('non-finite prediction');
    runs.push({ wall, cpu, lml: gp.logMarginalLikelihood + n * logStd });
  }
  return runs;
}

function runSklearn(n: number): { runs: Run[]; version: string } | string {
  if (!existsSync('/usr/bin/python3')) return 'sklearn skipped: /usr/bin/python3 not found';
  const { X, y, Xs } = data(n, n);
  const rows = (A: Float64Array, m: number): number[][] =>
    Array.from({ length: m }, (_, i) => Array.from(A.subarray(i * d, (i + 1) * d)));
  const job = JSON.stringify({
    X: rows(X, n),
    y: Array.from(y),
    Xs: rows(Xs, ns),
    restarts: 5,
    repeats,
  });
  const key = createHash('sha256')
    .update(job)
    .update(readFileSync('bench/peers/sklearn_gp.py'))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = '.cache/bench-gp-sklearn';
  const cacheFile = `${cacheDir}/n${n}-${key}.json`;
  let stdout: string;
  if (existsSync(cacheFile) && !process.argv.includes('--fresh-sklearn')) {
    console.error(`sklearn n=${n}: cached result ${cacheFile}`);
    stdout = readFileSync(cacheFile, 'utf8');
  } else {
    const r = spawnSync('/usr/bin/python3', ['bench/peers/sklearn_gp.py'], {
      input: job,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0) {
      return `sklearn skipped: the peer failed (${(r.stderr ?? '').trim().split('\n').pop()})`;
    }
    stdout = r.stdout;
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, stdout);
  }
  const out = JSON.parse(stdout) as {
    sklearn: string;
    runs: { seconds: number; cpuSeconds: number; lmlNormalized: number }[];
  };
  return {
    version: out.sklearn,
    runs: out.runs.map((q) => ({ wall: q.seconds, cpu: q.cpuSeconds, lml: q.lmlNormalized })),
  };
}

const fmt = (x: number, k = 2): string => x.toFixed(k);
const lines: string[] = [];
const results: Record<string, unknown>[] = [];
let skVersion = '';
for (const n of sizes) {
  const sk = useSklearn ? runSklearn(n) : 'sklearn skipped (--no-sklearn)';
  if (typeof sk === 'string') console.error(sk);
  else skVersion = sk.version;
  const skWall = typeof sk === 'string' ? Number.NaN : median(sk.runs.map((q) => q.wall));
  const skCpu = typeof sk === 'string' ? Number.NaN : median(sk.runs.map((q) => q.cpu));
  const skLml = typeof sk === 'string' ? Number.NaN : median(sk.runs.map((q) => q.lml));
  if (typeof sk !== 'string') {
    lines.push(
      `| ${n} | sklearn (zero mean, normalize_y) | ${fmt(skWall)} | ${fmt(skCpu)} | — | — | ${fmt(skLml, 3)} | — |`,
    );
  }
  for (const mean of configs) {
    const runs = runOurs(n, mean);
    const wall = median(runs.map((q) => q.wall));
    const cpu = median(runs.map((q) => q.cpu));
    const lml = median(runs.map((q) => q.lml));
    const rel = (lml - skLml) / Math.abs(skLml);
    lines.push(
      `| ${n} | mixopt ${mean} mean | ${fmt(wall)} | ${fmt(cpu)} | ${fmt(skWall / wall)}× | ${fmt(skCpu / cpu)}× | ${fmt(lml, 3)} | ${Number.isFinite(rel) ? rel.toExponential(1) : '—'} |`,
    );
    results.push({
      n,
      mean,
      wall,
      cpu,
      lml,
      runs,
      sklearn: typeof sk === 'string' ? sk : { wall: skWall, cpu: skCpu, lml: skLml },
    });
    console.error(
      `n=${n} ${mean}: wall ${fmt(wall)} s, cpu ${fmt(cpu)} s, MLL ${fmt(lml, 3)}; sklearn wall ${fmt(skWall)} s, cpu ${fmt(skCpu)} s, MLL ${fmt(skLml, 3)}`,
    );
  }
}

const cpuModel = (cpus()[0]?.model ?? 'unknown').trim();
const header = [
  '| n | method | wall s | CPU s | sklearn/mixopt wall | sklearn/mixopt CPU | MLL (normalised y) | rel. MLL diff vs sklearn |',
  '|---|---|---|---|---|---|---|---|',
];
const table = [...header, ...lines].join('\n');
console.log(table);
console.log(JSON.stringify(results));
if (write) {
  const machine = `Machine: ${cpus().length} CPUs (\`nproc\`), ${cpuModel}, Node ${process.version}${skVersion ? `, scikit-learn ${skVersion}` : ''}; ${new Date().toISOString().slice(0, 10)}. Median of ${repeats} repeats.`;
  const path = 'BENCHMARKS.md';
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# mixopt benchmarks\n';
  const marker = '<!-- bench:gp table -->';
  const start = old.indexOf('## GP\n');
  let section: string;
  if (start >= 0) {
    const end = old.indexOf('\n## ', start + 5);
    section = old.slice(start, end < 0 ? old.length : end + 1);
  } else {
    section = `## GP\n\n${marker}\n${marker}\n`;
  }
  const a = section.indexOf(marker);
  const b = section.indexOf(marker, a + marker.length);
  const generated = `${marker}\n${machine}\n\n${table}\n${marker}`;
  const newSection =
    a >= 0 && b > a
      ? section.slice(0, a) + generated + section.slice(b + marker.length)
      : `${section.trimEnd()}\n\n${generated}\n`;
  const out = start >= 0 ? old.replace(section, newSection) : `${old.trimEnd()}\n\n${newSection}`;
  writeFileSync(path, out);
  console.error(`updated ${path} (section "## GP")`);
}
