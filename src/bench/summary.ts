/**
 * Aggregating trajectories into the benchmark summary: curves on a common
 * cost grid (mean, standard error, median, quartiles over seeds), final
 * values and regret, and speedups between every pair of methods
 * (./speedup.ts) per metric, as the median over metrics, and per seed.
 *
 * Notation: `H = budget + c(m*, z*)` the horizon (a method's last charged
 * position may include one confirmation run); the grid is `G` equally spaced
 * costs in `[0, H]`; regret `r = v - v*` (minimise) or `v* - v` (maximise)
 * against the testbed's reference optimum `v*`.
 */
import type { Direction } from '../core/index.ts';
import { speedup } from './speedup.ts';
import { medianWithNulls, type SampleStats, sampleStats } from './stats.ts';
import { evalStep, meanStep, type StepFunction, stepFunction } from './step-function.ts';
import type { Trajectory } from './trajectory.ts';

/** Curve statistics at the grid points (null where some seed has no value yet). */
export interface CurveStats {
  readonly mean: (number | null)[];
  readonly sem: (number | null)[];
  readonly median: (number | null)[];
  readonly q25: (number | null)[];
  readonly q75: (number | null)[];
}

/** Speedup of one method over one baseline. */
export interface SpeedupEntry {
  /** Median over metrics of `perMetric` (null ranks lowest; null when the median is not reached). */
  readonly median: number | null;
  /** Per metric, on the mean curves over seeds; null = not reached. */
  readonly perMetric: Record<string, number | null>;
  /** Metrics where the method's mean curve never stays at the baseline's final value. */
  readonly notReached: string[];
  /** First-touch variant (not the headline). */
  readonly firstTouch: { median: number | null; perMetric: Record<string, number | null> };
  /** Per metric, one speedup per seed (seed i of the method against seed i of the baseline). */
  readonly perSeed: Record<string, (number | null)[]>;
  /** Per metric, the median over seeds of `perSeed`. */
  readonly perSeedMedian: Record<string, number | null>;
}

/** The benchmark summary (the `--json` output). */
export interface BenchSummary {
  readonly testbed: string;
  readonly methods: string[];
  readonly metrics: string[];
  readonly directions: Record<string, Direction>;
  /** Number of distinct seed indices. */
  readonly seeds: number;
  readonly budget: number;
  readonly targetCost: number;
  readonly horizon: number;
  readonly grid: number[];
  /** `curves[method][metric]`: value of the recommended mixture vs cost. */
  readonly curves: Record<string, Record<string, CurveStats>>;
  /** `final[method][metric]`: value at the horizon over seeds. */
  readonly final: Record<string, Record<string, SampleStats>>;
  /** `finalRegret[method][metric]`: regret at the horizon (when a reference optimum is known). */
  readonly finalRegret: Record<string, Record<string, { mean: number; sem: number }>>;
  /** `reference[metric]`: the reference optimum's value, when known. */
  readonly reference: Record<string, number>;
  /** `speedups[method][baseline]`. */
  readonly speedups: Record<string, Record<string, SpeedupEntry>>;
  /** Mean number of runs and mean spent cost per method. */
  readonly runs: Record<string, { meanRuns: number; meanSpent: number }>;
  /** Jobs whose optimiser failed. */
  readonly errors: { method: string; metric: string; seed: number; error: string }[];
  /** Jobs with proposals the testbed could not answer: how many, and the first error. */
  readonly failedProposals: {
    method: string;
    metric: string;
    seed: number;
    count: number;
    first: string;
  }[];
}

/** Options of {@link summarize}. */
export interface SummaryOptions {
  /** Reference optimum value per metric. */
  readonly reference?: Readonly<Record<string, number>>;
  /** Number of grid points (default 201). */
  readonly gridPoints?: number;
}

const regretOf = (d: Direction, v: number, best: number): number =>
  d === 'minimize' ? v - best : best - v;

/** by[method][metric] = the trajectories, sorted by seed. */
function byMethodAndMetric(
  trajectories: readonly Trajectory[],
): Map<string, Map<string, Trajectory[]>> {
  const by = new Map<string, Map<string, Trajectory[]>>();
  for (const t of trajectories) {
    let m = by.get(t.method);
    if (m === undefined) by.set(t.method, (m = new Map()));
    let l = m.get(t.metric);
    if (l === undefined) m.set(t.metric, (l = []));
    l.push(t);
  }
  for (const m of by.values()) for (const l of m.values()) l.sort((a, b) => a.seed - b.seed);
  return by;
}

/** Mean, sem, median and quartiles over seeds of the best-so-far at each grid point (null before every seed has a value). */
function curveStats(fs: readonly StepFunction[], grid: readonly number[]): CurveStats {
  const cs: CurveStats = { mean: [], sem: [], median: [], q25: [], q75: [] };
  for (const x of grid) {
    const vs = fs.map((f) => evalStep(f, x));
    if (vs.length === 0 || vs.some((v) => v === undefined)) {
      cs.mean.push(null);
      cs.sem.push(null);
      cs.median.push(null);
      cs.q25.push(null);
      cs.q75.push(null);
    } else {
      const s = sampleStats(vs as number[]);
      cs.mean.push(s.mean);
      cs.sem.push(s.sem);
      cs.median.push(s.median);
      cs.q25.push(s.q25);
      cs.q75.push(s.q75);
    }
  }
  return cs;
}

