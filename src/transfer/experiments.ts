/**
 * The scale-transfer study: for each experiment, metric and seed, split the
 * run set, fit the surrogate on the training points, predict the test runs'
 * final values, and score the predictions.
 *
 * Notation:
 * - `E`, `μ`, `r`  experiment, metric, seed (the seed of the random split;
 *                  the GP's restarts use the same seed).
 * - `y_i`          final value (at `z_max`) of test run `i`; `ŷ_i`, `σ_i²` the
 *                  surrogate's predictive mean and variance (incl. noise) there.
 * - per cell (E, μ): R², R² on log values and interval coverage are computed
 *                  per seed, then reported as mean and sample std over seeds.
 * - rank scores    Spearman ρ, Kendall τ_b and top-k overlap (./rank.ts) of
 *                  the test runs at the largest size among them (the target
 *                  of E1..E3; every test run of E1..E5): does the surrogate
 *                  order those mixtures, and find their best, correctly?
 * - `n_cond`, `n_fit` caps on the points the GP is conditioned / fitted on;
 *                  when a split yields more points, curves are thinned on a
 *                  common step grid (see {@link thinPoints}).
 */
import { DataError, ValidationError } from '../core/index.ts';
import { intervalCoverage, meanStd, rSquared, rSquaredLog } from './metrics.ts';
import { type RankScores, rankScores } from './rank.ts';
import type { RunSet } from './run-set.ts';
import { finalValue } from './run-set.ts';
import {
  ALL_EXPERIMENTS,
  type ExperimentId,
  fullLength,
  makeSplit,
  type Split,
  type SplitCompute,
  type SplitOptions,
  splitCompute,
  truncationDesign,
} from './splits.ts';
import {
  DEFAULT_SURROGATE,
  encodeRunInput,
  mfmsSurrogate,
  type SurrogateFactory,
  type SurrogateSpec,
  type TrainingData,
  transferSpace,
} from './surrogate.ts';

/** Nominal levels of the calibration curve. */
export const CALIBRATION_LEVELS: readonly number[] = [0.5, 0.68, 0.8, 0.9, 0.95, 0.99];

/** Options of {@link runTransfer}. */
export interface TransferOptions {
  /** Default: every experiment the run set supports (see {@link supportedExperiments}). */
  readonly experiments?: readonly ExperimentId[];
  /** Default: every metric of the run set. */
  readonly metrics?: readonly string[];
  /** Split seeds (default `[0, 1, 2]`). */
  readonly seeds?: readonly number[];
  readonly split?: SplitOptions;
  /** Surrogate settings (default {@link DEFAULT_SURROGATE}); ignored when `factory` is given. */
  readonly surrogate?: Partial<SurrogateSpec>;
  /** Replace the MFMS-GP (tests, other surrogates). */
  readonly factory?: SurrogateFactory;
  /** Cost of a run, for the compute accounting of the splits. */
  readonly cost?: (scale: string, steps: number) => number;
  /** Called after every fit (progress). */
  readonly onProgress?: (event: TransferProgress) => void;
}

/** A progress event. */
export interface TransferProgress {
  readonly done: number;
  readonly total: number;
  readonly experiment: ExperimentId;
  readonly metric: string;
  readonly seed: number;
  readonly r2: number;
  readonly seconds: number;
}

/** One held-out prediction. */
export interface HeldOutPrediction {
  readonly run: string;
  readonly scale: string;
  readonly value: number;
  readonly mean: number;
  readonly std: number;
}

/** The outcome of one (experiment, metric, seed). */
export interface SeedResult {
  readonly seed: number;
  readonly r2: number;
  /** Undefined when a true or predicted value is not positive. */
  readonly r2Log: number | undefined;
  readonly coverage90: number;
  /** Coverage at each of {@link CALIBRATION_LEVELS}. */
  readonly coverage: readonly number[];
  readonly nTrain: number;
  readonly nCond: number;
  readonly nFit: number;
  readonly nTest: number;
  readonly seconds: number;
  /** Rank scores of the test runs at the largest test size (module comment). */
  readonly rank: RankScores;
  readonly predictions: readonly HeldOutPrediction[];
}

/** Mean rank scores of a cell over seeds (undefined where some seed has none). */
export interface CellRank {
  readonly spearman: number | undefined;
  readonly spearmanStd: number | undefined;
  readonly kendall: number | undefined;
  readonly top1: number | undefined;
  readonly top5: number | undefined;
  readonly top10pct: number | undefined;
}

