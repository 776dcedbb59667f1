/**
 * Parallel proposals measured in wall-clock time: each case of a suite run on
 * `q` simulated workers (`mixopt bench --workers-sim q`, docs/benchmarks.md,
 * section *Parallel workers on a simulated clock*) against the same methods
 * run sequentially.
 *
 * Definitions (time in the clock's unit: one unit of time per cost unit on one
 * worker, no jitter, no overhead unless given):
 * - a point's **charged time** is when its run ended, plus the duration of one
 *   target run `c*` when the recommendation is not a completed target run
 *   (the confirmation run, as the cost curves charge it); a seed's curve is
 *   the regret of its newest recommendation from its charged time on;
 * - `r_seq` the regret of sequential `mfms-bo`'s final recommendation and
 *   `T_seq` its final charged time (its wall-clock time on one worker);
 * - `t_q` the charged time from which the `q`-worker run's regret stays at or
 *   below `r_seq` (the sustained crossing, as the speedups use), `spent_q`
 *   the cost trained by then (finished runs, and the trained part of running
 *   ones); reported per seed as `t_q / T_seq` and `spent_q / spent_seq`;
 * - **anytime regret over wall-clock** of a seed: the mean regret from one
 *   target-run time `c*` to `T`, the later of the two compared runs' final
 *   charged times (a run that ended earlier keeps its final recommendation;
 *   the uniform mixture's regret before the first point), the
 *   scoreboard's definition with time in place of cost.
 *
 * - **near-duplicate pairs**: pairs of runs of one seed that trained at the
 *   same time, at the same scale, with mixtures within L1 distance 0.05 (the
 *   batch's diversity: two workers training nearly the same run), out of all
 *   pairs that trained at the same time.
 *
 * Sequential trajectories are read from `--seq DIR` (a suite result folder,
 * e.g. results/suite-dev, whose trajectories `--workers-sim 1` reproduces bit
 * for bit) when it has the method for the same seeds, else run here.
 *
 * `--methods` may name the Optuna peer `optuna-tpe` (run by its driver on the same clock,
 * with the constant liar: docs/benchmarks.md, *Optuna peers*); `mfms-bo` must be among them.
 *
 * Usage: node --import tsx bench/parallel.ts [--suite dev] [--cases id,id] [--seeds 3]
 *          [--q 16] [--methods mfms-bo,asha,optuna-tpe] [--seq results/suite-dev] [--threads 2]
 *          [--target-runs N (a budget of N target runs instead of the case's)]
 *          [--settings JSON (mfms-bo settings of its q-worker runs, e.g. '{"maxInFlight":0.5}')]
 *          [--out results/parallel-dev]
 * Writes `OUT/cases/<id>__<method>.json.gz` (the q-worker trajectories), `OUT/parallel.json`,
 * `OUT/parallel.md` and `OUT/parallel.svg`. Figures: BENCHMARKS.md, section *Parallel workers*.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  anytimeRegret,
  caseRef,
  getSuite,
  isPeerMethod,
  prepareCase,
  readTrajectories,
  regretOf,
  runBenchmark,
  runPeers,
  type StepFunction,
  safeName,
  seedFor,
  selectCases,
  stepFunction,
  type TestbedRef,
  type Trajectory,
} from '../src/bench/index.ts';
import { renderVegaLite } from '../src/report/vega-svg.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const suite = getSuite(opt('suite', 'dev'));
const only = args.includes('--cases') ? opt('cases', '').split(',') : undefined;
const seeds = Number(opt('seeds', String(suite.seeds)));
const q = Number(opt('q', '16'));
const methods = opt('methods', 'mfms-bo,asha').split(',');
const seqDir = opt('seq', `results/suite-${suite.name}`);
const threads = Number(opt('threads', '2'));
/**
 * `--settings JSON`: `mfms-bo` settings for its q-worker runs (e.g. '{"maxInFlight":0.5}'); its
 * sequential runs are the stored ones (the settings of this benchmark only change parallel runs).
 */
const mfmsSettings = args.includes('--settings')
  ? (JSON.parse(opt('settings', '{}')) as Record<string, unknown>)
  : undefined;
