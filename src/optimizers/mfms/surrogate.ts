/**
 * The surrogate model of `mfms-bo`: observations of a history -> GP options -> a GP fitted
 * (or conditioned on stored hyper-parameters), and the noise a new run's observation would
 * carry at each scale.
 *
 * Notation (encoding.ts for `x`):
 * - `k` domains; GP input `x(w; m, z) = [w, s(m), t(z)]`, `d = k + 2` (more columns with
 *   `trend: 'quadratic'`); `x*(w) = x(w; m*, z*)`; `s* = s(m*)` the target size's encoded value.
 * - GP: product kernel `k_w * k_s * k_t` (`wKernel` on w, RBF on s and t), prior mean per
 *   `mean` (`'fidelity'`: linear in columns k, k+1, plus `s^2, t^2, s t` with
 *   `trend: 'quadratic'`, plus `w_i (s - s*)`, `i < k - 1`, with `interaction: 'size'`, and
 *   `w_i (t - t*)` with `'size-steps'`, and `w_i w_j` (`i <= j`) with `mixtureMean:
 *   'quadratic'` or `w_i` (`i < k - 1`) with `'linear'`, those coefficients under Gaussian
 *   priors), noise variance `nu` learned or fixed at 1e-4.
 * - With `runNoise`, the points of one run share an offset of variance `v` (one group per
 *   run, in order of first appearance); with `'by-size'`, `v(m) = v* exp(gamma u)`,
 *   `u = s(m) - s*` the group covariate.
 * - Noise of a new run's observation at scale m (data units, `sd_y` the standardisation):
 *   `(nu + v(m)) sd_y^2` with run offsets, `nu sd_y^2` without.
 *
 * Fit schedule (the surrogate's only state, {@link FitState}, saved with the optimiser):
 * the proposals' path fits hyper-parameters when none are stored or when `refitEvery`
 * proposals have passed since the last fit (`restarts` on the first fit, 1 warm-started
 * restart after, and with `refitStart: 'warm-or-fresh'` one more from the default start, the
 * larger marginal likelihood kept; then, with `sizeCheck`, the size lengthscale chosen on
 * held-out target-size runs), and conditions on the stored ones in between; views (reports, `recommend`)
 * only condition on the stored ones (or fit without storing before the first fit), so they
 * never move the schedule.
 */

import type { MixtureProduct } from '../../acquisition/index.ts';
import {
  type Fidelity,
  type History,
  type Mixture,
  NumericsError,
  type SearchSpace,
  type SurrogateJoint,
} from '../../core/index.ts';
import {
  fitGPWithFreshStart,
  type GaussianProcess,
  type GPHyperparameters,
  type GPOptions,
} from '../../gp/index.ts';
import {
  type EncodingOptions,
  encodeInput,
  meanFeatureColumns,
  mixtureProducts,
  type Observations,
} from '../encoding.ts';
import { mfmsKernel, surrogate, viewSurrogate } from '../gp-common.ts';
import { heldOutLast, rowsByRun } from '../mfms-calibration.ts';
import { type MfmsData, metricPrediction, mfmsData } from '../mfms-observations.ts';
import { checkFidelity, jointPrediction } from '../surrogate-view.ts';
import type { MfmsSettings } from './settings.ts';

/** The input encoding of one `mfms-bo` instance. */
export interface MfmsEncoding {
  readonly enc: EncodingOptions;
  /** `x*(w)`: `w` encoded at the target. */
  readonly xStar: (w: ArrayLike<number>) => number[];
  /** `s*`, the target size's encoded value (column k of x). */
  readonly sTarget: number;
  /**
   * The columns of `x*(w)` that are products of weights (the quadratic mixture terms; the
   * drift terms are 0 at the target): what a search over `w` at the target sets from `w`.
   */
  readonly targetProducts: readonly MixtureProduct[];
}

