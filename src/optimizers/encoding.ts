/**
 * Input encoding for the MFMS-GP and the observations an optimiser reads
 * from a history.
 *
 * Notation:
 * - `k`       number of domains; `w` (length k) a mixture on the simplex.
 * - `m`       a scale on the ladder with `params(m)`; `m_min`, `m_max` the
 *             smallest and largest rungs.
 * - `z`       steps; `z_max = space.steps.max`; `z_lo = min(steps.min, logEvery)`.
 * - `x`       the GP input, length `d = k + 2`: `x = [w_1..w_k, s, t]`; with
 *             `trend: 'quadratic'` three more features for a prior mean,
 *             `x = [w, s, t, s^2, t^2, s t]` (`d = k + 5`; kernels read `w, s, t` only);
 *             with `interaction: 'size'` `k - 1` more after those, `w_i (s - s*)` for
 *             `i < k - 1` (features of a prior mean in which a domain's effect drifts
 *             linearly with encoded size; zero at the target size; the last domain is left
 *             out, as `sum_i w_i (s - s*) = s - s*` is already linear in `s`); with
 *             `'size-steps'` also `w_i (t - t*)` (the same in encoded steps); with
 *             `mixtureTerms: 'quadratic'` `k (k + 1) / 2` more after those, `w_i w_j` for
 *             `i <= j` (features of a prior mean quadratic in the mixture); with `'linear'`
 *             `k - 1` more, `w_i` for `i < k - 1` (a copy of the weights for a linear one).
 * - `s*`, `t*` the target size's scaled size and the target steps' scaled steps.
 * - `s`       scaled size in [0, 1]:
 *             `'log'`:    `s = (ln p - ln p_min) / (ln p_max - ln p_min)` (1 for a one-rung ladder);
 *             `'linear'`: `s = p / p_max` (the paper's choice).
 * - `t`       scaled steps:
 *             `'linear'`: `t = z / z_max` (the paper's choice);
 *             `'log'`:    `t = (ln z - ln z_lo) / (ln z_max - ln z_lo)`.
 * - `y`       observed metric in the *minimisation convention*: the raw value
 *             for a minimised metric, its negative for a maximised one.
 */
import { type MixtureProduct, productValue } from '../acquisition/index.ts';
import {
  activeRuns,
  type History,
  NotFoundError,
  type SearchSpace,
  ValidationError,
} from '../core/index.ts';

/** How the model size enters the GP input. */
export type ScaleEncoding = 'log' | 'linear';
/** How the step count enters the GP input. */
export type StepEncoding = 'log' | 'linear';

/** Options of {@link encodeInput} and {@link observationsFromHistory}. */
export interface EncodingOptions {
  /** Default `'log'`: sizes on a geometric ladder spread evenly in [0, 1]. */
  readonly scaleEncoding?: ScaleEncoding;
  /** Default `'linear'` (`t = z / z_max`, as the paper). */
  readonly stepEncoding?: StepEncoding;
  /** `'quadratic'`: append `s^2, t^2, s t` (features of a prior mean over size and steps). */
  readonly trend?: 'quadratic';
  /**
   * `'size'`: append `w_i (s - s*)` for `i < k - 1` (features of a prior mean in which a
   * domain's effect drifts linearly with encoded size; see the glossary); `'size-steps'`: also
   * `w_i (t - t*)`.
   */
  readonly interaction?: 'size' | 'size-steps';
  /**
   * `'quadratic'`: append `w_i w_j` for `i <= j` (after the interaction columns): features of a
   * prior mean quadratic in the mixture, the same at every size (see the glossary); `'linear'`:
   * append `w_i` for `i < k - 1` (a copy of the weights, for a mean linear in the mixture).
   */
  readonly mixtureTerms?: 'linear' | 'quadratic';
}

/** Number of `w_i w_j` (`mixtureTerms: 'quadratic'`) or `w_i`, `i < k - 1` (`'linear'`) columns. */
function quadraticCount(k: number, options: EncodingOptions): number {
  if (options.mixtureTerms === 'linear') return Math.max(0, k - 1);
  return options.mixtureTerms === 'quadratic' ? (k * (k + 1)) / 2 : 0;
}