/** The outcome of one (experiment, metric) over seeds. */
export interface CellResult {
  readonly experiment: ExperimentId;
  readonly metric: string;
  readonly r2: number;
  readonly r2Std: number;
  /** Mean over seeds of R² on log values; undefined if undefined for some seed. */
  readonly r2Log: number | undefined;
  readonly r2LogStd: number | undefined;
  readonly coverage90: number;
  /** Mean coverage at each of {@link CALIBRATION_LEVELS}. */
  readonly coverage: readonly number[];
  /** Mean rank scores over seeds. */
  readonly rank: CellRank;
  readonly seeds: readonly SeedResult[];
}

/** What an experiment trained on (for the first seed). */
export interface ExperimentInfo {
  readonly id: ExperimentId;
  readonly description: string;
  readonly trainRuns: number;
  readonly testRuns: number;
  readonly compute: SplitCompute;
}

/** The study's result. */
export interface TransferResult {
  readonly source: string;
  readonly seeds: readonly number[];
  readonly metrics: readonly string[];
  readonly experiments: readonly ExperimentInfo[];
  readonly cells: readonly CellResult[];
  readonly surrogate: SurrogateSpec | 'custom';
  readonly halfTrainPoints: 'final' | 'curve';
}

/**
 * The experiments a run set supports (E4/E5 need 2/3 scales; E6..E8 learning
 * curves whose full length is above the cut, see `truncationDesign`).
 */
export function supportedExperiments(runSet: RunSet): ExperimentId[] {
  const S = runSet.scales.length;
  const curves = runSet.runs.some((r) => r.steps.length > 1);
  return ALL_EXPERIMENTS.filter((e) => {
    if (e === 'E1' || e === 'E3') return S >= 1;
    if (e === 'E2' || e === 'E4') return S >= 2;
    if (e === 'E5') return S >= 3;
    if (e === 'custom') return false;
    const d = truncationDesign(runSet, e);
    return curves && d.cutAt < d.full;
  });
}

/**
 * Thins training points to at most `cap` rows: every point whose step is a
 * multiple of `g · logEvery` plus each run's last used point, for the smallest
 * stride `g >= 1` that fits (then, if the last points alone exceed the cap,
 * an even subsample of rows). Returns row indices, ascending.
 */
export function thinPoints(
  pointSteps: readonly number[],
  isLast: readonly boolean[],
  logEvery: number,
  cap: number,
): number[] {
  const n = pointSteps.length;
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= cap) return all;
  for (let g = 2; g <= 10_000; g++) {
    const rows = all.filter(
      (i) => isLast[i] === true || Math.round((pointSteps[i] as number) / logEvery) % g === 0,
    );
    if (rows.length <= cap) return rows;
    if (rows.every((i) => isLast[i] === true)) break;
  }
  const lasts = all.filter((i) => isLast[i] === true);
  const pool = lasts.length > 0 ? lasts : all;
  const out: number[] = [];
  for (let j = 0; j < cap; j++) out.push(pool[Math.floor((j * pool.length) / cap)] as number);
  return [...new Set(out)];
}

/** Training rows of a split for one metric (all points, before thinning). */
export function trainingPoints(
  runSet: RunSet,
  split: Split,
  metric: string,
  sizeEncoding: 'log' | 'linear',
): { X: number[][]; y: number[]; steps: number[]; isLast: boolean[]; runs: number[] } {
  const X: number[][] = [];
  const y: number[] = [];
  const steps: number[] = [];
  const isLast: boolean[] = [];
  const runs: number[] = [];
  const space = transferSpace(runSet);
  for (const t of split.train) {
    const run = runSet.runs[t.run];
    if (run === undefined)
      throw new ValidationError(`split names run index ${t.run}, not in the run set`);
    const ys = run.values[metric];
    if (ys === undefined) {
      throw new ValidationError(`run '${run.id}' has no values for metric '${metric}'`);
    }
    let idx: number[] = [];
    run.steps.forEach((z, l) => {
      if (z <= t.upTo) idx.push(l);
    });
    if (idx.length === 0) continue;
    if (t.finalOnly) idx = [idx[idx.length - 1] as number];
    // Missing values (empty cells of recorded runs) are skipped for this metric.
    idx = idx.filter((l) => Number.isFinite(ys[l]));
    idx.forEach((l, j) => {
      const v = ys[l] as number;
      const z = run.steps[l] as number;
      X.push(encodeRunInput(space, run.mixture, run.scale, z, sizeEncoding));
      y.push(v);
      steps.push(z);
      isLast.push(j === idx.length - 1);
      runs.push(t.run);
    });
  }
  return { X, y, steps, isLast, runs };
}