/** The encoding settings `scaleEncoding`, `stepEncoding` (and the quadratic trend's columns). */
export function mfmsEncoding(space: SearchSpace, s: EncodingSettings): MfmsEncoding {
  const k = space.domains.length;
  const enc = encodingOptions(k, s);
  const { target } = space;
  const xStar = (w: ArrayLike<number>) => encodeInput(space, w, target.scale, target.steps, enc);
  const sTarget = xStar(new Array<number>(k).fill(1 / k))[k]!;
  const targetProducts = mixtureProducts(space, target.scale, target.steps, enc);
  return { enc, xStar, sTarget, targetProducts };
}

/** The settings that shape the encoded input. */
type EncodingSettings = Pick<
  MfmsSettings,
  'scaleEncoding' | 'stepEncoding' | 'mean' | 'trend' | 'interaction' | 'mixtureMean'
>;

/**
 * The input encoding of settings `s` for `k` domains: the quadratic trend's columns, the drift
 * columns (k > 1) and the mixture columns, all with `mean: 'fidelity'` only.
 */
function encodingOptions(k: number, s: EncodingSettings): EncodingOptions {
  const fidelity = s.mean === 'fidelity';
  return {
    scaleEncoding: s.scaleEncoding,
    stepEncoding: s.stepEncoding,
    ...(fidelity && s.trend === 'quadratic' ? { trend: 'quadratic' as const } : {}),
    ...(fidelity && s.interaction !== 'none' && k > 1 ? { interaction: s.interaction } : {}),
    ...(fidelity && s.mixtureMean !== 'none' ? { mixtureTerms: s.mixtureMean } : {}),
  };
}

/** The GP options of every fit (kernel, mean, noise, restarts, priors), before run groups. */
export function mfmsGpOptions(
  k: number,
  s: EncodingSettings &
    Pick<
      MfmsSettings,
      | 'wKernel'
      | 'ard'
      | 'noise'
      | 'restarts'
      | 'lengthscalePrior'
      | 'wLengthscaleFloor'
      | 'fitPoints'
      | 'interactionPrecision'
      | 'mixtureMeanPrecision'
    >,
  seed: number,
): GPOptions {
  const {
    fidelity: fidelityDims,
    drift: driftDims,
    mixture: quadDims,
  } = meanFeatureColumns(k, encodingOptions(k, s));
  const priorDims = [...driftDims, ...quadDims];
  return {
    kernel: mfmsKernel(k, s.wKernel, 'rbf', s.ard),
    mean:
      s.mean === 'fidelity'
        ? priorDims.length > 0
          ? {
              kind: 'linear',
              dims: [...fidelityDims, ...priorDims],
              precision: [
                ...fidelityDims.map(() => 0),
                ...driftDims.map(() => s.interactionPrecision),
                ...quadDims.map(() => s.mixtureMeanPrecision),
              ],
            }
          : { kind: 'linear', dims: fidelityDims }
        : s.mean,
    noise: s.noise === 'learned' ? { kind: 'learned' } : { kind: 'fixed', variance: 1e-4 },
    restarts: s.restarts,
    seed,
    ...(s.lengthscalePrior > 0
      ? {
          priors: {
            lengthscale: { kind: 'lognormal' as const, mu: Math.log(s.lengthscalePrior), sigma: 1 },
          },
        }
      : {}),
    fitPoints: s.fitPoints,
    ...(s.wLengthscaleFloor > 0
      ? { lengthscaleLower: mixtureLengthscaleFloor(k, s.ard, s.wLengthscaleFloor) }
      : {}),
  };
}

/** The root-mean-square L2 distance of two uniform Dirichlet mixtures over `k` domains. */
export function rmsMixtureDistance(k: number): number {
  return Math.sqrt((2 * (k - 1)) / (k * (k + 1)));
}

/**
 * The GP's per-channel lengthscale floors for setting `wLengthscaleFloor = f`: `f` times the
 * root-mean-square distance of two uniform Dirichlet mixtures over `k` domains,
 * `sqrt(2(k-1)/(k(k+1)))`, on each mixture channel (one, or `k` with ARD); none on size and steps.
 */