/** Number of `w_i (s - s*)` and `w_i (t - t*)` columns (see the glossary). */
function interactionCount(k: number, options: EncodingOptions): number {
  const blocks = options.interaction === 'size' ? 1 : options.interaction === 'size-steps' ? 2 : 0;
  return blocks * Math.max(0, k - 1);
}

/** Length of an encoded input for `k` domains (see the glossary). */
export function encodedDim(k: number, options: EncodingOptions = {}): number {
  return quadraticStart(k, options) + quadraticCount(k, options);
}

/** Index of the first `w_i w_j` column (`mixtureTerms: 'quadratic'`; see the glossary). */
function quadraticStart(k: number, options: EncodingOptions): number {
  return interactionStart(k, options) + interactionCount(k, options);
}

/**
 * The columns of an encoded input that only a prior mean reads (see the glossary): `fidelity`
 * (`s`, `t`, and `s^2, t^2, s t` with `trend: 'quadratic'`), `drift` (the `w_i (s - s*)` and
 * `w_i (t - t*)` columns) and `mixture` (the `w_i w_j` or `w_i` columns).
 */
export function meanFeatureColumns(
  k: number,
  options: EncodingOptions = {},
): { fidelity: number[]; drift: number[]; mixture: number[] } {
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const i0 = interactionStart(k, options);
  const q0 = quadraticStart(k, options);
  return {
    fidelity: range(k, i0),
    drift: range(i0, q0),
    mixture: range(q0, encodedDim(k, options)),
  };
}

/** Index of the first `w_i (s - s*)` column (`interaction: 'size'`; see the glossary). */
export function interactionStart(k: number, options: EncodingOptions = {}): number {
  return k + (options.trend === 'quadratic' ? 5 : 2);
}

/**
 * The encoded columns that are a mixture weight times a factor of the fidelity alone, at
 * `(scale, steps)`: with `interaction: 'size'`, column `interactionStart + i` is `w_i * factor`
 * with `factor = s - s*`; with `'size-steps'` also column `interactionStart + (k - 1) + i` with
 * `factor = t - t*`; with `mixtureTerms: 'quadratic'` the columns `w_i w_j` (`dim2 = j`,
 * factor 1), with `'linear'` the copies of `w_i` (factor 1). A search over `w` at a fixed fidelity sets these columns from `w` and adds their
 * derivatives in `w` times `dmu/dx_col` to `dmu/dw`.
 */
export function mixtureProducts(
  space: SearchSpace,
  scale: string,
  steps: number,
  options: EncodingOptions = {},
): MixtureProduct[] {
  const k = space.domains.length;
  const out: MixtureProduct[] = [];
  if (interactionCount(k, options) > 0) {
    const start = interactionStart(k, options);
    interactionFactors(space, scale, steps, options).forEach((factor, b) => {
      for (let i = 0; i < k - 1; i++) out.push({ col: start + b * (k - 1) + i, dim: i, factor });
    });
  }
  if (options.mixtureTerms === 'linear') {
    const col = quadraticStart(k, options);
    for (let i = 0; i < k - 1; i++) out.push({ col: col + i, dim: i, factor: 1 });
  } else if (quadraticCount(k, options) > 0) {
    let col = quadraticStart(k, options);
    for (let i = 0; i < k; i++)
      for (let j = i; j < k; j++) out.push({ col: col++, dim: i, dim2: j, factor: 1 });
  }
  return out;
}

/** `[s - s*]` or `[s - s*, t - t*]` (see the glossary). */
function interactionFactors(
  space: SearchSpace,
  scale: string,
  steps: number,
  options: EncodingOptions,
): number[] {
  const se = options.scaleEncoding ?? 'log';
  const te = options.stepEncoding ?? 'linear';
  const ds =
    encodeSize(space, scaleParams(space, scale), se) -
    encodeSize(space, scaleParams(space, space.target.scale), se);
  if (options.interaction !== 'size-steps') return [ds];
  return [ds, encodeSteps(space, steps, te) - encodeSteps(space, space.target.steps, te)];
}

/** Index of the size coordinate `s` in an encoded input (`= k`). */
export function sizeDim(k: number): number {
  return k;
}