function logEveryOf(runSet: RunSet): number {
  for (const r of runSet.runs) {
    if (r.steps.length > 1) return (r.steps[1] as number) - (r.steps[0] as number);
  }
  return runSet.maxSteps;
}

/**
 * Runs the study: every (experiment, metric, seed), in that order.
 * @throws ValidationError for an unknown metric or an experiment the run set
 *   does not support; NumericsError from the GP.
 */
export function runTransfer(runSet: RunSet, options: TransferOptions = {}): TransferResult {
  const supported = [
    ...supportedExperiments(runSet),
    ...(options.split?.custom !== undefined ? (['custom'] as const) : []),
  ];
  const experiments = options.experiments ?? supported;
  for (const e of experiments) {
    if (!supported.includes(e)) {
      throw new ValidationError(
        `experiment ${e} needs ${e === 'custom' ? 'a split (--train SIZES --test SIZE)' : e === 'E5' ? '3 scales' : e === 'E4' || e === 'E2' ? '2 scales' : `learning curves (several checkpoints per run) longer than its cut (full length here: ${fullLength(runSet)} steps)`}; this run set (${runSet.source}) supports ${supported.join(', ')}`,
        { experiment: e },
      );
    }
  }
  const metrics = options.metrics ?? runSet.metrics.map((m) => m.name);
  for (const m of metrics) {
    if (!runSet.metrics.some((x) => x.name === m)) {
      throw new ValidationError(
        `unknown metric '${m}'; the run set has ${runSet.metrics.map((x) => x.name).join(', ')}`,
        { metric: m },
      );
    }
  }
  const seeds = options.seeds ?? [0, 1, 2];
  if (seeds.length === 0) throw new ValidationError('give at least one seed');
  const spec: SurrogateSpec = { ...DEFAULT_SURROGATE, ...(options.surrogate ?? {}) };
  const factory = options.factory ?? mfmsSurrogate(spec);
  const logEvery = logEveryOf(runSet);
  const total = experiments.length * metrics.length * seeds.length;
  let done = 0;
  const infos: ExperimentInfo[] = [];
  const cells: CellResult[] = [];
  for (const e of experiments) {
    const splits = seeds.map((s) => makeSplit(runSet, e, s, options.split));
    const first = splits[0] as Split;
    infos.push({
      id: e,
      description: first.description,
      trainRuns: first.train.length,
      testRuns: first.test.length,
      compute: splitCompute(runSet, first, options.cost),
    });
    for (const metric of metrics) {
      const seedResults: SeedResult[] = [];
      for (const split of splits) {
        const t0 = performance.now();
        const r = runOne(runSet, split, metric, spec, factory, logEvery);
        const seconds = (performance.now() - t0) / 1000;
        seedResults.push({ ...r, seconds });
        done++;
        options.onProgress?.({
          done,
          total,
          experiment: e,
          metric,
          seed: split.seed,
          r2: r.r2,
          seconds,
        });
      }
      cells.push(summarise(e, metric, seedResults));
    }
  }
  return {
    source: runSet.source,
    seeds,
    metrics,
    experiments: infos,
    cells,
    surrogate: options.factory === undefined ? spec : 'custom',
    halfTrainPoints: options.split?.halfTrainPoints ?? 'final',
  };
}