export function mixtureLengthscaleFloor(k: number, ard: boolean, f: number): number[] {
  const floor = f * rmsMixtureDistance(k);
  return [...new Array<number>(ard ? k : 1).fill(floor), 0, 0];
}

/**
 * The size lengthscale at which the RBF correlation of a mixture's effect between the smallest
 * ladder size and the target is `rho` (0 < rho < 1): `|s(m_min) - s(m*)| / sqrt(-2 ln rho)`
 * (the ceiling of `maxSizeCorrelation`, the fixed value of a `sizeCheck` candidate); undefined
 * for a one-size ladder (no gap).
 */
export function sizeLengthscaleCeiling(
  space: SearchSpace,
  encoding: MfmsEncoding,
  rho: number,
): number | undefined {
  const gap = sizeGap(space, encoding);
  if (!(gap > 0)) return undefined;
  return gap / Math.sqrt(-2 * Math.log(rho));
}

/** `|s(m_min) - s(m*)|`: the encoded distance between the smallest ladder size and the target. */
function sizeGap(space: SearchSpace, encoding: MfmsEncoding): number {
  const k = space.domains.length;
  const uniform = new Array<number>(k).fill(1 / k);
  const smallest = space.scales.reduce((a, b) => (b.params < a.params ? b : a)).name;
  const at = (scale: string) =>
    encodeInput(space, uniform, scale, space.target.steps, encoding.enc)[k]!;
  return Math.abs(at(smallest) - at(space.target.scale));
}

/**
 * The prior correlation of a mixture's effect between the smallest ladder size and the target
 * under `gp`'s hyper-parameters: `exp(-gap^2 / (2 l_s^2))`, `l_s` the size lengthscale (the
 * second-to-last channel: mixture channels, size, steps) and `gap` as in
 * {@link sizeLengthscaleCeiling}; 1 for a one-size ladder. Low when the fit (or the size check)
 * found that small runs predict the target poorly.
 */
export function smallToTargetCorrelation(
  gp: GaussianProcess,
  space: SearchSpace,
  encoding: MfmsEncoding,
): number {
  const gap = sizeGap(space, encoding);
  if (!(gap > 0)) return 1;
  const values = gp.hyperparameters.lengthscales.flatMap((l) => l.values);
  const ls = values[values.length - 2]!;
  return Math.exp(-(gap * gap) / (2 * ls * ls));
}

/** `base` with the size lengthscale (of the mixture, size and steps channels) at most `ceiling`. */
function withSizeUpper(base: GPOptions, k: number, ard: boolean, ceiling: number): GPOptions {
  return { ...base, lengthscaleUpper: [...new Array<number>(ard ? k : 1).fill(0), ceiling, 0] };
}

/**
 * `base` with the size lengthscale capped for setting `maxSizeCorrelation = rho < 1`
 * ({@link sizeLengthscaleCeiling}), so that the RBF correlation between the smallest size and
 * the target is at most `rho` (unchanged for `rho = 1` or a one-size ladder).
 */
export function withSizeCeiling(
  base: GPOptions,
  space: SearchSpace,
  s: Pick<MfmsSettings, 'maxSizeCorrelation' | 'ard'>,
  encoding: MfmsEncoding,
): GPOptions {
  if (s.maxSizeCorrelation >= 1) return base;
  const ceiling = sizeLengthscaleCeiling(space, encoding, s.maxSizeCorrelation);
  if (ceiling === undefined) return base;
  return withSizeUpper(base, space.domains.length, s.ard, ceiling);
}

/**
 * How well a GP predicts the runs at the target size from everything else: for each such run
 * (the latest `maxRuns`), its whole curve held out (GaussianProcess.heldOut, so its shared
 * offset goes with it), the log density of its last point under the held-out prediction,
 * `sum_r log N(y_{f_r}; m_r, v_r)` (latent units). Undefined with fewer than `minRuns` such
 * runs, or when a held-out prediction fails numerically.
 */