/** Index of the steps coordinate `t` in an encoded input (`= k + 1`). */
export function stepsDim(k: number): number {
  return k + 1;
}

function scaleParams(space: SearchSpace, scale: string): number {
  const s = space.scales.find((x) => x.name === scale);
  if (s === undefined) {
    throw new NotFoundError(
      `unknown scale '${scale}'; the ladder is ${space.scales.map((x) => x.name).join(', ')}`,
      { scale },
    );
  }
  return s.params;
}

/** The scaled size `s` of `params` (see the glossary). */
export function encodeSize(space: SearchSpace, params: number, enc: ScaleEncoding = 'log'): number {
  let pMin = Number.POSITIVE_INFINITY;
  let pMax = 0;
  for (const s of space.scales) {
    pMin = Math.min(pMin, s.params);
    pMax = Math.max(pMax, s.params);
  }
  if (enc === 'linear') return params / pMax;
  if (pMax <= pMin) return 1;
  return (Math.log(params) - Math.log(pMin)) / (Math.log(pMax) - Math.log(pMin));
}

/** The scaled steps `t` of `steps` (see the glossary). */
export function encodeSteps(
  space: SearchSpace,
  steps: number,
  enc: StepEncoding = 'linear',
): number {
  const zMax = space.steps.max;
  if (enc === 'linear') return steps / zMax;
  const zLo = Math.max(1, Math.min(space.steps.min, space.steps.logEvery));
  if (zMax <= zLo) return 1;
  return (Math.log(Math.max(steps, zLo)) - Math.log(zLo)) / (Math.log(zMax) - Math.log(zLo));
}

/** Inverse of {@link encodeSteps}. */
export function decodeSteps(space: SearchSpace, t: number, enc: StepEncoding = 'linear'): number {
  const zMax = space.steps.max;
  if (enc === 'linear') return t * zMax;
  const zLo = Math.max(1, Math.min(space.steps.min, space.steps.logEvery));
  if (zMax <= zLo) return zMax;
  return Math.exp(Math.log(zLo) + t * (Math.log(zMax) - Math.log(zLo)));
}

/**
 * The GP input of a run: `x = [w_1..w_k, s, t]` (see the glossary).
 * @throws ValidationError when the mixture has the wrong length; NotFoundError for an unknown scale.
 */
export function encodeInput(
  space: SearchSpace,
  mixture: ArrayLike<number>,
  scale: string,
  steps: number,
  options: EncodingOptions = {},
): number[] {
  const k = space.domains.length;
  if (mixture.length !== k) {
    throw new ValidationError(
      `mixture has ${mixture.length} weights but the space has ${k} domains (${space.domains.join(', ')})`,
      { length: mixture.length, k },
    );
  }
  const x = new Array<number>(encodedDim(k, options));
  for (let i = 0; i < k; i++) x[i] = mixture[i] as number;
  const sz = encodeSize(space, scaleParams(space, scale), options.scaleEncoding ?? 'log');
  const st = encodeSteps(space, steps, options.stepEncoding ?? 'linear');
  x[k] = sz;
  x[k + 1] = st;
  if (options.trend === 'quadratic') {
    x[k + 2] = sz * sz;
    x[k + 3] = st * st;
    x[k + 4] = sz * st;
  }
  for (const p of mixtureProducts(space, scale, steps, options))
    x[p.col] = productValue(p, mixture);
  return x;
}

/**
 * Inverse of {@link encodeInput}: the mixture, the ladder rung whose encoded
 * size is nearest `s`, and the steps (rounded to an integer).
 */
export function decodeInput(
  space: SearchSpace,
  x: ArrayLike<number>,
  options: EncodingOptions = {},
): { mixture: number[]; scale: string; steps: number } {
  const k = space.domains.length;
  const d = encodedDim(k, options);
  if (x.length !== d) {
    throw new ValidationError(`encoded input must have ${d} entries, got ${x.length}`);
  }
  const mixture: number[] = [];
  for (let i = 0; i < k; i++) mixture.push(x[i] as number);
  const s = x[k] as number;
  let best = space.scales[0]?.name ?? '';
  let bestGap = Number.POSITIVE_INFINITY;
  for (const sc of space.scales) {
    const gap = Math.abs(encodeSize(space, sc.params, options.scaleEncoding ?? 'log') - s);
    if (gap < bestGap) {
      bestGap = gap;
      best = sc.name;
    }
  }
  const steps = Math.round(
    decodeSteps(space, x[k + 1] as number, options.stepEncoding ?? 'linear'),
  );
  return { mixture, scale: best, steps };
}