/** Speedups of method A over method B (their step functions by metric), per metric and per seed. */
function pairSpeedup(
  metrics: readonly string[],
  directions: Readonly<Record<string, Direction>>,
  fnsA: (metric: string) => StepFunction[],
  fnsB: (metric: string) => StepFunction[],
): BenchSummary['speedups'][string][string] {
  const perMetric: Record<string, number | null> = {};
  const touch: Record<string, number | null> = {};
  const perSeed: Record<string, (number | null)[]> = {};
  const perSeedMedian: Record<string, number | null> = {};
  const notReached: string[] = [];
  for (const metric of metrics) {
    const d = directions[metric] ?? 'minimize';
    const fa = fnsA(metric);
    const fb = fnsB(metric);
    const s = speedup(meanStep(fa), meanStep(fb), d);
    perMetric[metric] = s.speedup;
    touch[metric] = s.firstTouch;
    if (s.speedup === null) notReached.push(metric);
    const n = Math.min(fa.length, fb.length);
    const ps: (number | null)[] = [];
    for (let i = 0; i < n; i++)
      ps.push(speedup(fa[i] as StepFunction, fb[i] as StepFunction, d).speedup);
    perSeed[metric] = ps;
    perSeedMedian[metric] = medianWithNulls(ps);
  }
  return {
    median: medianWithNulls(metrics.map((m) => perMetric[m] ?? null)),
    perMetric,
    notReached,
    firstTouch: {
      median: medianWithNulls(metrics.map((m) => touch[m] ?? null)),
      perMetric: touch,
    },
    perSeed,
    perSeedMedian,
  };
}

/** Aggregates `trajectories` (any order) into a {@link BenchSummary}. */
export function summarize(
  trajectories: readonly Trajectory[],
  opts: SummaryOptions = {},
): BenchSummary {
  const first = trajectories[0];
  const methods = [...new Set(trajectories.map((t) => t.method))];
  const metrics = [...new Set(trajectories.map((t) => t.metric))];
  const directions: Record<string, Direction> = {};
  for (const t of trajectories) directions[t.metric] = t.direction;
  const budget = Math.max(0, ...trajectories.map((t) => t.budget));
  const targetCost = Math.max(0, ...trajectories.map((t) => t.targetCost));
  const horizon = budget + targetCost;
  const G = opts.gridPoints ?? 201;
  const grid = Array.from({ length: G }, (_, i) => (horizon * i) / (G - 1));
  const reference = { ...(opts.reference ?? {}) };

  const by = byMethodAndMetric(trajectories);

  const fns = new Map<string, StepFunction[]>();
  const key = (method: string, metric: string): string => `${method}\u0000${metric}`;
  const curves: BenchSummary['curves'] = {};
  const final: BenchSummary['final'] = {};
  const finalRegret: BenchSummary['finalRegret'] = {};
  const runs: BenchSummary['runs'] = {};
  for (const method of methods) {
    curves[method] = {};
    final[method] = {};
    finalRegret[method] = {};
    let nRuns = 0;
    let nSpent = 0;
    let nJobs = 0;
    for (const metric of metrics) {
      const ts = by.get(method)?.get(metric) ?? [];
      const fs = ts.map((t) => stepFunction(t.points));
      fns.set(key(method, metric), fs);
      for (const t of ts) {
        nRuns += t.points.length;
        nSpent += t.points[t.points.length - 1]?.spent ?? 0;
        nJobs++;
      }
      curves[method][metric] = curveStats(fs, grid);
      const finals = fs
        .map((f) => f.values[f.values.length - 1])
        .filter((v): v is number => v !== undefined);
      if (finals.length > 0) {
        final[method][metric] = sampleStats(finals);
        const ref = reference[metric];
        if (ref !== undefined) {
          const s = sampleStats(
            finals.map((v) => regretOf(directions[metric] ?? 'minimize', v, ref)),
          );
          finalRegret[method][metric] = { mean: s.mean, sem: s.sem };
        }
      }
    }
    runs[method] = {
      meanRuns: nJobs > 0 ? nRuns / nJobs : 0,
      meanSpent: nJobs > 0 ? nSpent / nJobs : 0,
    };
  }

  const speedups: BenchSummary['speedups'] = {};
  for (const a of methods) {
    speedups[a] = {};
    for (const b of methods) {
      if (a === b) continue;
      speedups[a][b] = pairSpeedup(
        metrics,
        directions,
        (metric) => fns.get(key(a, metric)) ?? [],
        (metric) => fns.get(key(b, metric)) ?? [],
      );
    }
  }

  const errors = trajectories
    .filter((t) => t.error !== undefined)
    .map((t) => ({ method: t.method, metric: t.metric, seed: t.seed, error: t.error as string }));

  const failedProposals = trajectories
    .filter((t) => (t.failedProposals?.length ?? 0) > 0)
    .map((t) => ({
      method: t.method,
      metric: t.metric,
      seed: t.seed,
      count: t.failedProposals?.length ?? 0,
      first: t.failedProposals?.[0]?.error ?? '',
    }));

  return {
    testbed: first?.testbed ?? '',
    methods,
    metrics,
    directions,
    seeds: new Set(trajectories.map((t) => t.seed)).size,
    budget,
    targetCost,
    horizon,
    grid,
    curves,
    final,
    finalRegret,
    reference,
    speedups,
    runs,
    errors,
    failedProposals,
  };
}