export function targetHeldOutScore(
  gp: GaussianProcess,
  obs: Observations,
  targetScale: string,
  minRuns = 3,
  maxRuns = 24,
): number | undefined {
  const runs = [...rowsByRun(obs).values()].filter(
    (rows) => obs.points[rows[0]!]!.scale === targetScale,
  );
  if (runs.length < minRuns) return undefined;
  let score = 0;
  for (const held of heldOutLast(gp, obs, runs.slice(-maxRuns))) {
    if (held === undefined) return undefined;
    const { residual: r, variance: v } = held;
    score += -0.5 * (Math.log(2 * Math.PI * v) + (r * r) / v);
  }
  return score;
}

/**
 * `base` with the size lengthscale fixed at `l` (lower and upper bound both `l`; the bounds of
 * the mixture and steps channels kept).
 */
function withSizeFixed(base: GPOptions, k: number, ard: boolean, l: number): GPOptions {
  const channels = (ard ? k : 1) + 2;
  const bound = (b: ArrayLike<number> | undefined) => {
    const out = Array.from({ length: channels }, (_, c) => b?.[c] ?? 0);
    out[channels - 2] = l;
    return out;
  };
  return {
    ...base,
    lengthscaleLower: bound(base.lengthscaleLower),
    lengthscaleUpper: bound(base.lengthscaleUpper),
  };
}

/** `h` with the size lengthscale (the kernel's second-to-last term: mixture, size, steps) set to `l`. */
export function withSizeLengthscale(h: GPHyperparameters, l: number): GPHyperparameters {
  const c = h.lengthscales.length - 2;
  return {
    ...h,
    lengthscales: h.lengthscales.map((x, i) => (i === c ? { ...x, values: [l] } : x)),
  };
}

/**
 * Setting `sizeCheck`: besides `gp` (fitted with `opts`, its size lengthscale free), one fit per
 * correlation `rho` of `s.sizeCheck` with the size lengthscale fixed where the smallest size's
 * correlation with the target is `rho` ({@link sizeLengthscaleCeiling}): refitted (one restart,
 * warm-started from `gp`) with `sizeCheckFit: 'refit'`, or `gp`'s other hyper-parameters kept
 * and only conditioned with `'condition'`; returns the fit with the best {@link targetHeldOutScore} (`gp` on
 * ties, or when its score is undefined). The marginal likelihood that picks `gp`'s size
 * lengthscale is dominated by the many small runs; the held-out score asks only how well the
 * rest predicts runs at the target size.
 */
export function checkedBySize(
  gp: GaussianProcess,
  obs: Observations,
  opts: GPOptions,
  space: SearchSpace,
  encoding: MfmsEncoding,
  s: Pick<MfmsSettings, 'sizeCheck' | 'sizeCheckFit' | 'ard'>,
): GaussianProcess {
  let best = gp;
  let bestScore = targetHeldOutScore(gp, obs, space.target.scale);
  if (bestScore === undefined) return gp;
  const k = space.domains.length;
  for (const rho of s.sizeCheck) {
    const l = sizeLengthscaleCeiling(space, encoding, rho);
    if (l === undefined) break;
    let cand: GaussianProcess;
    try {
      cand =
        s.sizeCheckFit === 'refit'
          ? surrogate(
              obs,
              { ...withSizeFixed(opts, k, s.ard, l), restarts: 1 },
              { fit: true, warmStart: gp.hyperparameters },
            )
          : gp.withHyperparameters(withSizeLengthscale(gp.hyperparameters, l));
    } catch (e) {
      if (e instanceof NumericsError) continue;
      throw e;
    }
    const score = targetHeldOutScore(cand, obs, space.target.scale);
    if (score !== undefined && score > bestScore) {
      best = cand;
      bestScore = score;
    }
  }
  return best;
}