function runOne(
  runSet: RunSet,
  split: Split,
  metric: string,
  spec: SurrogateSpec,
  factory: SurrogateFactory,
  logEvery: number,
): Omit<SeedResult, 'seconds'> {
  const pts = trainingPoints(runSet, split, metric, spec.sizeEncoding);
  const n = pts.y.length;
  const k = runSet.domains.length;
  const d = k + 2;
  const X = new Float64Array(n * d);
  pts.X.forEach((row, i) => {
    X.set(row, i * d);
  });
  const condRows = thinPoints(pts.steps, pts.isLast, logEvery, spec.maxPoints);
  const fitSub = thinPoints(
    condRows.map((i) => pts.steps[i] as number),
    condRows.map((i) => pts.isLast[i] as boolean),
    logEvery,
    spec.maxFitPoints,
  );
  const fitRows = fitSub.map((j) => condRows[j] as number);
  const train: TrainingData = {
    X,
    y: Float64Array.from(pts.y),
    n,
    d,
    k,
    condRows,
    fitRows,
    source: {
      runSet,
      metric,
      sizeEncoding: spec.sizeEncoding,
      rows: pts.runs.map((run, i) => ({ run, step: pts.steps[i] as number })),
    },
  };
  const predictor = factory(train, split.seed);
  // Test runs whose final value of this metric is missing are left out.
  const test = split.test.filter((ri) => {
    const run = runSet.runs[ri];
    return run !== undefined && Number.isFinite(finalValue(run, metric));
  });
  if (test.length < 2) {
    throw new ValidationError(
      `${split.experiment}: only ${test.length} test runs have a final ${metric} value; R² needs at least 2`,
    );
  }
  const space = transferSpace(runSet);
  const Xs = new Float64Array(test.length * d);
  const yTest: number[] = [];
  test.forEach((ri, i) => {
    const run = runSet.runs[ri];
    if (run === undefined)
      throw new ValidationError(`split names run index ${ri}, not in the run set`);
    const zFinal = run.steps[run.steps.length - 1] as number;
    Xs.set(encodeRunInput(space, run.mixture, run.scale, zFinal, spec.sizeEncoding), i * d);
    yTest.push(finalValue(run, metric));
  });
  const { mean, variance } = predictor.predict(Xs);
  const scaleOrder = runSet.scales.map((sc) => sc.name);
  const top = test.reduce(
    (a, ri) => Math.max(a, scaleOrder.indexOf(runSet.runs[ri]?.scale ?? '')),
    -1,
  );
  const ranked = test.flatMap((ri, i) =>
    scaleOrder.indexOf(runSet.runs[ri]?.scale ?? '') === top ? [i] : [],
  );
  const direction = runSet.metrics.find((x) => x.name === metric)?.direction ?? 'minimize';
  const predictions: HeldOutPrediction[] = test.map((ri, i) => ({
    run: runSet.runs[ri]?.id ?? String(ri),
    scale: runSet.runs[ri]?.scale ?? '',
    value: yTest[i] as number,
    mean: mean[i] as number,
    std: Math.sqrt(Math.max(0, variance[i] as number)),
  }));
  return {
    seed: split.seed,
    r2: rSquared(yTest, mean),
    r2Log: rSquaredLog(yTest, mean),
    coverage90: intervalCoverage(yTest, mean, variance, 0.9),
    coverage: CALIBRATION_LEVELS.map((q) => intervalCoverage(yTest, mean, variance, q)),
    nTrain: n,
    nCond: predictor.info.nCond,
    nFit: predictor.info.nFit,
    nTest: test.length,
    rank: rankScores(
      ranked.map((i) => yTest[i] as number),
      ranked.map((i) => mean[i] as number),
      direction,
    ),
    predictions,
  };
}

function summarise(e: ExperimentId, metric: string, seeds: readonly SeedResult[]): CellResult {
  const r2 = meanStd(seeds.map((s) => s.r2));
  const logs = seeds.map((s) => s.r2Log);
  const r2Log = logs.every((x) => x !== undefined) ? meanStd(logs as number[]) : undefined;
  const cov = meanStd(seeds.map((s) => s.coverage90));
  const avg = (f: (r: RankScores) => number | undefined) => {
    const xs = seeds.map((s) => f(s.rank));
    return xs.every((x) => x !== undefined) ? meanStd(xs as number[]) : undefined;
  };
  const rho = avg((r) => r.spearman);
  return {
    experiment: e,
    metric,
    r2: r2.mean,
    r2Std: r2.std,
    r2Log: r2Log?.mean,
    r2LogStd: r2Log?.std,
    coverage90: cov.mean,
    coverage:
      seeds[0]?.coverage.map((_, j) => meanStd(seeds.map((s) => s.coverage[j] as number)).mean) ??
      [],
    rank: {
      spearman: rho?.mean,
      spearmanStd: rho?.std,
      kendall: avg((r) => r.kendall)?.mean,
      top1: avg((r) => r.top1)?.mean,
      top5: avg((r) => r.top5)?.mean,
      top10pct: avg((r) => r.top10pct)?.mean,
    },
    seeds,
  };
}

/**
 * The `--json` summary:
 * `{"experiments": {"E1": {"<metric>": {"r2", "r2Std", "r2Log", "coverage90",
 * "spearman", "spearmanStd", "kendall", "top1", "top5", "top10pct"}}}}`
 * (null where undefined), plus what each experiment trained on.
 */