/** Multiplier turning a raw metric value into the minimisation convention (+1 or -1). */
export function minimizationSign(space: SearchSpace): 1 | -1 {
  return space.metric.direction === 'minimize' ? 1 : -1;
}

/** One observed point, in raw units, with the run it came from. */
export interface ObservedPoint {
  readonly runId: string;
  readonly mixture: readonly number[];
  readonly scale: string;
  readonly steps: number;
  /** Raw metric value (not sign-flipped). */
  readonly value: number;
}

/** Options of {@link observationsFromHistory}. */
export interface ObservationOptions extends EncodingOptions {
  /** `'all'` (default): every logged point of each curve; `'final'`: the last point only. */
  readonly curves?: 'all' | 'final';
  /** Only runs at these scales (e.g. the target scale for single-scale BO). */
  readonly scales?: readonly string[];
  /** Only points at exactly these steps (e.g. the target steps for full-fidelity BO). */
  readonly steps?: readonly number[];
  /**
   * At most this many points per run: the last point and the others chosen
   * evenly in encoded steps `t` (keeps the GP small). Default: no limit.
   */
  readonly maxPointsPerRun?: number;
}

/** What {@link observationsFromHistory} returns. */
export interface Observations {
  /** Row-major n x d inputs (d = {@link encodedDim}). */
  readonly X: Float64Array;
  /** Minimisation-convention values (length n). */
  readonly y: Float64Array;
  readonly n: number;
  readonly d: number;
  /** The points behind each row, in row order. */
  readonly points: readonly ObservedPoint[];
}

/** Picks at most `m` indices out of `0..len-1`: the last one plus evenly spaced others. @internal */
export function thinIndices(len: number, m: number): number[] {
  if (len <= m) return Array.from({ length: len }, (_, i) => i);
  if (m <= 1) return [len - 1];
  const out = new Set<number>();
  for (let j = 0; j < m; j++) out.add(Math.round((j * (len - 1)) / (m - 1)));
  return [...out].sort((a, b) => a - b);
}

/**
 * The GP's training data from a history: every logged point of every active
 * run's curve (or only each run's last point), encoded with
 * {@link encodeInput}, values in the minimisation convention. Points with a
 * non-finite value or outside the step range are skipped (a failed run's
 * earlier points still count). Superseded runs (continued by another run)
 * are skipped: their points are in the continuation's curve.
 */
export function observationsFromHistory(
  space: SearchSpace,
  history: History,
  options: ObservationOptions = {},
): Observations {
  const k = space.domains.length;
  const d = encodedDim(k, options);
  const sign = minimizationSign(space);
  const scaleSet = options.scales === undefined ? undefined : new Set(options.scales);
  const stepSet = options.steps === undefined ? undefined : new Set(options.steps);
  const rows: number[] = [];
  const ys: number[] = [];
  const points: ObservedPoint[] = [];
  for (const run of activeRuns(history)) {
    if (scaleSet !== undefined && !scaleSet.has(run.scale)) continue;
    let pts = run.curve.filter(
      (p) =>
        Number.isFinite(p.value) &&
        p.step > 0 &&
        p.step <= space.steps.max &&
        (stepSet === undefined || stepSet.has(p.step)),
    );
    if (pts.length === 0) continue;
    if (options.curves === 'final') pts = [pts[pts.length - 1]!];
    else if (options.maxPointsPerRun !== undefined) {
      pts = thinIndices(pts.length, options.maxPointsPerRun).map((i) => pts[i]!);
    }
    for (const p of pts) {
      rows.push(...encodeInput(space, run.mixture, run.scale, p.step, options));
      ys.push(sign * p.value);
      points.push({
        runId: run.id,
        mixture: run.mixture,
        scale: run.scale,
        steps: p.step,
        value: p.value,
      });
    }
  }
  return { X: Float64Array.from(rows), y: Float64Array.from(ys), n: ys.length, d, points };
}