/** The lengthscale of a size or steps channel that does not vary over the observations. */
export const CONSTANT_CHANNEL_LENGTHSCALE = 1e3;

/**
 * `base` with the lengthscale of the size channel, and of the steps channel, fixed where the
 * observations do not vary in it (every run at one size, or every point at one step count): at
 * {@link CONSTANT_CHANNEL_LENGTHSCALE} (the top of the fit's box for a channel without spread),
 * or at `base`'s ceiling when that is lower. The marginal likelihood is flat in such a
 * lengthscale, so a fit would leave it wherever a start put it, and a short one makes every
 * prediction at another size (the target) the prior mean: the same for every mixture. Fixed
 * long, a mixture's effect carries over unchanged, as when the channel is left out of the GP.
 * Options with no constant channel are returned as they are.
 */
export function withConstantChannelsFixed(
  base: GPOptions,
  obs: Pick<Observations, 'X' | 'n' | 'd'>,
  k: number,
  ard: boolean,
): GPOptions {
  const channels = (ard ? k : 1) + 2;
  const fixed: number[] = [];
  for (const [column, channel] of [
    [k, channels - 2],
    [k + 1, channels - 1],
  ] as const) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < obs.n; i++) {
      const v = obs.X[i * obs.d + column]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (obs.n > 0 && hi === lo) fixed.push(channel);
  }
  if (fixed.length === 0) return base;
  const lower = Array.from({ length: channels }, (_, c) => base.lengthscaleLower?.[c] ?? 0);
  const upper = Array.from({ length: channels }, (_, c) => base.lengthscaleUpper?.[c] ?? 0);
  for (const c of fixed) {
    const ceiling = upper[c]!;
    const l =
      ceiling > 0 ? Math.min(ceiling, CONSTANT_CHANNEL_LENGTHSCALE) : CONSTANT_CHANNEL_LENGTHSCALE;
    lower[c] = l;
    upper[c] = l;
  }
  return { ...base, lengthscaleLower: lower, lengthscaleUpper: upper };
}

/**
 * `base` with the run groups of `obs` (setting `runNoise`): one group per run, numbered in
 * order of first appearance; with `'by-size'` also the covariate `u = s(m) - s*` per point,
 * and with `noisierSmallRuns` the slope boxed to `gamma <= 0` (u <= 0 below the target).
 */
export function withRunGroups(
  base: GPOptions,
  obs: Observations,
  runNoise: Exclude<MfmsSettings['runNoise'], 'auto'>,
  k: number,
  sTarget: number,
  noisierSmallRuns = false,
): GPOptions {
  if (runNoise === 'none') return base;
  const ids = new Map<string, number>();
  const groups = obs.points.map((p) => {
    let g = ids.get(p.runId);
    if (g === undefined) {
      g = ids.size;
      ids.set(p.runId, g);
    }
    return g;
  });
  if (runNoise === 'learned') return { ...base, groups };
  const groupCovariate = obs.points.map((_, i) => obs.X[i * obs.d + k]! - sTarget);
  return {
    ...base,
    groups,
    groupCovariate,
    ...(noisierSmallRuns ? { groupSlopeBounds: [-10, 0] as const } : {}),
  };
}

/**
 * Setting `offsetLimit` `z > 0`: `gp` conditioned again (same hyper-parameters) without the run
 * offsets whose posterior mean is more than `z` of their prior sds from 0, until none is (at most
 * 3 rounds). Run offsets stand for seed-to-seed noise; with one run at a mixture, the fit cannot
 * tell a run's offset from its mixture's effect, and a stationary kernel fitted to the many
 * mixtures that differ little can explain a mixture far worse than the rest (a vertex) as one
 * very unlucky run, and so predict it best. Without its offset the run's deviation is the
 * mixture's. `gp` itself when it has no offsets or none is that far.
 */
