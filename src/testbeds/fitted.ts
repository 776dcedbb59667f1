/**
 * The fitted mode of recorded runs: a simulator built from the runs, one
 * surrogate per metric over `(w, m, z)`, so that any mixture can be queried
 * at any size and step in the recorded ranges.
 *
 * Notation:
 * - `k` domains; `x = [w_1..w_k, s, t]` with `s = ln(N_m/N_min)/ln(N_max/N_min)`
 *   and `t = ln(z/z_min)/ln(z_max/z_min)` (each left out when the runs have
 *   one size / one step: a constant input carries nothing).
 * - `T` the output transform: `T(y) = ln y` for a metric that is minimised
 *   and positive in every run (losses: the testbed never answers a negative
 *   loss), the identity otherwise. The surrogate models `u = T(y)`; the
 *   testbed answers `T⁻¹(μ_u(x))` (for a log transform the posterior median).
 * - held-out check: a seeded fraction `h` of the runs (default 0.2) is left
 *   out, the surrogate is fitted on the rest and predicts every checkpoint of
 *   the held-out runs: `R²` in original units and the share of held-out
 *   values inside the central 90% predictive interval `T⁻¹(μ_u ± 1.645 σ_u)`
 *   (`σ_u²` includes the observation noise) are reported. The final
 *   surrogate uses the same hyper-parameters, conditioned on every run.
 *
 * The surrogate is a {@link SurfaceModel}: the default is the exact GP of
 * src/gp (product of a Matérn-5/2 kernel on `w` and RBF kernels on `s`, `t`;
 * a mean linear in `s` and `t`, constant in `w`; learned noise). Another model can be swapped in through
 * {@link FittedTestbedOptions.model}. Fitted hyper-parameters are cached in
 * `<cache dir>/fitted/` keyed by a hash of the runs, the mapping and the
 * settings, so rebuilding the testbed (e.g. in every benchmark worker) is
 * fast; it is deterministic with or without the cache.
 *
 * Import direction: this file reads src/gp (a testbed that is a model), which
 * imports only linalg and core.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CurvePoint,
  DataError,
  type MetricSpec,
  type Mixture,
  type ReferenceOptimum,
  Rng,
} from '../core/index.ts';
import { conditionGP, fitGP, type GPHyperparameters, type GPOptions } from '../gp/index.ts';
import { resolveCacheDir, type TestbedDirOptions } from './data-dir.ts';
import { checkQuery, loggedSteps, metricIndex, scaleIndex } from './query.ts';
import type { RecordedRuns } from './recorded-runs.ts';
import { referenceOptimum } from './reference-optimum.ts';
import { groupRuns, type ReplayRun, recordedCost, recordedShape } from './replay.ts';
import type { MixtureObjective, SimulatorTestbed } from './simulator.ts';

/** Bump when the fitting changes, so cached fits are redone. */
export const FIT_VERSION = 1;

/** `Φ⁻¹(0.95)`: half-width of the central 90% normal interval, in standard deviations. */
const Z90 = 1.6448536269514722;

/** Training data of a surface model: `n` rows of `X` (n × d), `y` in model units (`T(y)`). */
export interface SurfaceData {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly d: number;
  /** The first `k` columns are the mixture weights. */
  readonly k: number;
}

/** A fitted surface of one metric, in model units. Immutable. */
export interface FittedSurface {
  /** Predictive mean and variance (including observation noise) at the rows of `Xs`. */
  predict(Xs: Float64Array): { mean: Float64Array; variance: Float64Array };
  /** Predictive mean only (fast path). */
  predictMean(Xs: Float64Array): Float64Array;
  /** Mean at one row and its gradient with respect to the row (length d). */
  meanAndGradient(x: Float64Array): { mean: number; dMean: Float64Array };
}

/**
 * A surrogate model the fitted mode can use. Contract: `fit` is a pure
 * function of its data and seed and returns JSON (the fitted parameters);
 * `condition(data, state)` with that state gives the same surface every time.
 */