export function transferSummary(result: TransferResult): {
  source: string;
  seeds: readonly number[];
  experiments: Record<
    string,
    Record<
      string,
      {
        r2: number;
        r2Std: number;
        r2Log: number | null;
        r2LogStd: number | null;
        coverage90: number;
        coverage: Record<string, number>;
        spearman: number | null;
        spearmanStd: number | null;
        kendall: number | null;
        top1: number | null;
        top5: number | null;
        top10pct: number | null;
      }
    >
  >;
  design: Record<string, Omit<ExperimentInfo, 'id'>>;
  surrogate: SurrogateSpec | 'custom';
  halfTrainPoints: 'final' | 'curve';
} {
  const experiments: ReturnType<typeof transferSummary>['experiments'] = {};
  for (const c of result.cells) {
    const row = (experiments[c.experiment] ??= {});
    row[c.metric] = {
      r2: c.r2,
      r2Std: c.r2Std,
      r2Log: c.r2Log ?? null,
      r2LogStd: c.r2LogStd ?? null,
      coverage90: c.coverage90,
      coverage: Object.fromEntries(
        CALIBRATION_LEVELS.map((q, j) => [String(q), c.coverage[j] as number]),
      ),
      spearman: c.rank.spearman ?? null,
      spearmanStd: c.rank.spearmanStd ?? null,
      kendall: c.rank.kendall ?? null,
      top1: c.rank.top1 ?? null,
      top5: c.rank.top5 ?? null,
      top10pct: c.rank.top10pct ?? null,
    };
  }
  const design: Record<string, Omit<ExperimentInfo, 'id'>> = {};
  for (const { id, ...rest } of result.experiments) design[id] = rest;
  return {
    source: result.source,
    seeds: result.seeds,
    experiments,
    design,
    surrogate: result.surrogate,
    halfTrainPoints: result.halfTrainPoints,
  };
}

/** The JSON summary written by {@link transferSummary}. */
export type TransferSummary = ReturnType<typeof transferSummary>;

/**
 * Rebuilds a result (without per-seed results and predictions) from its JSON
 * summary, so that tables, CSV and charts can be redrawn without refitting.
 * @throws DataError when the summary lacks a field the redraw needs.
 */
export function resultFromSummary(summary: unknown, where = 'summary'): TransferResult {
  const s = summary as Partial<TransferSummary> | null;
  const bad = (what: string): never => {
    throw new DataError(
      `${where} is not a transfer summary (${what}); write one with mixopt transfer --out DIR`,
    );
  };
  if (s === null || typeof s !== 'object') return bad('not an object');
  if (s.experiments === undefined || s.design === undefined)
    return bad("no 'experiments' or 'design'");
  const metrics: string[] = [];
  const cells: CellResult[] = [];
  const infos: ExperimentInfo[] = [];
  for (const [id, row] of Object.entries(s.experiments)) {
    if (!(ALL_EXPERIMENTS as readonly string[]).includes(id) && id !== 'custom')
      return bad(`unknown experiment '${id}'`);
    const design = s.design[id];
    if (design === undefined) return bad(`no design for ${id}`);
    infos.push({ id: id as ExperimentId, ...design });
    for (const [metric, c] of Object.entries(row)) {
      if (!metrics.includes(metric)) metrics.push(metric);
      if (typeof c.r2 !== 'number' || typeof c.coverage90 !== 'number')
        return bad(`${id}.${metric} lacks r2/coverage90`);
      cells.push({
        experiment: id as ExperimentId,
        metric,
        r2: c.r2,
        r2Std: c.r2Std,
        r2Log: c.r2Log ?? undefined,
        r2LogStd: c.r2LogStd ?? undefined,
        coverage90: c.coverage90,
        coverage: CALIBRATION_LEVELS.map((q) => c.coverage?.[String(q)] ?? Number.NaN),
        rank: {
          spearman: c.spearman ?? undefined,
          spearmanStd: c.spearmanStd ?? undefined,
          kendall: c.kendall ?? undefined,
          top1: c.top1 ?? undefined,
          top5: c.top5 ?? undefined,
          top10pct: c.top10pct ?? undefined,
        },
        seeds: [],
      });
    }
  }
  if (cells.some((c) => c.coverage.some((x) => !Number.isFinite(x))))
    return bad('missing coverage levels');
  return {
    source: s.source ?? where,
    seeds: s.seeds ?? [],
    metrics,
    experiments: infos,
    cells,
    surrogate: s.surrogate ?? 'custom',
    halfTrainPoints: s.halfTrainPoints ?? 'final',
  };
}