export function withoutImplausibleOffsets(
  gp: GaussianProcess,
  obs: Observations,
  opts: GPOptions,
  z: number,
): GaussianProcess {
  if (opts.groups === undefined) return gp;
  const groups = Int32Array.from(opts.groups);
  let out = gp;
  for (let round = 0; round < 3; round++) {
    const far = new Set(
      out
        .groupOffsets()
        .filter((o) => Math.abs(o.mean) > z * o.sd)
        .map((o) => o.group),
    );
    if (far.size === 0) break;
    for (let i = 0; i < groups.length; i++) if (far.has(groups[i]!)) groups[i] = -1;
    out = surrogate(
      obs,
      { ...opts, groups: Int32Array.from(groups) },
      {
        fit: false,
        hyper: gp.hyperparameters,
      },
    );
  }
  return out;
}

/**
 * The noise variance of a new run's observation at encoded size `s(m)` (data units): its own
 * noise `nu` and, when the GP has run offsets, their variance `v(m)` (see the module notation).
 */
export function newRunNoise(gp: GaussianProcess, sizeFromTarget: number): number {
  const h = gp.hyperparameters;
  const sd = h.standardization?.std ?? 1;
  if (h.groupNoise === undefined) return h.noise * sd * sd;
  let v = h.groupNoise;
  if (h.groupNoiseSlope !== undefined) v *= Math.exp(h.groupNoiseSlope * sizeFromTarget);
  return (h.noise + v) * sd * sd;
}

/**
 * Setting `meanSelect`: whether `alt` (a fit of the other mean structure) replaces `gp`.
 * `'evidence'`: the larger `logEvidence`. `'target'`: the larger {@link targetHeldOutScore} (the
 * target-size runs held out one at a time); without scores (fewer than 3 target-size runs) the
 * structure without the mixture and drift terms (`isPlain`).
 */
export function preferAlternative(
  mode: 'none' | 'evidence' | 'target',
  gp: GaussianProcess,
  alt: GaussianProcess,
  obs: Observations,
  targetScale: string,
  isPlain: (h: GPHyperparameters) => boolean,
): boolean {
  if (mode === 'evidence') return alt.logEvidence() > gp.logEvidence();
  if (mode !== 'target') return false;
  const a = targetHeldOutScore(gp, obs, targetScale);
  const b = targetHeldOutScore(alt, obs, targetScale);
  if (a === undefined || b === undefined) return isPlain(alt.hyperparameters);
  return b > a;
}

/**
 * The surrogate's saved state: the stored hyper-parameters, the history length of their fit and,
 * with `runNoise: 'auto'`, whether run offsets have been switched on.
 */
export interface FitState {
  hyper: GPHyperparameters | undefined;
  fittedAt: number;
  runNoiseOn: boolean;
}

/**
 * Whether a fit's mixture lengthscale sits on its floor (`floors` = GPOptions.lengthscaleLower,
 * mixture channels first, size and steps last): any mixture channel within 1e-6 (relative) of it.
 */
export function onMixtureFloor(hyper: GPHyperparameters, floors: readonly number[]): boolean {
  const values = hyper.lengthscales.flatMap((l) => l.values);
  for (let c = 0; c < floors.length - 2; c++) {
    const f = floors[c]!;
    if (f > 0 && values[c]! <= f * (1 + 1e-6)) return true;
  }
  return false;
}

/**
 * Setting `refitStart: 'warm-or-fresh'`: a refit warm-started from `hyper` (one start) or a fit
 * from the default starting point on the same data (one start), whichever has the larger log
 * marginal likelihood (the warm one on ties or when the fresh fit fails numerically). A warm start
 * alone can stay in a basin the data have left, e.g. the one where the kernel's output scale sits
 * on its floor and every difference between runs is noise. The two fits run side by side on a
 * fit thread where one is free (`fitGPWithFreshStart`); the result is the same either way.
 * @throws NumericsError when the warm refit fails numerically
 */