export interface SurfaceModel {
  /** Identifies the model and its settings (part of the cache key). */
  readonly id: string;
  fit(data: SurfaceData, seed: number): unknown;
  condition(data: SurfaceData, state: unknown): FittedSurface;
}

/** The default model: the exact GP of src/gp (see the module comment). */
export function gpSurfaceModel(opts: { maxFitPoints?: number } = {}): SurfaceModel {
  const maxFitPoints = opts.maxFitPoints ?? 200;
  const options = (data: SurfaceData, seed: number): GPOptions => {
    const wDims = Array.from({ length: data.k }, (_, j) => j);
    const rest = Array.from({ length: data.d - data.k }, (_, j) => data.k + j);
    const terms = [
      { kind: 'matern52' as const, dims: wDims },
      ...rest.map((j) => ({ kind: 'rbf' as const, dims: [j] })),
    ];
    return {
      kernel: terms.length === 1 ? (terms[0] as GPOptions['kernel']) : { kind: 'product', terms },
      // Linear in size and steps only: a trend in the mixture would carry the
      // surface far beyond the recorded values at the simplex's vertices.
      mean: rest.length > 0 ? { kind: 'linear', dims: rest } : 'constant',
      noise: { kind: 'learned', lower: 1e-6 },
      restarts: 2,
      maxIter: 100,
      seed,
      ...(data.n > maxFitPoints ? { fitPoints: maxFitPoints } : {}),
    };
  };
  return {
    id: `gp-matern52w-rbf-fidelitymean-fit${maxFitPoints}`,
    fit(data, seed) {
      const gp = fitGP(data.X, data.y, data.d, options(data, seed));
      return JSON.parse(JSON.stringify(gp.hyperparameters)) as unknown;
    },
    condition(data, state) {
      const gp = conditionGP(data.X, data.y, data.d, options(data, 0), state as GPHyperparameters);
      return {
        predict: (Xs) => gp.predict(Xs, { includeNoise: true }),
        predictMean: (Xs) => gp.predictMean(Xs),
        meanAndGradient: (x) => {
          const r = gp.predictWithGradient(x);
          return { mean: r.mean, dMean: r.dMean };
        },
      };
    },
  };
}

/** Held-out fit quality of one metric (module comment). */
export interface FitQuality {
  readonly metric: string;
  readonly transform: 'log' | 'identity';
  /** Checkpoints fitted on / held out, and held-out runs. */
  readonly nTrain: number;
  readonly nHeldOut: number;
  readonly heldOutRuns: number;
  /** R² of held-out values (original units); undefined when fewer than 2 or all equal. */
  readonly r2: number | undefined;
  /** R² of the held-out values at the target size only (the values the benchmark scores). */
  readonly r2Target: number | undefined;
  /** Share of held-out values inside the central 90% predictive interval. */
  readonly coverage90: number | undefined;
  /** Seconds spent fitting (0 when read from the cache). */
  readonly seconds: number;
}

/** Options of {@link createFittedTestbed}. */
export interface FittedTestbedOptions extends TestbedDirOptions {
  readonly name?: string;
  /** Seed of the held-out draw and of the fit (default: the mapping's `fit.seed`, else 0). */
  readonly seed?: number;
  /** Share of runs held out for the quality check (default: the mapping's `fit.heldOut`, else 0.2; 0 skips it). */
  readonly heldOut?: number;
  /** At most this many checkpoints are conditioned on (default: the mapping's `fit.maxPoints`, else 1000). */
  readonly maxPoints?: number;
  /** The surrogate (default {@link gpSurfaceModel}). */
  readonly model?: SurfaceModel;
  /** Never read or write the fit cache. */
  readonly noCache?: boolean;
}

/** A fitted testbed: a simulator with its held-out fit quality. */
export interface FittedTestbed extends SimulatorTestbed {
  readonly fitted: true;
  /** Fits the metrics not fitted yet (default: all) and returns their quality, in order. */
  fitQuality(metrics?: readonly string[]): FitQuality[];
}

