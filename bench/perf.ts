/**
 * Time per `mfms-bo` proposal (surrogate fit + acquisition over all fidelity pairs)
 * against the number of GP observations n.
 *
 * For each n: a history of n/5 runs on slimpajama-mlp (Dirichlet(1) mixtures, a
 * uniform size, 500 steps: 5 curve points each, so n observations), then
 * - `cold`: a new optimiser's first `propose` (full hyper-parameter fit, all restarts);
 * - `fixed`: after one more run, the next `propose` (hyper-parameters kept, the
 *   GP refactored on the new data: two rounds in three with `refitEvery` = 3);
 * - `refit`: after two more runs, the next `propose` (hyper-parameters refitted,
 *   warm-started from the last ones, 1 restart: one round in three).
 * `maxObservations` is set to n so that the GP sees all n points (the default
 * cap is 250). With `--pending P`, the history also holds P running runs
 * (state `running`, the same kind of run with the first 2 of its 5 points
 * trained so far): the pending set of P busy workers, which `mfms-bo`
 * fantasises (kriging believer) before it proposes. Reported: wall and CPU seconds (user + system of this process)
 * of each call, the median over `--repeats` seeds, and the peak RSS.
 *
 * Phase profile: run with `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/perf.ts --n 1000`
 * and summarise with `node --import tsx bench/perf-profile.ts DIR/*.cpuprofile`.
 *
 * Usage: node --import tsx bench/perf.ts [--n 100,300,1000,2000] [--repeats 3] [--testbed slimpajama-mlp] [--pending P]
 *        [--fit-points N] (mfms-bo's fitPoints; e.g. 100000 fits the hyper-parameters on all points)
 *        [--settings JSON] (more mfms-bo settings, e.g. '{"refitStart":"warm-or-fresh"}')
 * Results are written by hand into BENCHMARKS.md, section "Performance".
 */
import { cpus, loadavg } from 'node:os';
import { type History, Rng, type RunRecord, spaceFromTestbed } from '../src/core/index.ts';
import { createOptimizer } from '../src/optimizers/index.ts';
import { getTestbed } from '../src/testbeds/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const ns = opt('n', '100,300,1000,2000').split(',').map(Number);
const repeats = Number(opt('repeats', '3'));
const tbName = opt('testbed', 'slimpajama-mlp');
const metric = opt('metric', 'c4_cross_entropy');
/** `mfms-bo`'s fitPoints (default: the optimiser's, 500); pass a large value to fit on all points. */
const fitPoints = args.includes('--fit-points') ? Number(opt('fit-points', '500')) : undefined;
/** More `mfms-bo` settings (JSON object). */
const extra = JSON.parse(opt('settings', '{}')) as Record<string, unknown>;
/** Running runs in every history (a pending set of this many busy workers). */
const pending = Number(opt('pending', '0'));
const tb = getTestbed(tbName);
const space = spaceFromTestbed(tb, metric);
const STEPS = 500;
const perRun = STEPS / tb.steps.logEvery;

function run(rng: Rng, id: number): RunRecord {
  const mixture = rng.dirichlet(new Array(tb.domains.length).fill(1));
  const scale = tb.scales[Math.floor(rng.uniform() * tb.scales.length)]?.name ?? '20M';
  return {
    id: `r${id}`,
    mixture,
    scale,
    steps: STEPS,
    curve: tb.curve(mixture, scale, STEPS, metric),
    state: 'completed',
    cost: tb.cost(scale, STEPS),
  };
}

/** A running run: the first 2 points of its curve trained so far. */
function running(rng: Rng, id: number): RunRecord {
  const r = run(rng, id);
  return { ...r, id: `p${id}`, curve: r.curve.slice(0, 2), state: 'running' };
}

let pendingRuns: RunRecord[] = [];
function history(runs: RunRecord[]): History {
  return {
    runs: [...runs, ...pendingRuns],
    spent: runs.reduce((s, r) => s + r.cost, 0),
    budget: 1e9,
  };
}

function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 50);

console.log(
  `# mfms-bo proposal time${pending > 0 ? ` with ${pending} running runs pending` : ''}${Object.keys(extra).length > 0 ? `, settings ${JSON.stringify(extra)}` : ''}; ${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, ${new Date().toISOString()}`,
);
console.log(
  '| n | runs | cold wall s | cold CPU s | fixed wall s | fixed CPU s | refit wall s | refit CPU s |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
const rows: unknown[] = [];
for (const n of ns) {
  const cold = { wall: [] as number[], cpu: [] as number[] };
  const warm = { wall: [] as number[], cpu: [] as number[] };
  const refit = { wall: [] as number[], cpu: [] as number[] };
  const nRuns = Math.ceil(n / perRun);
  for (let r = 0; r < repeats; r++) {
    const rng = new Rng(1000 + r);
    const runs = Array.from({ length: nRuns }, (_, i) => run(rng, i));
    const prng = new Rng(2000 + r);
    pendingRuns = Array.from({ length: pending }, (_, i) => running(prng, i));
    const opt2 = createOptimizer('mfms-bo', {
      space,
      seed: r,
      settings: {
        maxObservations: n + 3 * perRun,
        ...(fitPoints !== undefined ? { fitPoints } : {}),
        ...extra,
      },
    });
    const c = timed(() => opt2.propose(history(runs), 1));
    sample();
    cold.wall.push(c.wall);
    cold.cpu.push(c.cpu);
    runs.push(run(rng, nRuns));
    const w = timed(() => opt2.propose(history(runs), 1));
    sample();
    warm.wall.push(w.wall);
    warm.cpu.push(w.cpu);
    runs.push(run(rng, nRuns + 1), run(rng, nRuns + 2));
    const f = timed(() => opt2.propose(history(runs), 1));
    sample();
    refit.wall.push(f.wall);
    refit.cpu.push(f.cpu);
    process.stderr.write(
      `n=${n} repeat ${r}: cold ${c.wall.toFixed(2)} s wall / ${c.cpu.toFixed(2)} s CPU, fixed ${w.wall.toFixed(2)} / ${w.cpu.toFixed(2)}, refit ${f.wall.toFixed(2)} / ${f.cpu.toFixed(2)}\n`,
    );
  }
  const row = {
    n,
    runs: nRuns,
    coldWall: median(cold.wall),
    coldCpu: median(cold.cpu),
    warmWall: median(warm.wall),
    warmCpu: median(warm.cpu),
    refitWall: median(refit.wall),
    refitCpu: median(refit.cpu),
  };
  rows.push(row);
  console.log(
    `| ${n} | ${nRuns} | ${row.coldWall.toFixed(2)} | ${row.coldCpu.toFixed(2)} | ${row.warmWall.toFixed(2)} | ${row.warmCpu.toFixed(2)} | ${row.refitWall.toFixed(2)} | ${row.refitCpu.toFixed(2)} |`,
  );
}
clearInterval(timer);
sample();
console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
console.log(JSON.stringify({ rows, peakRssMiB: peakRss / 2 ** 20 }));
