/**
 * MFMS-BO variants against the baselines on several testbeds, with the
 * suite's figures per testbed: final regret (mean and median over seeds),
 * anytime regret (mean regret of the recommendation over charged cost from
 * two target-run costs to the budget), the worst regression of any seed
 * after two target-run costs, runs per job and the share of the budget
 * spent at the target scale. A quick check of one choice across problem
 * kinds; `mixopt bench --suite` is the record.
 *
 * Run: node --import tsx bench/variants.ts --testbeds family-3,family-reverse
 *      (or --cases law/c4_cross_entropy+noise,family-3/val_loss: suite case ids, with their noise)
 *      [--variants linear-trend,no-min-distance] [--methods mfms-bo,hyperband,random]
 *      [--seeds 3] [--seed 0] [--workers 2] [--metric NAME] [--target-runs 8] [--save DIR]
 *      [--workers-sim q] (each job on q simulated workers; adds the spend and the wall-clock)
 * Variants are the names of bench/ablation-variants.ts (`mfms-bo:abl-<name>`).
 * Budget: `--target-runs` target-run costs (the suites use 8), else the harness default
 * (1500/197 target-run costs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  caseRef,
  DEV_SUITE,
  defaultBudget,
  FULL_SUITE,
  resolveTestbed,
  runBenchmark,
  type TestbedRef,
} from '../src/bench/index.ts';
import type { Trajectory } from '../src/bench/trajectory.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const variantModule = pathToFileURL(
  new URL('./ablation-variants.ts', import.meta.url).pathname,
).href;
await import(variantModule);
const variants = arg('variants', '').split(',').filter(Boolean);
const methods = [
  ...arg('methods', 'mfms-bo,hyperband,random').split(',').filter(Boolean),
  ...variants.map((v) => `mfms-bo:abl-${v}`),
];
const seeds = Number(arg('seeds', '3'));
/** `--workers-sim q`: every job on q simulated workers (src/bench/sim-clock.ts); 0: sequential. */
const q = Number(arg('workers-sim', '0'));

/** Anytime regret, worst regression, final regret of one trajectory. */
function figures(t: Trajectory, reg: (v: number) => number, budget: number) {
  const lo = 2 * t.targetCost;
  let area = 0;
  let prevX = lo;
  let cur: number | undefined;
  let best = Number.POSITIVE_INFINITY;
  let worst = 0;
  for (const p of t.points) {
    const x = Math.min(Math.max(p.x, lo), budget);
    if (cur !== undefined && x > prevX) area += cur * (x - prevX);
    prevX = Math.max(prevX, x);
    cur = reg(p.value);
    if (p.x >= lo) {
      best = Math.min(best, cur);
      worst = Math.max(worst, cur - best);
    }
  }
  if (cur !== undefined && budget > prevX) area += cur * (budget - prevX);
  return { anytime: area / (budget - lo), regress: worst, final: cur ?? Number.NaN };
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs: `--cases` names suite cases by id (their noise and metric), else `--testbeds` with `--metric`. */
const allCases = [...FULL_SUITE.cases, ...DEV_SUITE.cases];
const jobs: { name: string; ref: TestbedRef; metric?: string }[] =
  arg('cases', '') !== ''
    ? arg('cases', '')
        .split(',')
        .map((id) => {
          const k = allCases.find((x) => x.id === id);
          if (k === undefined)
            throw new Error(`unknown case '${id}'; ids look like law/c4_cross_entropy+noise`);
          return { name: k.id, ref: caseRef(k), metric: k.metric };
        })
    : arg('testbeds', 'family-interior-noisy')
        .split(',')
        .map((name) => ({ name, ref: { name } }));
for (const { name, ref, metric: caseMetric } of jobs) {
  const tb = await resolveTestbed(ref);
  const metric = caseMetric ?? arg('metric', tb.metrics[0]!.name);
  const spec = tb.metrics.find((m) => m.name === metric)!;
  const opt = tb.referenceOptimum!(metric)!.value;
  const reg = (v: number) => (spec.direction === 'minimize' ? v - opt : opt - v);
  const u = new Array<number>(tb.domains.length).fill(1 / tb.domains.length);
  const runs = Number(arg('target-runs', '0'));
  const budget = runs > 0 ? runs * tb.cost(tb.target.scale, tb.target.steps) : defaultBudget(tb);
  const r = await runBenchmark({
    testbed: ref,
    methods,
    metrics: [metric],
    seeds,
    budget,
    seed: Number(arg('seed', '0')),
    workers: Number(arg('workers', '2')),
    modules: [variantModule],
    ...(q > 0 ? { clock: { workers: q } } : {}),
  });
  const save = arg('save', '');
  if (save !== '') {
    // The trajectories, for tracing a seed: --save DIR writes DIR/<testbed>_<metric>.json.gz.
    mkdirSync(save, { recursive: true });
    const file = `${save}/${name.replace(/[^\w.-]/g, '_')}_${metric}.json.gz`;
    writeFileSync(file, gzipSync(JSON.stringify({ trajectories: r.trajectories })));
  }
  const uniform = reg(tb.evaluate(u, tb.target.scale, tb.target.steps, metric));
  console.log(`\n${name} ${metric}: uniform mixture regret ${uniform.toFixed(4)}, ${seeds} seeds`);
  console.log(
    `| method | final regret (median) | anytime regret | worst regression | runs | target-scale spend |${q > 0 ? ' spent | wall-clock at the end (median) |' : ''}`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|${q > 0 ? '---:|---:|' : ''}`);
  for (const m of methods) {
    const ts = r.trajectories.filter((t) => t.method === m);
    const f = ts.map((t) => figures(t, reg, budget));
    const runs = mean(ts.map((t) => t.points.length));
    const tgt = mean(
      ts.map(
        (t) =>
          t.points
            .filter((p) => p.proposal.scale === tb.target.scale)
            .reduce((a, p) => a + p.cost, 0) / budget,
      ),
    );
    const err = ts.filter((t) => t.error !== undefined).length;
    const clock =
      q > 0
        ? ` ${mean(ts.map((t) => t.points.reduce((a, p) => a + p.cost, 0))).toFixed(0)} | ${median(ts.map((t) => Math.max(0, ...t.points.map((p) => p.time ?? 0)))).toFixed(0)} |`
        : '';
    console.log(
      `| ${m} | ${mean(f.map((x) => x.final)).toFixed(4)} (${median(f.map((x) => x.final)).toFixed(4)}) | ${mean(f.map((x) => x.anytime)).toFixed(4)} | ${Math.max(...f.map((x) => x.regress)).toFixed(4)} | ${runs.toFixed(0)} | ${tgt.toFixed(2)} |${clock}${err > 0 ? ` ${err} failed` : ''}`,
    );
  }
  console.log(`wall ${r.meta.wallSeconds.toFixed(0)} s`);
}