/** Whether a testbed is a fitted one. */
export function isFittedTestbed(tb: unknown): tb is FittedTestbed {
  return (tb as Partial<FittedTestbed> | null)?.fitted === true;
}

interface MetricFit {
  readonly surface: FittedSurface;
  readonly transform: 'log' | 'identity';
  readonly quality: FitQuality;
}

interface CacheEntry {
  readonly state: unknown;
  readonly quality: FitQuality;
}

function r2Of(y: readonly number[], yHat: readonly number[]): number | undefined {
  if (y.length < 2) return undefined;
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let res = 0;
  let tot = 0;
  y.forEach((v, i) => {
    res += (v - (yHat[i] as number)) ** 2;
    tot += (v - mean) ** 2;
  });
  return tot > 0 ? 1 - res / tot : undefined;
}

/**
 * At most `cap` of `rows`: all when they fit; else every row marked `last`
 * (evenly subsampled if those alone exceed the cap), then an even stride over
 * the other rows. Keeps the order of `rows`.
 */
export function thin<T extends { readonly last: boolean }>(rows: readonly T[], cap: number): T[] {
  if (rows.length <= cap) return [...rows];
  const even = (xs: readonly number[], m: number): number[] =>
    Array.from({ length: m }, (_, j) => xs[Math.floor((j * xs.length) / m)] as number);
  const idx = rows.map((_, i) => i);
  const lasts = idx.filter((i) => (rows[i] as T).last);
  if (lasts.length >= cap) return even(lasts, cap).map((i) => rows[i] as T);
  const others = idx.filter((i) => !(rows[i] as T).last);
  const keep = new Set([...lasts, ...even(others, cap - lasts.length)]);
  return idx.filter((i) => keep.has(i)).map((i) => rows[i] as T);
}

/** One checkpoint of a metric: its row in the encoded inputs, value, and where it belongs. */
interface FitRow {
  readonly x: number;
  readonly y: number;
  readonly held: boolean;
  readonly target: boolean;
  readonly last: boolean;
}

/** What every metric's fit shares: the settings, the input encoding, the held-out runs, the cache. */
interface FitSetup {
  readonly runs: RecordedRuns;
  readonly opts: FittedTestbedOptions;
  readonly name: string;
  readonly seed: number;
  readonly heldOut: number;
  readonly maxPoints: number;
  readonly model: SurfaceModel;
  readonly target: ReturnType<typeof recordedShape>['target'];
  readonly shape: ReturnType<typeof recordedShape>['shape'];
  /** Domains, and input dimensions (mixture, then log size and log steps when they vary). */
  readonly k: number;
  readonly d: number;
  readonly encodeInto: (
    out: Float64Array,
    off: number,
    w: ArrayLike<number>,
    scale: string,
    z: number,
  ) => void;
  readonly groups: readonly ReplayRun[];
  /** The held-out runs. */
  readonly held: ReadonlySet<ReplayRun>;
  readonly nHeld: number;
  readonly fingerprint: string;
  readonly cacheFile: string;
  /** Fits made so far, by metric. */
  readonly fits: Map<string, MetricFit>;
}