/** `--target-runs N`: a budget of N target runs instead of the suite case's (no stored sequential runs then). */
const targetRuns = args.includes('--target-runs') ? Number(opt('target-runs', '')) : undefined;
const out = opt('out', `results/parallel-${suite.name}`);
mkdirSync(join(out, 'cases'), { recursive: true });

/** The regret curve over charged time of a trajectory. */
function timeCurve(t: Trajectory, ref: number): StepFunction {
  const f = stepFunction(
    t.points.map((p) => ({
      x: (p.time ?? p.spent) + (p.confirm ? t.targetCost : 0),
      value: regretOf(t.direction, p.value, ref),
    })),
  );
  return f;
}

/** The end of a curve: its last charged time. */
const endOf = (f: StepFunction): number => f.xs[f.xs.length - 1] ?? 0;

/** The time from which `f` stays at or below `level` (undefined: never by its end). */
function sustained(f: StepFunction, level: number): number | undefined {
  let at: number | undefined;
  for (let i = f.xs.length - 1; i >= 0; i--) {
    if ((f.values[i] as number) <= level + 1e-12) at = f.xs[i];
    else break;
  }
  return at;
}

/** Cost trained by time `t`: finished runs, and the trained part of running ones (no overhead, no jitter). */
function trainedBy(tr: Trajectory, t: number): number {
  let s = 0;
  for (const p of tr.points) {
    const start = p.start ?? p.spent - p.cost;
    const end = p.time ?? p.spent;
    if (end <= t) s += p.cost;
    else if (start < t) s += (p.cost * (t - start)) / Math.max(1e-12, end - start);
  }
  return s;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Pairs of runs that overlapped in time, and those of them at one scale within L1 0.05. */
function nearDuplicates(t: Trajectory): { overlapping: number; near: number } {
  let overlapping = 0;
  let near = 0;
  const ps = t.points;
  for (let i = 0; i < ps.length; i++) {
    const a = ps[i] as (typeof ps)[number];
    for (let j = i + 1; j < ps.length; j++) {
      const b = ps[j] as (typeof ps)[number];
      const overlap = Math.min(a.time ?? 0, b.time ?? 0) > Math.max(a.start ?? 0, b.start ?? 0);
      if (!overlap) continue;
      overlapping++;
      const l1 = a.proposal.mixture.reduce(
        (x, w, k) => x + Math.abs(w - (b.proposal.mixture[k] as number)),
        0,
      );
      if (a.proposal.scale === b.proposal.scale && l1 < 0.05) near++;
    }
  }
  return { overlapping, near };
}

interface CaseRow {
  id: string;
  /** Per method at q: near-duplicate pairs / overlapping pairs, summed over seeds. */
  duplicates: Record<string, { overlapping: number; near: number }>;
  /** Per seed: t_q / T_seq and spent_q / spent_seq for mfms-bo (null: not reached). */
  timeRatio: (number | null)[];
  spendRatio: (number | null)[];
  /** Mean over seeds of the anytime regret over wall-clock, per `${method}@${q}`. */
  anytime: Record<string, number>;
  /** Per seed, the anytime regret over wall-clock and the final regret, per `${method}@${q}`. */
  anytimeSeeds: Record<string, number[]>;
  finalSeeds: Record<string, number[]>;
  seconds: Record<string, number>;
}

/** Sequential trajectories of a case stored in the suite results `--seq`, for one method (empty when they do not match). */
function storedSequential(id: string, m: string): Trajectory[] {
  const path = join(seqDir, 'cases', safeName(id), 'bench.json.gz');
  if (!existsSync(path)) return [];
  const mine = readTrajectories(path).filter(
    (t) =>
      t.method === m &&
      t.seed < seeds &&
      t.optimizerSeed === seedFor(0, t.seed) &&
      t.clock === undefined,
  );
  return mine.length === seeds ? mine : [];
}

/** The trajectories of method `m` on case `id` with `qq` workers: stored, cached, or run now and cached. */
const runs = new Map<string, Trajectory[]>();
/** CPU seconds of the jobs of each cached run (file -> seconds). */
const jobSeconds = new Map<string, number>();
async function ensure(
  id: string,
  m: string,
  qq: number,
  budget: number,
  ref: TestbedRef,
  metric: string,
): Promise<void> {
  const file = join(out, 'cases', `${safeName(id)}__${safeName(m)}__q${qq}.json.gz`);
  const stored = qq === 1 && targetRuns === undefined ? storedSequential(id, m) : [];
  if (stored.length > 0) {
    runs.set(file, stored);
    return;
  }
  if (!existsSync(file)) {
    const s0 = performance.now();
    const common = {
      testbed: ref,
      methods: [m],
      metrics: [metric],
      seeds,
      budget,
      workers: threads,
      ...(qq > 1 ? { clock: { workers: qq } } : {}),
      ...(qq > 1 && m === 'mfms-bo' && mfmsSettings !== undefined
        ? { settings: { 'mfms-bo': mfmsSettings } }
        : {}),
    };
    // The Optuna peer (optuna-tpe) runs in its driver, on the same simulated clock.
    const r = isPeerMethod(m)
      ? { meta: { jobSeconds: {} as Record<string, number> }, ...(await runPeers(common)) }
      : await runBenchmark(common);
    if (r.trajectories.length === 0) throw new Error(`${m} did not run (is optuna installed?)`);
    writeFileSync(
      file,
      gzipSync(JSON.stringify({ q: qq, seconds: r.meta.jobSeconds, trajectories: r.trajectories })),
    );
    process.stderr.write(
      `${id}: ${m}, q=${qq} in ${((performance.now() - s0) / 1000).toFixed(0)} s\n`,
    );
  }
  const d = JSON.parse(gunzipSync(readFileSync(file)).toString()) as {
    seconds: Record<string, number>;
    trajectories: Trajectory[];
  };
  runs.set(file, d.trajectories);
  jobSeconds.set(file, d.seconds[m] ?? 0);
}
function cached(id: string, m: string, qq: number): Trajectory[] {
  return runs.get(join(out, 'cases', `${safeName(id)}__${safeName(m)}__q${qq}.json.gz`)) ?? [];
}

const t0 = performance.now();
const rows: CaseRow[] = [];
const chartRows: { case: string; method: string; t: number; regret: number }[] = [];
/** The chart's time axis: 0 .. CHART_HORIZON target-run durations in CHART_STEPS steps. */
const CHART_HORIZON = 2;
const CHART_STEPS = 40;
for (const k of selectCases(suite, only)) {
  const p = await prepareCase(k);
  if (!p.ok) {
    process.stderr.write(`${k.id}: skipped (${p.reason})\n`);
    continue;
  }
  const target = p.testbed.target;
  const budget =
    targetRuns === undefined ? p.budget : targetRuns * p.testbed.cost(target.scale, target.steps);
  for (const m of methods) {
    await ensure(k.id, m, q, budget, caseRef(k), k.metric);
    await ensure(k.id, m, 1, budget, caseRef(k), k.metric);
  }
  const par = methods.flatMap((m) => cached(k.id, m, q));
  const seconds: Record<string, number> = {};
  for (const m of methods)
    seconds[m] =
      jobSeconds.get(join(out, 'cases', `${safeName(k.id)}__${safeName(m)}__q${q}.json.gz`)) ?? 0;
  const seq = methods.flatMap((m) => cached(k.id, m, 1));
  const errors = [...par, ...seq].filter((t) => t.error !== undefined);
  for (const e of errors) process.stderr.write(`${k.id}: ${e.method} seed ${e.seed}: ${e.error}\n`);
  const uniform = regretOf(
    p.testbed.metrics.find((m) => m.name === k.metric)?.direction ?? 'minimize',
    p.uniformValue,
    p.reference,
  );
  const c = p.testbed.cost(p.testbed.target.scale, p.testbed.target.steps);
  const row: CaseRow = {
    id: k.id,
    duplicates: {},
    timeRatio: [],
    spendRatio: [],
    anytime: {},
    anytimeSeeds: {},
    finalSeeds: {},
    seconds,
  };
  for (const m of methods) {
    const d = { overlapping: 0, near: 0 };
    for (const t of par.filter((x) => x.method === m)) {
      const e = nearDuplicates(t);
      d.overlapping += e.overlapping;
      d.near += e.near;
    }
    row.duplicates[m] = d;
  }
  const curves = new Map<string, StepFunction[]>();
  for (const [tag, ts, qq] of [
    ['seq', seq, 1],
    ['par', par, q],
  ] as const) {
    for (const m of methods) {
      curves.set(
        `${m}@${qq}`,
        Array.from({ length: seeds }, (_, s) => {
          const t = ts.find((x) => x.method === m && x.seed === s) as Trajectory;
          return timeCurve(t, p.reference);
        }),
      );
      void tag;
    }
  }
  for (let s = 0; s < seeds; s++) {
    const fs = curves.get(`mfms-bo@1`)?.[s] as StepFunction;
    const fp = curves.get(`mfms-bo@${q}`)?.[s] as StepFunction;
    const rSeq = fs.values[fs.values.length - 1] as number;
    const tSeq = endOf(fs);
    const tq = sustained(fp, rSeq);
    row.timeRatio.push(tq === undefined ? null : tq / tSeq);
    const tp = par.find((x) => x.method === 'mfms-bo' && x.seed === s) as Trajectory;
    const ts = seq.find((x) => x.method === 'mfms-bo' && x.seed === s) as Trajectory;
    const spentSeq = ts.points[ts.points.length - 1]?.spent ?? 0;
    row.spendRatio.push(tq === undefined ? null : trainedBy(tp, tq) / spentSeq);
  }
  for (const [key, fs] of curves) {
    // Against the other method at the same q: T = the later end of the pair (a run that ended
    // earlier keeps its final recommendation).
    const qq = key.split('@')[1];
    const vals = fs.map((f, s) => {
      const others = methods.map((m) => curves.get(`${m}@${qq}`)?.[s] as StepFunction).map(endOf);
      return anytimeRegret(f, c, Math.max(...others), uniform);
    });
    row.anytime[key] = vals.reduce((a, b) => a + b, 0) / vals.length;
    row.anytimeSeeds[key] = vals;
    row.finalSeeds[key] = fs.map((f) => f.values[f.values.length - 1] as number);
  }
  rows.push(row);
  // Chart data: on a common grid of times (in target-run durations c*), each curve's regret
  // relative to the uniform mixture's, averaged over seeds (then the median over cases, below).
  for (const [key, fs] of curves) {
    if (key.endsWith('@1') && key !== 'mfms-bo@1') continue;
    for (let i = 0; i <= CHART_STEPS; i++) {
      const t = (CHART_HORIZON * c * i) / CHART_STEPS;
      const v = fs.map((f) => {
        let r = uniform;
        for (let j = 0; j < f.xs.length && (f.xs[j] as number) <= t; j++) r = f.values[j] as number;
        return r / uniform;
      });
      chartRows.push({
        case: k.id,
        method: key,
        t: i,
        regret: v.reduce((a, b) => a + b, 0) / v.length,
      });
    }
  }
  process.stderr.write(
    `${k.id}: t_q/T_seq ${row.timeRatio.map((x) => (x === null ? 'never' : x.toFixed(3))).join(' ')}; spend ${row.spendRatio.map((x) => (x === null ? '-' : x.toFixed(2))).join(' ')}; anytime ${JSON.stringify(row.anytime)}\n`,
  );
}

const lines: string[] = [];
lines.push(
  `# Parallel workers: ${suite.name} suite, ${seeds} seeds, q = ${q} vs sequential${targetRuns !== undefined ? `, budget ${targetRuns} target runs` : ''}; ${cpus()[0]?.model ?? '?'} x${cpus().length}, load ${loadavg()[0]?.toFixed(1)}, ${new Date().toISOString()}`,
  '',
  `| case | mfms-bo t_${q}/T_seq per seed | spent_${q}/spent_seq per seed | anytime regret vs wall-clock: ${methods.map((m) => `${m} q=${q}`).join(' / ')} | ${methods.map((m) => `${m} q=1`).join(' / ')} | near-duplicate / overlapping pairs: ${methods.join(' / ')} |`,
  '|---|---|---|---|---|---|',
);
const fmt = (xs: (number | null)[], d: number): string =>
  xs.map((x) => (x === null ? 'never' : x.toFixed(d))).join(', ');
for (const r of rows) {
  lines.push(
    `| ${r.id} | ${fmt(r.timeRatio, 3)} | ${fmt(r.spendRatio, 2)} | ${methods.map((m) => (r.anytime[`${m}@${q}`] as number).toPrecision(3)).join(' / ')} | ${methods.map((m) => (r.anytime[`${m}@1`] as number).toPrecision(3)).join(' / ')} | ${methods.map((m) => `${r.duplicates[m]?.near}/${r.duplicates[m]?.overlapping}`).join(' / ')} |`,
  );
}
lines.push(
  '',
  `Medians over the ${seeds} seeds: anytime regret vs wall-clock, and the final regret (of the last recommendation).`,
  '',
  `| case | ${methods.flatMap((m) => [`${m} q=${q} anytime`, 'final']).join(' | ')} |`,
  `|---|${methods.map(() => '---|---|').join('')}`,
);
for (const r of rows) {
  lines.push(
    `| ${r.id} | ${methods
      .flatMap((m) => [
        median(r.anytimeSeeds[`${m}@${q}`] ?? []).toPrecision(3),
        median(r.finalSeeds[`${m}@${q}`] ?? []).toPrecision(3),
      ])
      .join(' | ')} |`,
  );
}
const ratios = rows.flatMap((r) => r.timeRatio);
const reached = ratios.filter((x): x is number => x !== null);
const spends = rows.flatMap((r) => r.spendRatio).filter((x): x is number => x !== null);
const wins = rows.filter(
  (r) => (r.anytime[`mfms-bo@${q}`] as number) < (r.anytime[`asha@${q}`] as number),
).length;
lines.push(
  '',
  `mfms-bo, q = ${q}: reached r_seq on ${reached.length} of ${ratios.length} case-seeds; median t_q/T_seq ${median(reached).toFixed(3)} (${reached.filter((x) => x <= 0.1).length} of ${ratios.length} at <= 1/10); median spent_q/spent_seq ${median(spends).toFixed(2)} (${spends.filter((x) => x <= 1.5).length} of ${spends.length} at <= 1.5).`,
  methods.includes('asha')
    ? `anytime regret vs wall-clock at q = ${q}: mfms-bo below asha on ${wins} of ${rows.length} cases.`
    : '',
  `wall ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
writeFileSync(join(out, 'parallel.md'), `${lines.join('\n')}\n`);
writeFileSync(
  join(out, 'parallel.json'),
  `${JSON.stringify({ q, seeds, methods, rows }, null, 1)}\n`,
);
// One panel: the median over cases of the relative regret at each time (a mean would follow
// the cases whose uniform mixture is nearly optimal).
const meanRows = [...new Set(chartRows.map((r) => r.method))].flatMap((method) =>
  Array.from({ length: CHART_STEPS + 1 }, (_, i) => {
    const at = chartRows.filter((r) => r.method === method && r.t === i);
    return {
      method,
      t: Number(((CHART_HORIZON * i) / CHART_STEPS).toFixed(2)),
      regret: Number(median(at.map((r) => r.regret)).toPrecision(3)),
    };
  }),
);
const svg = await renderVegaLite({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  background: 'white',
  width: 420,
  height: 220,
  data: { values: meanRows },
  mark: { type: 'line', interpolate: 'step-after' },
  encoding: {
    x: { field: 't', type: 'quantitative', title: 'wall-clock (durations of one target run)' },
    y: {
      field: 'regret',
      type: 'quantitative',
      title: 'regret / uniform mixture regret (median over cases)',
    },
    color: { field: 'method', type: 'nominal', title: 'method@workers' },
  },
} as never);
writeFileSync(join(out, 'parallel.svg'), svg);
process.stdout.write(`${lines.join('\n')}\n`);