export function warmOrFresh(
  obs: Observations,
  opts: GPOptions,
  hyper: GPHyperparameters,
): GaussianProcess {
  const { fit: warm, fresh } = fitGPWithFreshStart(obs.X, obs.y, obs.d, {
    ...opts,
    restarts: 1,
    warmStart: hyper,
  });
  if (fresh instanceof NumericsError) return warm;
  return fresh.logMarginalLikelihood > warm.logMarginalLikelihood ? fresh : warm;
}

/** A surrogate fitted to one history, with how its latent values map back to the metric. */
export interface SurrogateFit extends MfmsData {
  readonly gp: GaussianProcess;
}

/** The surrogate of one `mfms-bo` instance (see the module comment). */
export interface MfmsSurrogate {
  readonly encoding: MfmsEncoding;
  /** The fit schedule's state (owned here; read and replaced by saveState / loadState). */
  readonly state: FitState;
  /**
   * The GP of `history`, or undefined before enough data (fewer than `min(initial, 5)` runs or
   * 3 observations). `store`: the proposals' path (may fit and store hyper-parameters).
   */
  fit(history: History, store: boolean): SurrogateFit | undefined;
  /** `newRunNoise` at each scale of the ladder. */
  noiseByScale(gp: GaussianProcess): Map<string, number>;
}