/** Resolves the options and prepares the encoding, held-out split and cache file. */
function fitSetup(runs: RecordedRuns, opts: FittedTestbedOptions): FitSetup {
  const m = runs.mapping;
  const fitCfg = typeof m.fit === 'object' ? m.fit : {};
  const name = opts.name ?? (m.fit !== undefined && m.fit !== false ? m.name : `${m.name}-fit`);
  const seed = opts.seed ?? fitCfg.seed ?? 0;
  const heldOut = opts.heldOut ?? fitCfg.heldOut ?? 0.2;
  const maxPoints = opts.maxPoints ?? fitCfg.maxPoints ?? 1000;
  const model = opts.model ?? gpSurfaceModel({ maxFitPoints: fitCfg.maxFitPoints ?? 200 });
  const { target, shape } = recordedShape(runs, name);
  const k = runs.domains.length;
  const params = runs.scales.map((s) => s.params);
  const pMin = Math.min(...params);
  const pMax = Math.max(...params);
  const useS = pMax > pMin;
  const zMin = runs.steps.min;
  const zMax = runs.steps.max;
  const useT = zMax > zMin;
  const d = k + (useS ? 1 : 0) + (useT ? 1 : 0);
  const paramsOf = new Map(runs.scales.map((s) => [s.name, s.params]));
  const encodeInto = (
    out: Float64Array,
    off: number,
    w: ArrayLike<number>,
    scale: string,
    z: number,
  ) => {
    for (let j = 0; j < k; j++) out[off + j] = w[j] as number;
    let c = off + k;
    if (useS) out[c++] = Math.log((paramsOf.get(scale) as number) / pMin) / Math.log(pMax / pMin);
    if (useT) out[c] = Math.log(z / zMin) / Math.log(zMax / zMin);
  };
  // Held-out runs: a seeded share of the runs (mixture at one size), by run.
  const groups = [...groupRuns(runs).values()];
  const order = new Rng(seed).fork('held-out').shuffle(groups.map((_, i) => i));
  const nHeld =
    heldOut > 0 && groups.length >= 5 ? Math.max(1, Math.round(heldOut * groups.length)) : 0;
  const held = new Set(order.slice(0, nHeld).map((i) => groups[i] as ReplayRun));
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({
        v: FIT_VERSION,
        model: model.id,
        seed,
        heldOut,
        maxPoints,
        domains: runs.domains,
        scales: runs.scales,
        steps: runs.steps,
        metrics: runs.metrics,
        runs: runs.runs.map((r) => [r.mixture, r.scale, r.steps, r.values]),
      }),
    )
    .digest('hex')
    .slice(0, 16);
  const cacheFile = join(
    resolveCacheDir(opts),
    'fitted',
    `${name}-${fingerprint}-v${FIT_VERSION}.json`,
  );
  return {
    runs,
    opts,
    name,
    seed,
    heldOut,
    maxPoints,
    model,
    target,
    shape,
    k,
    d,
    encodeInto,
    groups,
    held,
    nHeld,
    fingerprint,
    cacheFile,
    fits: new Map(),
  };
}

function readCache(f: FitSetup): Record<string, CacheEntry> {
  if (f.opts.noCache === true) return {};
  try {
    return JSON.parse(readFileSync(f.cacheFile, 'utf8')) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}

function writeCache(f: FitSetup, metric: string, entry: CacheEntry): void {
  if (f.opts.noCache === true) return;
  try {
    const c = readCache(f);
    c[metric] = entry;
    mkdirSync(join(f.cacheFile, '..'), { recursive: true });
    const tmp = `${f.cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(c)}\n`);
    renameSync(tmp, f.cacheFile);
  } catch {
    // Caching is an optimisation: a read-only cache directory only costs refitting.
  }
}

/** Every recorded checkpoint of metric `mi`, encoded into X (rows in run order). */
function metricRows(f: FitSetup, mi: number): { rows: FitRow[]; X: Float64Array; n: number } {
  const { runs, d } = f;
  const rows: FitRow[] = [];
  const X = new Float64Array(runs.runs.length * d);
  let n = 0;
  for (const g of f.groups) {
    const valued = g.rows.filter((r) => r.values[mi] !== undefined);
    valued.forEach((r, j) => {
      f.encodeInto(X, n * d, r.mixture, r.scale, r.steps);
      rows.push({
        x: n,
        y: r.values[mi] as number,
        held: f.held.has(g),
        target: r.scale === f.target.scale,
        last: j === valued.length - 1,
      });
      n++;
    });
  }
  return { rows, X, n };
}

/** Held-out R² (all, at the target size) and 90% coverage of a surface fitted on `train`. */
function heldOutQuality(
  f: FitSetup,
  train: SurfaceData,
  state: unknown,
  test: readonly FitRow[],
  heldX: Float64Array,
  T: (y: number) => number,
  Tinv: (u: number) => number,
): { r2: number | undefined; r2Target: number | undefined; coverage90: number } {
  const surf = f.model.condition(train, state);
  const p = surf.predict(heldX);
  const yHat = Array.from(p.mean, Tinv);
  const r2 = r2Of(
    test.map((r) => r.y),
    yHat,
  );
  const atTarget = test.flatMap((r, i) => (r.target ? [i] : []));
  const r2Target = r2Of(
    atTarget.map((i) => (test[i] as FitRow).y),
    atTarget.map((i) => yHat[i] as number),
  );
  let inside = 0;
  test.forEach((r, i) => {
    const u = T(r.y);
    const sd = Math.sqrt(Math.max(0, p.variance[i] as number));
    if (Math.abs(u - (p.mean[i] as number)) <= Z90 * sd) inside++;
  });
  return { r2, r2Target, coverage90: inside / test.length };
}

/** The fit of `metric`: made on first use (or read from the cache), then kept. */
function fitMetric(f: FitSetup, metric: string): MetricFit {
  const done = f.fits.get(metric);
  if (done !== undefined) return done;
  const { runs, d, k, seed, model } = f;
  const mi = metricIndex(f.shape, metric);
  const spec = runs.metrics[mi] as MetricSpec;
  const { rows, X, n } = metricRows(f, mi);
  if (n < 3) {
    throw new DataError(
      `cannot fit testbed '${f.name}': metric '${metric}' has ${n} recorded values; the fitted mode needs at least 3`,
      { metric },
    );
  }
  const transform: 'log' | 'identity' =
    spec.direction === 'minimize' && rows.every((r) => r.y > 0) ? 'log' : 'identity';
  const T = (y: number): number => (transform === 'log' ? Math.log(y) : y);
  const Tinv = (u: number): number => (transform === 'log' ? Math.exp(u) : u);
  // Conditioning sets are capped at `maxPoints` rows: every run's last
  // checkpoint first, then an even stride over the others.
  const data = (pick: (r: FitRow) => boolean, cap = f.maxPoints): SurfaceData => {
    const sel = thin(rows.filter(pick), cap);
    const Xs = new Float64Array(sel.length * d);
    sel.forEach((r, i) => {
      Xs.set(X.subarray(r.x * d, r.x * d + d), i * d);
    });
    return { X: Xs, y: Float64Array.from(sel, (r) => T(r.y)), n: sel.length, d, k };
  };
  const all = data(() => true);
  const train = f.nHeld > 0 ? data((r) => !r.held) : all;
  const heldRows = rows.filter((r) => r.held);
  let entry = readCache(f)[metric];
  if (entry === undefined) {
    const t0 = performance.now();
    const state = model.fit(train, seed);
    const q =
      heldRows.length > 0
        ? heldOutQuality(
            f,
            train,
            state,
            heldRows,
            data((r) => r.held, Number.POSITIVE_INFINITY).X,
            T,
            Tinv,
          )
        : { r2: undefined, r2Target: undefined, coverage90: undefined };
    entry = {
      state,
      quality: {
        metric,
        transform,
        nTrain: train.n,
        nHeldOut: heldRows.length,
        heldOutRuns: f.nHeld,
        r2: q.r2,
        r2Target: q.r2Target,
        coverage90: q.coverage90,
        seconds: (performance.now() - t0) / 1000,
      },
    };
    writeCache(f, metric, entry);
  } else {
    entry = { ...entry, quality: { ...entry.quality, seconds: 0 } };
  }
  const fit: MetricFit = {
    surface: model.condition(all, entry.state),
    transform,
    quality: entry.quality,
  };
  f.fits.set(metric, fit);
  return fit;
}

function toValue(fit: MetricFit, u: number): number {
  return fit.transform === 'log' ? Math.exp(u) : u;
}