/** Builds the surrogate part of `mfms-bo` from its parsed settings. */
export function createMfmsSurrogate(
  space: SearchSpace,
  s: MfmsSettings,
  seed: number,
): MfmsSurrogate {
  const k = space.domains.length;
  const encoding = mfmsEncoding(space, s);
  const auto = s.runNoise === 'auto';
  const floors = mixtureLengthscaleFloor(
    k,
    s.ard,
    s.wLengthscaleFloor > 0 ? s.wLengthscaleFloor : 0.25,
  );
  const fullOptions = withSizeCeiling(mfmsGpOptions(k, s, seed), space, s, encoding);
  // meanSelect: the same GP without the mixture and drift terms (same inputs: the kernel and
  // the fidelity mean read the first columns only).
  const plain = { ...s, interaction: 'none' as const, mixtureMean: 'none' as const };
  const plainOptions = withSizeCeiling(mfmsGpOptions(k, plain, seed), space, s, encoding);
  // The number of mean coefficients of a `{ kind: 'linear', dims }` mean (the only kind with
  // such terms, `mean: 'fidelity'`); -1 for the others, which have none to select.
  const numMean = (o: GPOptions) => (typeof o.mean === 'object' ? 1 + o.mean.dims.length : -1);
  const select = s.meanSelect !== 'none' && numMean(fullOptions) !== numMean(plainOptions);
  /** Whether stored hyper-parameters are of the model without the mixture and drift terms. */
  const isPlain = (h: GPHyperparameters | undefined) =>
    select && h !== undefined && h.mean.length === numMean(plainOptions);
  const state: FitState = { hyper: undefined, fittedAt: -1, runNoiseOn: false };
  // 'auto': the mixture lengthscale floored; run groups once switched on.
  const floored = (o: GPOptions): GPOptions => (auto ? { ...o, lengthscaleLower: floors } : o);
  const [fullBase, plainBase] = [floored(fullOptions), floored(plainOptions)];
  const optionsFor = (obs: Observations, plainMean = isPlain(state.hyper)): GPOptions => {
    const base = withConstantChannelsFixed(plainMean ? plainBase : fullBase, obs, k, s.ard);
    if (s.runNoise !== 'auto')
      return withRunGroups(base, obs, s.runNoise, k, encoding.sTarget, s.noisierSmallRuns);
    return state.runNoiseOn
      ? withRunGroups(base, obs, 'by-size', k, encoding.sTarget, s.noisierSmallRuns)
      : base;
  };
  const uniform = new Array<number>(k).fill(1 / k);
  const sizeFromTarget = (scale: string) =>
    encodeInput(space, uniform, scale, space.target.steps, encoding.enc)[k]! - encoding.sTarget;
  return {
    encoding,
    state,
    fit(history, store) {
      const data = mfmsData(space, history, s, encoding.enc);
      const { obs } = data;
      const nRuns = new Set(obs.points.map((p) => p.runId)).size;
      if (nRuns < Math.min(s.initial, 5) || obs.n < 3) return undefined;
      const i = history.runs.length;
      const opts = optionsFor(obs);
      const { hyper } = state;
      const robust = (gp: GaussianProcess, o: GPOptions) =>
        s.offsetLimit > 0 ? withoutImplausibleOffsets(gp, obs, o, s.offsetLimit) : gp;
      if (!store) return { ...data, gp: robust(viewSurrogate(obs, opts, hyper), opts) };
      if (hyper === undefined || (s.refitEvery > 0 && i - state.fittedAt >= s.refitEvery)) {
        // A hyper-parameter fit of one mean structure: warm-started (and fresh) from the stored
        // hyper-parameters when they are of it, else from the default start(s).
        const fitMean = (o: GPOptions, warm: GPHyperparameters | undefined) =>
          warm !== undefined && s.refitStart === 'warm-or-fresh'
            ? warmOrFresh(obs, o, warm)
            : surrogate(obs, hyper === undefined ? o : { ...o, restarts: 1 }, {
                fit: true,
                ...(warm !== undefined ? { warmStart: warm } : {}),
              });
        let gp = fitMean(opts, hyper);
        // The options of the fit kept: `opts`, or with run offsets once the switch below is on.
        let kept = opts;
        if (select) {
          // meanSelect: the other structure too, and keep the better one.
          const other = optionsFor(obs, !isPlain(hyper));
          const alt = fitMean(other, undefined);
          if (preferAlternative(s.meanSelect, gp, alt, obs, space.target.scale, isPlain)) {
            gp = alt;
            kept = other;
          }
        }
        if (auto && !state.runNoiseOn && onMixtureFloor(gp.hyperparameters, floors)) {
          // The switch: a fresh fit (all restarts) with run offsets by size.
          state.runNoiseOn = true;
          kept = optionsFor(obs, isPlain(gp.hyperparameters));
          gp = surrogate(obs, kept, { fit: true });
        }
        if (s.sizeCheck.length > 0) gp = checkedBySize(gp, obs, kept, space, encoding, s);
        state.hyper = gp.hyperparameters;
        state.fittedAt = i;
        return { ...data, gp: robust(gp, kept) };
      }
      return { ...data, gp: robust(surrogate(obs, opts, { fit: false, hyper }), opts) };
    },
    noiseByScale: (gp) =>
      new Map(space.scales.map((x) => [x.name, newRunNoise(gp, sizeFromTarget(x.name))])),
  };
}

/**
 * The surrogate view (study reports): the joint latent posterior of `fit` at `mixtures` at
 * fidelity `f`, in the metric's units. With the log transform the covariance is the delta
 * method's, `C_ij exp(mu_i) exp(mu_j)` (`mu` shift included).
 * @throws ValidationError when `f` is not a ladder scale with steps > 0
 */
export function surrogateJoint(
  space: SearchSpace,
  fit: SurrogateFit,
  mixtures: readonly Mixture[],
  f: Fidelity,
  enc: EncodingOptions,
): SurrogateJoint {
  checkFidelity(
    space.scales.map((x) => x.name),
    f,
  );
  const xs = mixtures.map((w) => encodeInput(space, w, f.scale, f.steps, enc));
  const j = jointPrediction(fit.gp, xs, space.metric.direction);
  if (!fit.log) return j;
  const off = fit.shift(f.scale, f.steps);
  const mu = j.predictions.map((p) => p.mean + off);
  const m = mu.length;
  const covariance = j.covariance.map((c, q) => c * Math.exp(mu[Math.floor(q / m)]! + mu[q % m]!));
  return {
    predictions: mu.map((x, r) => metricPrediction(space, x, j.covariance[r * m + r]!, true)),
    covariance,
  };
}