/** Predicted values of `metric` for the mixtures in `rowsW` (k per row) at one fidelity. */
function predictMany(
  f: FitSetup,
  rowsW: Float64Array,
  scale: string,
  steps: number,
  metric: string,
): Float64Array {
  const fit = fitMetric(f, metric);
  const { k, d } = f;
  const nW = rowsW.length / k;
  const Xs = new Float64Array(nW * d);
  for (let i = 0; i < nW; i++)
    f.encodeInto(Xs, i * d, rowsW.subarray(i * k, i * k + k), scale, steps);
  return fit.surface.predictMean(Xs).map((u) => toValue(fit, u));
}

/**
 * A fitted testbed over recorded runs (see the module comment). Each metric
 * is fitted on first use (or read from the cache).
 * @throws DataError when a metric has fewer than 3 recorded values or the
 *   runs do not vary; NotFoundError for an unknown target size.
 */
export function createFittedTestbed(
  runs: RecordedRuns,
  opts: FittedTestbedOptions = {},
): FittedTestbed {
  const f = fitSetup(runs, opts);
  const { shape, target, model, k, d } = f;
  const cost = recordedCost(runs, target.scale);
  const one = (w: ArrayLike<number>, scale: string, steps: number, metric: string): number =>
    predictMany(f, Float64Array.from(w), scale, steps, metric)[0] as number;
  const tb: FittedTestbed = {
    fitted: true,
    ...shape,
    description: `Fitted surrogate (${model.id}) of ${runs.runs.length} recorded checkpoints from ${runs.csvPath}; any mixture can be queried (see docs/testbeds.md, fitted mode)`,
    target,
    costUnit: cost.unit,
    fingerprint: f.fingerprint,
    evaluate(mixture, scale, steps, metric) {
      checkQuery(shape, mixture, scale, steps, metric);
      return one(mixture, scale, steps, metric);
    },
    curve(mixture, scale, steps, metric): CurvePoint[] {
      checkQuery(shape, mixture, scale, steps, metric);
      return loggedSteps(runs.steps, steps).map((z) => ({
        step: z,
        value: one(mixture, scale, z, metric),
      }));
    },
    evaluateAll(mixture: Mixture, scale: string, steps: number) {
      checkQuery(shape, mixture, scale, steps);
      return runs.metrics.map((x) => one(mixture, scale, steps, x.name));
    },
    evaluateMany(mixtures, scale, steps, metric) {
      return predictMany(f, mixtures, scale, steps, metric);
    },
    objective(metric, scale, steps): MixtureObjective {
      const fit = fitMetric(f, metric);
      const x = new Float64Array(d);
      return {
        value: (w) => one(w, scale, steps, metric),
        valueAndGradient(w, grad) {
          f.encodeInto(x, 0, w, scale, steps);
          const r = fit.surface.meanAndGradient(x);
          const v = toValue(fit, r.mean);
          const dv = fit.transform === 'log' ? v : 1;
          for (let j = 0; j < k; j++) grad[j] = dv * (r.dMean[j] as number);
          return v;
        },
      };
    },
    cost(scale, steps) {
      scaleIndex(shape, scale);
      return cost.cost(scale, steps);
    },
    referenceOptimum(metric): ReferenceOptimum {
      return referenceOptimum(tb, metric, opts);
    },
    fitQuality(metrics) {
      return (metrics ?? runs.metrics.map((x) => x.name)).map((x) => fitMetric(f, x).quality);
    },
  };
  return tb;
}

/** One line per metric: held-out R² and 90% interval coverage (for the CLI to print). */
export function formatFitQuality(name: string, target: string, q: readonly FitQuality[]): string {
  const f = (x: number | undefined, digits: number) =>
    x === undefined ? 'n/a' : x.toFixed(digits);
  return q
    .map(
      (x) =>
        `${name}: fitted ${x.metric} (${x.transform}) on ${x.nTrain} checkpoints; held out ${x.nHeldOut} checkpoints of ${x.heldOutRuns} runs: R² ${f(x.r2, 3)} (at ${target} ${f(x.r2Target, 3)}), 90% interval coverage ${f(x.coverage90, 2)}${x.seconds > 0 ? ` (${x.seconds.toFixed(1)} s)` : ' (cached)'}`,
    )
    .join('\n');
}
