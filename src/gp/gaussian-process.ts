/**
 * The exact Gaussian process: fitting by maximum marginal likelihood
 * (multi-start L-BFGS-B), conditioning, posterior prediction with input
 * gradients, joint covariance and rank-one updates.
 *
 * Notation (see types.ts and likelihood.ts):
 *   n, d     observations, input dims; X n×d row-major; y original outputs
 *   ȳ, σ_y   standardisation (mean, population std); z = (y − ȳ)/σ_y
 *   s, σ², ℓ output scale, noise variance, lengthscales; ν_i per-point noise / σ_y²
 *   k_*      s·k(X, x*) (length n);  L, α as in likelihood.ts
 *
 * Posterior of the latent f at x* (standardised, then mapped back):
 *   μ(x*)  = m(x*) + k_*ᵀ α                       →  ȳ + σ_y μ
 *   v(x*)  = s·k(x*,x*) − ‖L⁻¹k_*‖²                →  σ_y² v   (clamped at 0)
 *   ∂μ / ∂x* = ∂m/∂x* + (∂k_* / ∂x*)ᵀ α
 *   ∂v / ∂x* = −2 (∂k_* / ∂x*)ᵀ K⁻¹ k_*
 *
 * `logMarginalLikelihood` is in ORIGINAL y units: log p(y) = log p(z) − n log σ_y
 * (the Jacobian of the standardisation), without priors.
 *
 * Reference: Rasmussen & Williams (2006), Algorithm 2.1.
 */
import { NumericsError, Rng, ValidationError } from '../core/index.ts';
import { cholAppend, cholesky, cholSolve, FactorSolver, lbfgsb } from '../linalg/index.ts';
import { type FitStartsJob, submitFitStarts } from './fit-threads.ts';
import {
  channelSpans,
  checkHyper,
  checkPriors,
  HyperLayout,
  hyperBox,
  restandardize,
} from './hyperparameters.ts';
import { Kernel } from './kernel.ts';
import { type Factorization, MarginalLikelihood } from './likelihood.ts';

import type {
  GPHyperparameters,
  GPOptions,
  LikelihoodOptions,
  MeanSpec,
  PriorSpec,
  SubsetStageOptions,
} from './types.ts';

const LOG_2PI = Math.log(2 * Math.PI);

/** Options after validation and defaults. */
interface Resolved {
  readonly kernel: Kernel;
  readonly mean: MeanSpec;
  readonly learned: boolean;
  readonly fixedNoise: number;
  readonly noiseLower: number;
  readonly noiseInitial: number | undefined;
  readonly priors: PriorSpec | undefined;
  readonly restarts: number;
  readonly seed: number;
  readonly standardize: boolean;
  readonly maxIter: number;
  readonly fitPoints: number | undefined;
  readonly subsetStage: Required<SubsetStageOptions>;
  readonly likelihood: LikelihoodOptions;
  /** Whether the observations carry group labels (a learned v_g). */
  readonly grouped: boolean;
  readonly layout: HyperLayout;
  /** Per-channel lengthscale floors (GPOptions.lengthscaleLower), or undefined. */
  readonly lengthscaleLower: Float64Array | undefined;
  /** Per-channel lengthscale ceilings (GPOptions.lengthscaleUpper), or undefined. */
  readonly lengthscaleUpper: Float64Array | undefined;
  /** The box of the group-offset slope γ (GPOptions.groupSlopeBounds, default [−10, 10]). */
  readonly groupSlopeBounds: readonly [number, number];
}

/** GPOptions.groupSlopeBounds checked: two finite numbers, lower <= upper. */
function checkGroupSlopeBounds(b: unknown): readonly [number, number] {
  if (b === undefined) return [-10, 10];
  if (
    !Array.isArray(b) ||
    b.length !== 2 ||
    !b.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
    (b[0] as number) > (b[1] as number)
  ) {
    throw new ValidationError(
      `groupSlopeBounds must be [lower, upper], two finite numbers with lower <= upper (e.g. [-10, 0]), got ${JSON.stringify(b)}`,
    );
  }
  return [b[0] as number, b[1] as number];
}

function resolve(d: number, o: GPOptions): Resolved {
  if (o === null || typeof o !== 'object') {
    throw new ValidationError('GP options must be an object with at least a kernel');
  }
  const kernel = new Kernel(o.kernel, d);
  const mean = o.mean ?? 'constant';
  if (typeof mean === 'object' && mean !== null && mean.kind === 'linear') {
    const dims = mean.dims;
    if (
      !Array.isArray(dims) ||
      dims.length === 0 ||
      dims.some((j) => !Number.isInteger(j) || j < 0 || j >= d) ||
      new Set(dims).size !== dims.length
    ) {
      throw new ValidationError(
        `GP mean { kind: 'linear', dims } needs distinct integer dims in [0, ${d}), got ${JSON.stringify(dims)}`,
      );
    }
    const pr = mean.precision;
    if (
      pr !== undefined &&
      (!Array.isArray(pr) ||
        pr.length !== dims.length ||
        pr.some((v) => typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)))
    ) {
      throw new ValidationError(
        `GP mean precision needs one finite value >= 0 per dim (${dims.length}), got ${JSON.stringify(pr)}`,
      );
    }
  } else if (mean !== 'zero' && mean !== 'constant' && mean !== 'linear') {
    throw new ValidationError(
      `GP mean must be 'zero', 'constant', 'linear' or { kind: 'linear', dims }, got ${JSON.stringify(mean)}`,
    );
  }
  const noise = o.noise ?? { kind: 'learned' };
  let learned: boolean;
  let fixedNoise = 0;
  let noiseLower = 1e-6;
  let noiseInitial: number | undefined;
  if (noise.kind === 'learned') {
    learned = true;
    noiseLower = noise.lower ?? 1e-6;
    if (!(noiseLower > 0) || !Number.isFinite(noiseLower)) {
      throw new ValidationError(
        `noise.lower must be positive and finite, got ${String(noise.lower)}`,
      );
    }
    noiseInitial = noise.initial;
    if (noiseInitial !== undefined && (!(noiseInitial > 0) || !Number.isFinite(noiseInitial))) {
      throw new ValidationError(
        `noise.initial must be positive and finite, got ${String(noiseInitial)}`,
      );
    }
  } else if (noise.kind === 'fixed') {
    learned = false;
    fixedNoise = noise.variance;
    if (!(fixedNoise >= 0) || !Number.isFinite(fixedNoise)) {
      throw new ValidationError(
        `noise.variance must be finite and >= 0, got ${String(noise.variance)}; use e.g. { kind: 'fixed', variance: 1e-6 }`,
      );
    }
  } else {
    throw new ValidationError(
      `noise.kind must be 'learned' or 'fixed', got ${JSON.stringify((noise as { kind?: unknown }).kind)}`,
    );
  }
  checkPriors(o.priors);
  const restarts = o.restarts ?? 5;
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new ValidationError(`restarts must be an integer >= 1, got ${String(o.restarts)}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed))
    throw new ValidationError(`seed must be a safe integer, got ${String(seed)}`);
  const maxIter = o.maxIter ?? 200;
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new ValidationError(`maxIter must be an integer >= 1, got ${String(o.maxIter)}`);
  }
  if (o.groupCovariate !== undefined && o.groups === undefined) {
    throw new ValidationError(
      'groupCovariate needs groups: give each observation a group label (GPOptions.groups)',
    );
  }
  const fitPoints = o.fitPoints;
  if (fitPoints !== undefined && (!Number.isInteger(fitPoints) || fitPoints < 10)) {
    throw new ValidationError(
      `fitPoints must be an integer >= 10 (or absent: fit on all the data), got ${String(fitPoints)}`,
    );
  }
  const subsetStage = resolveSubsetStage(o.subsetStage);
  return {
    lengthscaleLower: checkLengthscaleBound(
      o.lengthscaleLower,
      kernel.numLengthscales,
      'lengthscaleLower',
      'floor',
    ),
    lengthscaleUpper: checkLengthscaleBound(
      o.lengthscaleUpper,
      kernel.numLengthscales,
      'lengthscaleUpper',
      'ceiling',
    ),
    groupSlopeBounds: checkGroupSlopeBounds(o.groupSlopeBounds),
    subsetStage,
    likelihood: resolveLikelihood(o.likelihood),
    kernel,
    mean,
    learned,
    fixedNoise,
    noiseLower,
    noiseInitial,
    priors: o.priors,
    restarts,
    seed,
    standardize: o.standardize ?? true,
    maxIter,
    fitPoints,
    grouped: o.groups !== undefined,
    layout: new HyperLayout(
      kernel,
      mean,
      learned,
      o.groups !== undefined,
      o.groupCovariate !== undefined,
    ),
  };
}

function checkLengthscaleBound(
  v: ArrayLike<number> | undefined,
  channels: number,
  name: string,
  what: string,
): Float64Array | undefined {
  if (v === undefined) return undefined;
  if (v.length !== channels) {
    throw new ValidationError(
      `${name} has length ${v.length}, expected one ${what} per kernel channel (${channels}); use 0 for no ${what}`,
    );
  }
  const out = Float64Array.from(v);
  for (let c = 0; c < channels; c++) {
    const e = out[c] as number;
    if (!(e >= 0) || !Number.isFinite(e)) {
      throw new ValidationError(
        `${name}[${c}] = ${String(e)} must be a finite lengthscale >= 0 (0 = no ${what})`,
      );
    }
  }
  return out;
}

function checkData(X: Float64Array, y: ArrayLike<number>, d: number): number {
  if (!Number.isInteger(d) || d < 1)
    throw new ValidationError(`d must be a positive integer, got ${String(d)}`);
  if (!(X instanceof Float64Array))
    throw new ValidationError('X must be a row-major Float64Array (n×d)');
  if (X.length % d !== 0) {
    throw new ValidationError(
      `X has length ${X.length}, not a multiple of d = ${d}; pass X row-major n×d`,
    );
  }
  const n = X.length / d;
  if (n < 1) throw new ValidationError('the GP needs at least one observation; got n = 0');
  if (y.length !== n) {
    throw new ValidationError(`y has length ${y.length} but X has n = ${n} rows (d = ${d})`);
  }
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i] as number)) {
      throw new ValidationError(
        `X[${Math.floor(i / d)}][${i % d}] = ${String(X[i])} is not finite; clean the inputs`,
      );
    }
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i] as number)) {
      throw new ValidationError(
        `y[${i}] = ${String(y[i])} is not finite; drop or fix that observation`,
      );
    }
  }
  return n;
}

function checkNoisePerPoint(v: ArrayLike<number> | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (v === undefined) return out;
  if (v.length !== n) {
    throw new ValidationError(
      `noisePerPoint has length ${v.length}, expected one variance per observation (${n})`,
    );
  }
  for (let i = 0; i < n; i++) {
    const e = v[i] as number;
    if (!(e >= 0) || !Number.isFinite(e)) {
      throw new ValidationError(
        `noisePerPoint[${i}] = ${String(e)} must be a finite variance >= 0`,
      );
    }
    out[i] = e;
  }
  return out;
}

function checkGroups(v: ArrayLike<number> | undefined, n: number): Int32Array | null {
  if (v === undefined) return null;
  if (v.length !== n) {
    throw new ValidationError(
      `groups has length ${v.length}, expected one group label per observation (${n}); use -1 for none`,
    );
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = v[i] as number;
    if (!Number.isInteger(g) || g < -1 || g > 2 ** 31 - 1) {
      throw new ValidationError(
        `groups[${i}] = ${String(g)} must be an integer group label >= 0, or -1 for none`,
      );
    }
    out[i] = g;
  }
  return out;
}

function checkGroupCovariate(
  v: ArrayLike<number> | undefined,
  groups: Int32Array | null,
  n: number,
): Float64Array | null {
  if (v === undefined || groups === null) return null;
  if (v.length !== n) {
    throw new ValidationError(
      `groupCovariate has length ${v.length}, expected one value per observation (${n})`,
    );
  }
  const out = Float64Array.from(v);
  const first = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const u = out[i] as number;
    if (!Number.isFinite(u)) {
      throw new ValidationError(`groupCovariate[${i}] = ${String(u)} is not finite`);
    }
    const g = groups[i] as number;
    if (g < 0) continue;
    const f = first.get(g);
    if (f === undefined) first.set(g, u);
    else if (f !== u) {
      throw new ValidationError(
        `groupCovariate[${i}] = ${u} differs from ${f} earlier in group ${g}; it must be the same for every member of a group`,
      );
    }
  }
  return out;
}

function standardization(
  y: ArrayLike<number>,
  n: number,
  on: boolean,
): { mean: number; std: number } {
  if (!on) return { mean: 0, std: 1 };
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i] as number;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += ((y[i] as number) - m) ** 2;
  const std = Math.sqrt(v / n);
  return { mean: m, std: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** Everything a GaussianProcess holds. */
interface State {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly d: number;
  readonly options: GPOptions;
  readonly r: Resolved;
  readonly extra: Float64Array; // per-point noise, original units
  readonly groups: Int32Array | null; // group labels (GPOptions.groups)
  readonly groupCovariate: Float64Array | null; // GPOptions.groupCovariate
  readonly stdz: { mean: number; std: number };
  readonly theta: Float64Array;
  readonly noise: number; // σ² (standardised)
  readonly L: Float64Array;
  readonly jitter: number;
  readonly alpha: Float64Array;
  readonly lmlZ: number;
  readonly fit?: readonly FitStart[];
}

/** Diagnostics of one L-BFGS-B start of {@link fitGP}. */
export interface FitStart {
  /** Final objective −(log p(z|θ) + log prior), standardised units. */
  readonly objective: number;
  /** Iterations and evaluations on all the data. */
  readonly iterations: number;
  readonly evaluations: number;
  /** Evaluations of the subset stage (0 for start 1 and when n ≤ 256). */
  readonly subsetEvaluations: number;
  readonly message: string;
}

/** {@link GPOptions.likelihood} checked: `maxCached` an integer >= 0 when given. */
function resolveLikelihood(o: LikelihoodOptions | undefined): LikelihoodOptions {
  const maxCached = o?.maxCached;
  if (maxCached !== undefined && (!Number.isSafeInteger(maxCached) || maxCached < 0)) {
    throw new ValidationError(
      `likelihood.maxCached must be an integer >= 0 (numbers cached across evaluations), got ${String(maxCached)}; leave it out for 2^25`,
    );
  }
  return maxCached === undefined ? {} : { maxCached };
}

/** The defaults of {@link GPOptions.subsetStage}. */
const SUBSET_STAGE_DEFAULTS: Required<SubsetStageOptions> = {
  minN: 256,
  size: 256,
  duplicateTol: 1e-3,
};

function resolveSubsetStage(o: SubsetStageOptions | undefined): Required<SubsetStageOptions> {
  const r = { ...SUBSET_STAGE_DEFAULTS, ...o };
  for (const key of ['minN', 'size'] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 1) {
      throw new ValidationError(
        `subsetStage.${key} must be an integer >= 1, got ${String(r[key])}; leave it out for ${SUBSET_STAGE_DEFAULTS[key]}`,
      );
    }
  }
  if (!(r.duplicateTol >= 0) || !Number.isFinite(r.duplicateTol)) {
    throw new ValidationError(
      `subsetStage.duplicateTol must be finite and >= 0, got ${String(r.duplicateTol)}; leave it out for ${SUBSET_STAGE_DEFAULTS.duplicateTol}`,
    );
  }
  return r;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** The observations a fit's likelihood runs on (all of them, or a seeded subset). */
interface FitData {
  X: Float64Array;
  y: Float64Array;
  extra: Float64Array;
  groups: Int32Array | null;
  cov: Float64Array | null;
  n: number;
}

/** Rows of a seeded random subset of size m (sorted), drawn from `new Rng(seed).fork(label)`. */
function subsetRows(
  seed: number,
  label: string,
  X: Float64Array,
  y: Float64Array,
  extra: Float64Array,
  groups: Int32Array | null,
  cov: Float64Array | null,
  n: number,
  d: number,
  m: number,
): FitData {
  const idx = new Rng(seed)
    .fork(label)
    .shuffle(Array.from({ length: n }, (_, i) => i))
    .slice(0, m)
    .sort((a, b) => a - b);
  const k = idx.length;
  const Xs = new Float64Array(k * d);
  const ys = new Float64Array(k);
  const es = new Float64Array(k);
  const gs = groups === null ? null : new Int32Array(k);
  const us = cov === null ? null : new Float64Array(k);
  idx.forEach((i, q) => {
    Xs.set(X.subarray(i * d, (i + 1) * d), q * d);
    ys[q] = y[i] as number;
    es[q] = extra[i] as number;
    if (gs !== null) gs[q] = (groups as Int32Array)[i] as number;
    if (us !== null) us[q] = (cov as Float64Array)[i] as number;
  });
  return { X: Xs, y: ys, extra: es, groups: gs, cov: us, n: k };
}

/** The likelihood of a seeded random subset (same standardisation as the full data). */
function subsetLikelihood(
  r: Resolved,
  X: Float64Array,
  y: Float64Array,
  extra: Float64Array,
  groups: Int32Array | null,
  cov: Float64Array | null,
  stdz: { mean: number; std: number },
  n: number,
  d: number,
): MarginalLikelihood {
  const m = Math.min(r.subsetStage.size, Math.ceil(n / 2));
  const s = subsetRows(r.seed, 'gp-subset', X, y, extra, groups, cov, n, d, m);
  return buildLikelihood(r, s.X, s.n, s.y, s.extra, s.groups, s.cov, stdz);
}

function buildLikelihood(
  r: Resolved,
  X: Float64Array,
  n: number,
  y: ArrayLike<number>,
  extra: Float64Array,
  groups: Int32Array | null,
  cov: Float64Array | null,
  stdz: { mean: number; std: number },
): MarginalLikelihood {
  const z = new Float64Array(n);
  const nu = new Float64Array(n);
  const s2 = stdz.std * stdz.std;
  for (let i = 0; i < n; i++) {
    z[i] = ((y[i] as number) - stdz.mean) / stdz.std;
    nu[i] = (extra[i] as number) / s2;
  }
  return new MarginalLikelihood(
    r.kernel,
    r.layout,
    X,
    n,
    z,
    nu,
    r.fixedNoise,
    r.priors,
    groups,
    cov,
    r.likelihood,
  );
}

function makeState(
  X: Float64Array,
  y: Float64Array,
  n: number,
  d: number,
  options: GPOptions,
  r: Resolved,
  extra: Float64Array,
  groups: Int32Array | null,
  groupCovariate: Float64Array | null,
  stdz: { mean: number; std: number },
  lik: MarginalLikelihood,
  theta: Float64Array,
  fac?: Factorization,
): State {
  const f = fac ?? lik.factorize(theta);
  return {
    X,
    y,
    n,
    d,
    options,
    r,
    extra,
    groups,
    groupCovariate,
    stdz,
    theta,
    noise: lik.noiseAt(theta),
    L: f.L,
    jitter: f.jitter,
    alpha: f.alpha,
    lmlZ: f.lml,
  };
}

/** One L-BFGS-B start of a fit: its diagnostics and, unless it shared an earlier polish, its optimum. */
export interface StartResult {
  readonly fit: FitStart;
  /** The optimum's kernel and noise entries (null when the start shared another's polish). */
  readonly x: Float64Array | null;
  /** The objective there (minimised: −(log p(z|θ) + log prior)). */
  readonly f: number;
}

/**
 * The L-BFGS-B starts of one fit over its fit data `sub` (the subset stage on when `sub.n`
 * exceeds `subsetStage.minN`): `run` takes starts `{k, x0}` in order and returns their results
 * in order. A start k > 0 is first optimised on the seeded subset, and shares the polish of an
 * earlier start of the same `run` call whose subset optimum lies within `duplicateTol`; start 0
 * never enters the subset stage.
 */
function startRuns(
  r: Resolved,
  likFit: MarginalLikelihood,
  sub: FitData,
  stdz: { mean: number; std: number },
  d: number,
  lower: Float64Array,
  upper: Float64Array,
): { subset: boolean; run(starts: readonly { k: number; x0: Float64Array }[]): StartResult[] } {
  // L-BFGS-B runs over the kernel/noise entries θ[0..iMean); the mean coefficients are
  // profiled out exactly (generalised least squares) at every evaluation.
  const P = r.layout.iMean;
  const objective = (l: MarginalLikelihood) => {
    const full = new Float64Array(r.layout.size);
    const gFull = new Float64Array(r.layout.size);
    return (x: Float64Array, g: Float64Array): number => {
      full.set(x);
      const val = l.evaluateProfiled(full, gFull);
      if (!Number.isFinite(val)) {
        g.fill(0);
        return Number.POSITIVE_INFINITY;
      }
      for (let i = 0; i < P; i++) g[i] = -(gFull[i] as number);
      return -val;
    };
  };
  const fg = objective(likFit);
  const lbOpts = { lower, upper, m: 10, maxIter: r.maxIter, pgtol: 1e-5, factr: 1e7 };
  // Large n: each random start (k ≥ 1) is first optimised on a seeded random subset of
  // subsetSize points (cost ∝ size³), then polished on all the data. The result is a
  // local optimum of the full-data objective either way; the subset stage only moves the
  // start. Start 1 (defaults or warm start) always runs on all the data: a subset's
  // landscape can favour another mode (e.g. which simplex coordinate to treat as redundant).
  // Built at the first random start: a caller whose random starts run on the fit thread never
  // needs it.
  const subset = sub.n > r.subsetStage.minN;
  let subsetObjective: ReturnType<typeof objective> | undefined;
  const fgSub = () => {
    subsetObjective ??= objective(
      subsetLikelihood(r, sub.X, sub.y, sub.extra, sub.groups, sub.cov, stdz, sub.n, d),
    );
    return subsetObjective;
  };
  const run = (starts: readonly { k: number; x0: Float64Array }[]): StartResult[] => {
    // Subset optima already polished: a start whose subset optimum lies within duplicateTol
    // (max |Δθ|) of one of them would be polished along the same path, so it shares that result.
    const polished: { x: Float64Array; k: number; f: number }[] = [];
    return starts.map(({ k, x0 }) => {
      let xs = x0.subarray(0, P);
      let pre = 0;
      if (subset && k > 0) {
        const sub = lbfgsb(fgSub(), xs, lbOpts);
        pre = sub.evaluations;
        if (Number.isFinite(sub.f)) {
          xs = sub.x;
          const twin = polished.find((q) => maxAbsDiff(q.x, sub.x) <= r.subsetStage.duplicateTol);
          if (twin !== undefined) {
            return {
              fit: {
                objective: twin.f,
                iterations: 0,
                evaluations: 0,
                subsetEvaluations: pre,
                message: `subset optimum duplicates start ${twin.k + 1}'s: shares its polish`,
              },
              x: null,
              f: twin.f,
            };
          }
        }
      }
      const res = lbfgsb(fg, xs, lbOpts);
      if (subset && pre > 0) polished.push({ x: Float64Array.from(xs), k, f: res.f });
      return {
        fit: {
          objective: res.f,
          iterations: res.iterations,
          evaluations: res.evaluations,
          subsetEvaluations: pre,
          message: res.message,
        },
        x: Float64Array.from(res.x),
        f: res.f,
      };
    });
  };
  return { subset, run };
}

/**
 * The random starts of a fit, run where {@link fitGP} sent them (a fit thread): the fit data,
 * options and box as the fit had them, so the same computation gives the same results.
 */
export function runFitStartsJob(job: FitStartsJob): StartResult[] {
  const r = resolve(job.d, job.options);
  const sub = {
    X: job.X,
    y: job.y,
    extra: job.extra,
    groups: job.groups,
    cov: job.cov,
    n: job.n,
  };
  const likFit = buildLikelihood(r, sub.X, sub.n, sub.y, sub.extra, sub.groups, sub.cov, job.stdz);
  return startRuns(r, likFit, sub, job.stdz, job.d, job.lower, job.upper).run(job.starts);
}

/**
 * Fit a GP by maximising log p(z | θ) + log prior(θ) over the log-space
 * hyper-parameters with multi-start L-BFGS-B (analytic gradients), then
 * condition on the data. Start 1 is the default point of the box (or
 * `warmStart`, converted into this data's standardisation); starts 2..restarts are
 * drawn from `new Rng(seed)` (box: see hyperparameters.ts). The mean coefficients
 * are profiled out by generalised least squares at every evaluation (exact: the
 * optimum over them given the rest), so L-BFGS-B searches only the kernel and noise.
 * With `fitPoints` below n, all of this runs on a seeded random subset of `fitPoints`
 * observations (`Rng(seed).fork('gp-fit-points')`) and only the final conditioning uses every
 * point (the hyper-parameters' cost is then bounded by the subset, the posterior is exact).
 * For n > 256, start 1 runs on all the (fit) data as usual, while each random start is
 * first optimised on a seeded random subset of min(256, ⌈n/2⌉) points and then polished on all
 * the data; random starts whose subset optima coincide (max |Δθ| ≤ 1e-3) share one
 * polish. The best start wins (the
 * earliest on ties), so the same inputs and seed give bit-identical fits. With the subset stage
 * on, the random starts may run on a second thread while this one runs start 1 (fit-threads.ts):
 * the same computation, so the same fit.
 * Per-start diagnostics: {@link GaussianProcess.fitDiagnostics}.
 *
 * @param X n×d inputs, row-major (copied)
 * @param y n outputs (copied)
 * @throws ValidationError on malformed data or options
 * @throws NumericsError when no start yields a positive-definite covariance
 */
export function fitGP(
  X: Float64Array,
  y: ArrayLike<number>,
  d: number,
  options: GPOptions,
): GaussianProcess {
  const prep = prepareFit(X, y, d, options);
  const { r, runs } = prep;
  const first = firstStart(prep, options);
  const starts: Float64Array[] = [first];
  const rng = new Rng(r.seed);
  for (let k = 1; k < r.restarts; k++) {
    starts.push(prep.box.sample(rng));
  }
  // Start 1 never enters the subset stage, so the random starts (2..restarts: subset stage,
  // polish, shared polishes) depend only on each other: with the subset stage on and a fit
  // thread free, they run there while this thread runs start 1 (the same computation either
  // way, so the same result; fit-threads.ts).
  const later = starts.slice(1).map((x0, i) => ({ k: i + 1, x0 }));
  const pending =
    runs.subset && later.length > 0 ? submitFitStarts(startsJob(prep, d, options, later)) : null;
  const results =
    pending === null
      ? runs.run(starts.map((x0, k) => ({ k, x0 })))
      : [...runs.run([{ k: 0, x0: first }]), ...(pending.result() ?? runs.run(later))];
  return finishFit(prep, d, options, results, first);
}

/**
 * Two fits of the same data: `fitGP(X, y, d, options)` (typically warm-started) and the fit from
 * the default starting point alone, `fitGP(X, y, d, { ...options without warmStart, restarts: 1
 * })`, each bit-identical to its own `fitGP` call. With the subset stage's size (more than 256
 * fit points) and a fit thread free, the second runs there while this thread runs the first
 * (fit-threads.ts): a refit that also tries a fresh start (`refitStart: 'warm-or-fresh'`) then
 * takes about the time of one fit.
 * @returns both fits; `fresh` is the NumericsError of the second when it failed numerically
 * @throws as {@link fitGP} for the first fit, and ValidationError for malformed inputs
 */
export function fitGPWithFreshStart(
  X: Float64Array,
  y: ArrayLike<number>,
  d: number,
  options: GPOptions,
): { fit: GaussianProcess; fresh: GaussianProcess | NumericsError } {
  const { warmStart: _, ...rest } = options;
  const freshOptions: GPOptions = { ...rest, restarts: 1 };
  const prep = prepareFit(X, y, d, freshOptions);
  const first = firstStart(prep, freshOptions);
  const { runs } = prep;
  const pending = runs.subset
    ? submitFitStarts(startsJob(prep, d, freshOptions, [{ k: 0, x0: first }]))
    : null;
  let fit: GaussianProcess;
  try {
    fit = fitGP(X, y, d, options);
  } catch (e) {
    pending?.result();
    throw e;
  }
  try {
    const results = pending?.result() ?? runs.run([{ k: 0, x0: first }]);
    return { fit, fresh: finishFit(prep, d, freshOptions, results, first) };
  } catch (e) {
    if (e instanceof NumericsError) return { fit, fresh: e };
    throw e;
  }
}

/** What every fit of some data needs before its starts run ({@link prepareFit}). */
interface FitPrep {
  readonly n: number;
  readonly r: Resolved;
  readonly extra: Float64Array;
  readonly groups: Int32Array | null;
  readonly cov: Float64Array | null;
  readonly Xc: Float64Array;
  readonly yc: Float64Array;
  readonly stdz: { mean: number; std: number };
  readonly lik: MarginalLikelihood;
  readonly box: ReturnType<typeof hyperBox>;
  readonly sub: FitData;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly runs: ReturnType<typeof startRuns>;
}

/** The checked data, likelihoods, box and start runner of a fit ({@link fitGP}). */
function prepareFit(X: Float64Array, y: ArrayLike<number>, d: number, options: GPOptions): FitPrep {
  const n = checkData(X, y, d);
  const r = resolve(d, options);
  const extra = checkNoisePerPoint(options.noisePerPoint, n);
  const groups = checkGroups(options.groups, n);
  const cov = checkGroupCovariate(options.groupCovariate, groups, n);
  const Xc = Float64Array.from(X);
  const yc = Float64Array.from(y as ArrayLike<number>);
  const stdz = standardization(yc, n, r.standardize);
  const lik = buildLikelihood(r, Xc, n, yc, extra, groups, cov, stdz);
  let v = 1;
  if (!r.standardize) {
    const s = standardization(yc, n, true).std;
    v = s * s;
  }
  const noiseInitial = r.noiseInitial ?? 0.1 * v;
  const box = hyperBox(
    r.layout,
    channelSpans(r.kernel, Xc, n),
    v,
    r.noiseLower,
    noiseInitial,
    r.lengthscaleLower,
    r.lengthscaleUpper,
    r.groupSlopeBounds,
  );
  // With fitPoints below n, the fit runs on a seeded subset of that size (the subset stage
  // then applies to it); the posterior is conditioned on all the data at the end.
  const sub =
    r.fitPoints !== undefined && n > r.fitPoints
      ? subsetRows(r.seed, 'gp-fit-points', Xc, yc, extra, groups, cov, n, d, r.fitPoints)
      : { X: Xc, y: yc, extra, groups, cov, n };
  const likFit =
    sub.n === n
      ? lik
      : buildLikelihood(r, sub.X, sub.n, sub.y, sub.extra, sub.groups, sub.cov, stdz);
  const P = r.layout.iMean;
  const lower = box.lower.subarray(0, P);
  const upper = box.upper.subarray(0, P);
  const runs = startRuns(r, likFit, sub, stdz, d, lower, upper);
  return { n, r, extra, groups, cov, Xc, yc, stdz, lik, box, sub, lower, upper, runs };
}

/** A job for the fit thread: some of a fit's starts over its fit data, options and box. */
function startsJob(
  prep: FitPrep,
  d: number,
  options: GPOptions,
  starts: readonly { k: number; x0: Float64Array }[],
): FitStartsJob {
  const { sub, stdz, lower, upper } = prep;
  return {
    X: sub.X,
    y: sub.y,
    extra: sub.extra,
    groups: sub.groups,
    cov: sub.cov,
    n: sub.n,
    d,
    options,
    stdz,
    lower: Float64Array.from(lower),
    upper: Float64Array.from(upper),
    starts,
  };
}

/** Start 1 of a fit: the box's default point, or `warmStart` in this data's units, clamped. */
function firstStart(prep: FitPrep, options: GPOptions): Float64Array {
  const { r, box, stdz } = prep;
  if (options.warmStart === undefined) return Float64Array.from(box.initial);
  const first = r.layout.toVector(restandardize(options.warmStart, stdz));
  for (let i = 0; i < first.length; i++) {
    first[i] = Math.min(
      box.upper[i] as number,
      Math.max(box.lower[i] as number, first[i] as number),
    );
  }
  return first;
}

/** The fitted GP from its starts' results: the best start's optimum, conditioned on all data. */
function finishFit(
  prep: FitPrep,
  d: number,
  options: GPOptions,
  results: readonly StartResult[],
  first: Float64Array,
): GaussianProcess {
  const { n, r, extra, groups, cov, Xc, yc, stdz, lik } = prep;
  let best: Float64Array | null = null;
  let bestF = Number.POSITIVE_INFINITY;
  const fit: FitStart[] = [];
  for (const res of results) {
    fit.push(res.fit);
    if (res.x !== null && Number.isFinite(res.f) && res.f < bestF) {
      bestF = res.f;
      best = Float64Array.from(res.x);
    }
  }
  // Every start failed: factorising at the first start throws the informative NumericsError.
  const th = best === null ? Float64Array.from(first) : new Float64Array(r.layout.size);
  if (best !== null) th.set(best);
  const fac = lik.factorizeProfiled(th);
  return new GaussianProcess({
    ...makeState(Xc, yc, n, d, options, r, extra, groups, cov, stdz, lik, th, fac),
    fit,
  });
}

/**
 * Condition a GP on data with given hyper-parameters (no fitting). When
 * `hyper.standardization` is present it is used as is (so that the units of the
 * hyper-parameters stay consistent); otherwise the data's own standardisation.
 * @throws ValidationError on malformed data, options or hyper-parameters
 * @throws NumericsError when the covariance is not positive definite even with jitter
 */
export function conditionGP(
  X: Float64Array,
  y: ArrayLike<number>,
  d: number,
  options: GPOptions,
  hyper: GPHyperparameters,
): GaussianProcess {
  const n = checkData(X, y, d);
  const r = resolve(d, options);
  checkHyper(hyper, r.kernel, r.layout.numMean);
  const extra = checkNoisePerPoint(options.noisePerPoint, n);
  const groups = checkGroups(options.groups, n);
  const cov = checkGroupCovariate(options.groupCovariate, groups, n);
  const Xc = Float64Array.from(X);
  const yc = Float64Array.from(y as ArrayLike<number>);
  const stdz = hyper.standardization ?? standardization(yc, n, r.standardize);
  // A fixed noise is taken from the hyper-parameters (they carry their own units).
  const rr: Resolved = r.learned ? r : { ...r, fixedNoise: hyper.noise };
  const lik = buildLikelihood(rr, Xc, n, yc, extra, groups, cov, stdz);
  const theta = r.layout.toVector(hyper);
  return new GaussianProcess(
    makeState(Xc, yc, n, d, options, rr, extra, groups, cov, stdz, lik, theta),
  );
}

/** A conditioned exact GP. Immutable: updates return a new GP. */
export class GaussianProcess {
  readonly n: number;
  readonly d: number;
  readonly hyperparameters: GPHyperparameters;
  /** log p(y | θ) in original y units: log p(z | θ) − n log σ_y (no priors). */
  readonly logMarginalLikelihood: number;
  /** Jitter the Cholesky factorisation needed (0 normally). */
  readonly jitter: number;
  /** Per-start L-BFGS-B diagnostics when this GP came from {@link fitGP} (empty otherwise). */
  readonly fitDiagnostics: readonly FitStart[];
  private readonly st: State;
  /** One-right-hand-side solves with L kept in the wasm memory (predictWithGradient). */
  private solver: FactorSolver | undefined;
  private readonly ls: Float64Array;
  private readonly invL2: Float64Array;
  private readonly s: number;

  /** @internal Use {@link fitGP} or {@link conditionGP}. */
  constructor(st: State) {
    this.st = st;
    this.n = st.n;
    this.d = st.d;
    this.hyperparameters = st.r.layout.fromVector(st.theta, st.noise, st.stdz);
    this.logMarginalLikelihood = st.lmlZ - st.n * Math.log(st.stdz.std);
    this.jitter = st.jitter;
    this.fitDiagnostics = st.fit ?? [];
    this.ls = HyperLayout.channelLengthscales(this.hyperparameters);
    this.invL2 = this.ls.map((l) => 1 / (l * l));
    this.s = this.hyperparameters.outputScale;
  }

  /** Prior mean m(x) (standardised) of row `off` of A. */
  private priorMean(A: ArrayLike<number>, off: number): number {
    const { layout } = this.st.r;
    if (layout.numMean === 0) return 0;
    const th = this.st.theta;
    let m = th[layout.iMean] as number;
    for (let j = 1; j < layout.numMean; j++)
      m +=
        (th[layout.iMean + j] as number) * (A[off + (layout.meanDims[j - 1] as number)] as number);
    return m;
  }

  private checkPoints(Xs: ArrayLike<number>, what: string): number {
    const d = this.d;
    if (Xs.length % d !== 0) {
      throw new ValidationError(
        `${what}: length ${Xs.length} is not a multiple of d = ${d}; pass row-major ns×d`,
      );
    }
    for (let i = 0; i < Xs.length; i++) {
      if (!Number.isFinite(Xs[i] as number)) {
        throw new ValidationError(
          `${what}: entry [${Math.floor(i / d)}][${i % d}] = ${String(Xs[i])} is not finite`,
        );
      }
    }
    return Xs.length / d;
  }

  /**
   * Posterior of the latent f at the rows of Xs (ns×d), original y units.
   * `includeNoise` adds the homoscedastic noise σ²σ_y² (not per-point noise).
   * @throws ValidationError on a malformed Xs
   */
  predict(
    Xs: Float64Array,
    opts: { includeNoise?: boolean } = {},
  ): { mean: Float64Array; variance: Float64Array } {
    const ns = this.checkPoints(Xs, 'predict');
    const { n, d } = this;
    const { X, L, alpha, stdz } = this.st;
    const kernel = this.st.r.kernel;
    const mean = new Float64Array(ns);
    const variance = new Float64Array(ns);
    const kss = this.s * kernel.diag;
    const addNoise = opts.includeNoise === true ? this.st.noise : 0;
    const s2 = stdz.std * stdz.std;
    // Test points in chunks of rows: Ks (m×n) = s·k(Xs, X), V = rows of L⁻¹ k_*.
    const chunk = 512;
    for (let r0 = 0; r0 < ns; r0 += chunk) {
      const m = Math.min(chunk, ns - r0);
      const Ks = kernel.cross(Xs.subarray(r0 * d, (r0 + m) * d), m, X, n, this.ls);
      for (let i = 0; i < Ks.length; i++) Ks[i] = (Ks[i] as number) * this.s;
      this.solver ??= new FactorSolver(L, n);
      const V = this.solver.rows(Ks, m);
      for (let c = 0; c < m; c++) {
        let mu = this.priorMean(Xs, (r0 + c) * d);
        let q = 0;
        const o = c * n;
        for (let i = 0; i < n; i++) {
          mu += (Ks[o + i] as number) * (alpha[i] as number);
          q += (V[o + i] as number) ** 2;
        }
        mean[r0 + c] = stdz.mean + stdz.std * mu;
        variance[r0 + c] = (Math.max(0, kss - q) + addNoise) * s2;
      }
    }
    return { mean, variance };
  }

  /**
   * Posterior mean of f at the rows of Xs (ns×d), original y units: the mean of
   * {@link predict} without the O(n²)-per-point variance.
   * @throws ValidationError on a malformed Xs
   */
  predictMean(Xs: Float64Array): Float64Array {
    const ns = this.checkPoints(Xs, 'predictMean');
    const { n, d } = this;
    const { X, alpha, stdz } = this.st;
    const mean = new Float64Array(ns);
    const chunk = 512;
    for (let r0 = 0; r0 < ns; r0 += chunk) {
      const m = Math.min(chunk, ns - r0);
      const Ks = this.st.r.kernel.cross(Xs.subarray(r0 * d, (r0 + m) * d), m, X, n, this.ls);
      for (let c = 0; c < m; c++) {
        let mu = this.priorMean(Xs, (r0 + c) * d);
        const o = c * n;
        for (let i = 0; i < n; i++) mu += this.s * (Ks[o + i] as number) * (alpha[i] as number);
        mean[r0 + c] = stdz.mean + stdz.std * mu;
      }
    }
    return mean;
  }

  /**
   * Posterior mean and variance of f at one point with their gradients with
   * respect to the point (length d each), original y units.
   * @throws ValidationError when x has the wrong length or non-finite entries
   */
  predictWithGradient(x: ArrayLike<number>): {
    mean: number;
    variance: number;
    dMean: Float64Array;
    dVariance: Float64Array;
  } {
    const { n, d } = this;
    if (x.length !== d)
      throw new ValidationError(`predictWithGradient: x has length ${x.length}, expected d = ${d}`);
    this.checkPoints(x, 'predictWithGradient');
    const { X, L, alpha, stdz, theta } = this.st;
    const { kernel, layout } = this.st.r;
    const C = kernel.numLengthscales;
    const kv = new Float64Array(n);
    const dK = new Float64Array(n * d);
    const Dp = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      kernel.channelDistances(x, 0, X, i * d, Dp, 0);
      kv[i] = this.s * kernel.evalDistances(Dp, 0, this.invL2);
      kernel.partials();
      kernel.inputGradient(x, 0, X, i * d, this.invL2, dK, this.s, i * d);
    }
    let mu = this.priorMean(x, 0);
    const dMean = new Float64Array(d);
    for (let j = 1; j < layout.numMean; j++)
      dMean[layout.meanDims[j - 1] as number] = theta[layout.iMean + j] as number;
    for (let i = 0; i < n; i++) {
      const a = alpha[i] as number;
      mu += (kv[i] as number) * a;
      for (let j = 0; j < d; j++) dMean[j] = (dMean[j] as number) + a * (dK[i * d + j] as number);
    }
    this.solver ??= new FactorSolver(L, n);
    const v = this.solver.forward(kv);
    const w = this.solver.backward(v);
    let q = 0;
    for (let i = 0; i < n; i++) q += (v[i] as number) ** 2;
    const varZ = this.s * kernel.diag - q;
    const dVariance = new Float64Array(d);
    const s2 = stdz.std * stdz.std;
    if (varZ > 0) {
      for (let i = 0; i < n; i++) {
        const wi = -2 * (w[i] as number);
        for (let j = 0; j < d; j++)
          dVariance[j] = (dVariance[j] as number) + wi * (dK[i * d + j] as number);
      }
      for (let j = 0; j < d; j++) dVariance[j] = (dVariance[j] as number) * s2;
    }
    for (let j = 0; j < d; j++) dMean[j] = (dMean[j] as number) * stdz.std;
    return { mean: stdz.mean + stdz.std * mu, variance: Math.max(0, varZ) * s2, dMean, dVariance };
  }

  /**
   * Joint posterior covariance of f at the rows of Xs: ns×ns row-major,
   * σ_y² (s·k(Xs,Xs) − VᵀV) with V = L⁻¹ k(X, Xs), symmetrised.
   * @throws ValidationError on a malformed Xs
   */
  covariance(Xs: Float64Array): Float64Array {
    const ns = this.checkPoints(Xs, 'covariance');
    const { n } = this;
    const { X, L, stdz } = this.st;
    const kernel = this.st.r.kernel;
    const s2 = stdz.std * stdz.std;
    const Ks = kernel.cross(Xs, ns, X, n, this.ls);
    for (let i = 0; i < Ks.length; i++) Ks[i] = (Ks[i] as number) * this.s;
    this.solver ??= new FactorSolver(L, n);
    const V = this.solver.rows(Ks, ns);
    const out = kernel.cross(Xs, ns, Xs, ns, this.ls);
    for (let a = 0; a < ns; a++) {
      for (let b = 0; b <= a; b++) {
        let q = 0;
        for (let i = 0; i < n; i++) q += (V[a * n + i] as number) * (V[b * n + i] as number);
        let c = (this.s * (out[a * ns + b] as number) - q) * s2;
        if (a === b && c < 0) c = 0;
        out[a * ns + b] = c;
        out[b * ns + a] = c;
      }
    }
    return out;
  }

  /**
   * The predictive distribution of the observations at `rows` (noise, per-point noise and group
   * offsets included) given every OTHER observation, with these hyper-parameters and the same
   * prior mean: block leave-out without refactorising. With `Q = (K⁻¹)_BB` and `α = K⁻¹(z − m)`,
   * `z_B | rest ~ N(z_B − Q⁻¹ α_B, Q⁻¹)` (Rasmussen & Williams 2006, §5.4.2, for a block).
   * Original y units; `covariance` is b×b row-major. See {@link heldOutBlocks} for many blocks.
   * @throws ValidationError when a row is out of range or repeated
   * @throws NumericsError when Q cannot be factorised
   */
  heldOut(rows: readonly number[]): { mean: Float64Array; covariance: Float64Array } {
    const [out] = this.heldOutBlocks([rows]);
    if (out === undefined || out === null) {
      throw new NumericsError('heldOut: the held-out block (K⁻¹)_BB is not positive definite', {
        rows: rows.length,
      });
    }
    return out;
  }

  /**
   * {@link heldOut} for each block of `blocks` (each on its own: the other blocks stay in), with
   * one pass over the factor for all of them: `(K⁻¹)_BB = VᵀV` with `V = L⁻¹ E_B` (E_B the
   * block's columns of the identity; the forward solve of column r starts at row r, where
   * its first non-zero is). `null` for a block whose Q cannot be factorised.
   * @throws ValidationError when a block is empty, or a row is out of range or repeated within it
   */
  heldOutBlocks(
    blocks: readonly (readonly number[])[],
  ): ({ mean: Float64Array; covariance: Float64Array } | null)[] {
    const { n } = this;
    for (const rows of blocks) {
      if (rows.length === 0) throw new ValidationError('heldOut: give at least one row');
      const seen = new Set<number>();
      for (const r of rows) {
        if (!Number.isInteger(r) || r < 0 || r >= n || seen.has(r)) {
          throw new ValidationError(
            `heldOut: row ${String(r)} must be a distinct integer in [0, ${n})`,
          );
        }
        seen.add(r);
      }
    }
    // Every distinct row once, in increasing order (blocks of four right-hand sides share a lead).
    const all = [...new Set(blocks.flat())].sort((a, b) => a - b);
    const slot = new Map(all.map((r, j) => [r, j]));
    const m = all.length;
    const E = new Float64Array(m * n);
    all.forEach((r, j) => {
      E[j * n + r] = 1;
    });
    this.solver ??= new FactorSolver(this.st.L, n);
    const V = this.solver.rows(E, m, all);
    return blocks.map((rows) => this.heldOutFrom(rows, V, slot));
  }

  /** One block of {@link heldOutBlocks}, given V = L⁻¹ E (one row per held-out row, at `slot`). */
  private heldOutFrom(
    rows: readonly number[],
    V: Float64Array,
    slot: ReadonlyMap<number, number>,
  ): { mean: Float64Array; covariance: Float64Array } | null {
    const { n } = this;
    const { alpha, stdz, y } = this.st;
    const b = rows.length;
    const Q = new Float64Array(b * b);
    const aB = new Float64Array(b);
    for (let p = 0; p < b; p++) {
      const rp = rows[p] as number;
      const vp = (slot.get(rp) as number) * n;
      aB[p] = alpha[rp] as number;
      for (let q = 0; q <= p; q++) {
        const rq = rows[q] as number;
        const vq = (slot.get(rq) as number) * n;
        let s = 0;
        for (let i = Math.max(rp, rq); i < n; i++)
          s += (V[vp + i] as number) * (V[vq + i] as number);
        Q[p * b + q] = s;
        Q[q * b + p] = s;
      }
    }
    let LQ: Float64Array;
    try {
      LQ = cholesky(Q, b).L;
    } catch (e) {
      if (e instanceof NumericsError) return null;
      throw e;
    }
    // Q⁻¹ by solving against the identity; Q⁻¹ α_B.
    const I = new Float64Array(b * b);
    for (let q = 0; q < b; q++) I[q * b + q] = 1;
    const S = cholSolve(LQ, b, I, b);
    const shift = cholSolve(LQ, b, aB, 1);
    const s2 = stdz.std * stdz.std;
    const mean = new Float64Array(b);
    rows.forEach((r, p) => {
      mean[p] = (y[r] as number) - stdz.std * (shift[p] as number);
    });
    const covariance = new Float64Array(b * b);
    for (let p = 0; p < b; p++) {
      for (let q = 0; q < b; q++) {
        covariance[p * b + q] = 0.5 * ((S[p * b + q] as number) + (S[q * b + p] as number)) * s2;
      }
    }
    return { mean, covariance };
  }

  /**
   * A new GP with one more observation (x, y) and the same hyper-parameters and
   * standardisation, by a rank-one Cholesky append: O(n²). `noise` is an extra
   * per-point noise variance in original y units (default 0).
   * Equals {@link conditionGP} on the enlarged data with `this.hyperparameters`
   * (which carry the standardisation) when no jitter was needed.
   * @throws ValidationError on a malformed point
   * @throws NumericsError when the point duplicates an old one without noise
   */
  addObservation(x: ArrayLike<number>, y: number, noise = 0): GaussianProcess {
    const { n, d } = this;
    if (x.length !== d)
      throw new ValidationError(`addObservation: x has length ${x.length}, expected d = ${d}`);
    this.checkPoints(x, 'addObservation');
    if (!Number.isFinite(y))
      throw new ValidationError(`addObservation: y = ${String(y)} is not finite`);
    if (!(noise >= 0) || !Number.isFinite(noise)) {
      throw new ValidationError(
        `addObservation: noise = ${String(noise)} must be a finite variance >= 0`,
      );
    }
    const st = this.st;
    const { kernel } = st.r;
    const s2 = st.stdz.std * st.stdz.std;
    const kv = kernel.cross(st.X, n, x, 1, this.ls);
    for (let i = 0; i < n; i++) kv[i] = (kv[i] as number) * this.s;
    const kappa = this.s * kernel.diag + st.noise + noise / s2 + st.jitter;
    const L = cholAppend(st.L, n, kv, kappa);
    const m = n + 1;
    const X = new Float64Array(m * d);
    X.set(st.X);
    for (let j = 0; j < d; j++) X[n * d + j] = x[j] as number;
    const yy = new Float64Array(m);
    yy.set(st.y);
    yy[n] = y;
    const extra = new Float64Array(m);
    extra.set(st.extra);
    extra[n] = noise;
    // The new observation joins no group (its noise is its own).
    let groups: Int32Array | null = null;
    if (st.groups !== null) {
      groups = new Int32Array(m);
      groups.set(st.groups);
      groups[n] = -1;
    }
    let groupCovariate: Float64Array | null = null;
    if (st.groupCovariate !== null) {
      groupCovariate = new Float64Array(m);
      groupCovariate.set(st.groupCovariate);
    }
    const rres = new Float64Array(m);
    for (let i = 0; i < m; i++)
      rres[i] = ((yy[i] as number) - st.stdz.mean) / st.stdz.std - this.priorMean(X, i * d);
    const alpha = cholSolve(L, m, rres, 1);
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < m; i++) {
      quad += (rres[i] as number) * (alpha[i] as number);
      logDet += Math.log(L[i * m + i] as number);
    }
    const options: GPOptions = {
      ...st.options,
      noisePerPoint: extra,
      ...(groups !== null ? { groups } : {}),
      ...(groupCovariate !== null ? { groupCovariate } : {}),
    };
    return new GaussianProcess({
      ...st,
      X,
      y: yy,
      n: m,
      options,
      extra,
      groups,
      groupCovariate,
      L,
      alpha,
      lmlZ: -0.5 * quad - logDet - 0.5 * m * LOG_2PI,
    });
  }

  /**
   * The log evidence with the prior-mean coefficients that have a Gaussian prior (MeanSpec
   * `precision`; block P, the others profiled) integrated over it, original y units:
   * `logMarginalLikelihood - ½ b_Pᵀ Λ_P b_P - ½ log det(Λ_P + H_Pᵀ K⁻¹ H_P) + ½ log det(Λ_P)`
   * at the fitted coefficients `b` (their posterior mode; exact for this Gaussian integral).
   * It carries the Occam factor of those terms, so two GPs of the same data whose means differ
   * only by such terms compare by it. Equal to `logMarginalLikelihood` without such terms.
   * @throws NumericsError when `Λ_P + H_Pᵀ K⁻¹ H_P` is not positive definite
   */
  logEvidence(): number {
    const { r, theta, X, n, d, L } = this.st;
    const { layout } = r;
    const P: number[] = [];
    for (let a = 1; a < layout.numMean; a++) if ((layout.meanPrecision[a] as number) > 0) P.push(a);
    if (P.length === 0) return this.logMarginalLikelihood;
    const p = P.length;
    const H = new Float64Array(n * p);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < p; c++)
        H[i * p + c] = X[i * d + (layout.meanDims[(P[c] as number) - 1] as number)] as number;
    const KH = cholSolve(L, n, H, p);
    const S = new Float64Array(p * p);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < p; a++) {
        const ha = H[i * p + a] as number;
        for (let c = 0; c < p; c++)
          S[a * p + c] = (S[a * p + c] as number) + ha * (KH[i * p + c] as number);
      }
    let penalty = 0;
    let logDetPrior = 0;
    for (let a = 0; a < p; a++) {
      const q = layout.meanPrecision[P[a] as number] as number;
      const b = theta[layout.iMean + (P[a] as number)] as number;
      penalty += q * b * b;
      logDetPrior += Math.log(q);
      // Symmetrise (both triangles were summed) and add the prior precision.
      for (let c = 0; c < a; c++) {
        const v = 0.5 * ((S[a * p + c] as number) + (S[c * p + a] as number));
        S[a * p + c] = v;
        S[c * p + a] = v;
      }
      S[a * p + a] = (S[a * p + a] as number) + q;
    }
    const LS = cholesky(S, p).L;
    let logDetS = 0;
    for (let a = 0; a < p; a++) logDetS += 2 * Math.log(LS[a * p + a] as number);
    return this.logMarginalLikelihood - 0.5 * penalty - 0.5 * logDetS + 0.5 * logDetPrior;
  }

  /**
   * The posterior mean of each group's offset (`GPOptions.groups`), with the offset's prior sd,
   * both in original y units: `E[e_g | y] = sum_{i in g} v_g(u_i) alpha_i` (standardised, `alpha =
   * K^-1 (z - m)`), `v_g(u) = groupNoise exp(groupNoiseSlope u)`. Empty without groups. A group
   * whose offset is many prior sds from 0 is one the model explains as improbable noise.
   */
  groupOffsets(): { group: number; mean: number; sd: number }[] {
    const { groups, groupCovariate, alpha, stdz, n } = this.st;
    const h = this.hyperparameters;
    if (groups === null || h.groupNoise === undefined) return [];
    const slope = h.groupNoiseSlope ?? 0;
    const sum = new Map<number, number>();
    const varOf = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (g < 0) continue;
      const v = h.groupNoise * Math.exp(groupCovariate === null ? 0 : slope * groupCovariate[i]!);
      varOf.set(g, v);
      sum.set(g, (sum.get(g) ?? 0) + alpha[i]!);
    }
    return [...sum.entries()].map(([group, a]) => {
      const v = varOf.get(group)!;
      return { group, mean: v * a * stdz.std, sd: Math.sqrt(v) * stdz.std };
    });
  }

  /**
   * The same data conditioned on other hyper-parameters (e.g. from
   * {@link scaleLengthscales}). Without a `standardization` in `h`, this GP's is kept.
   * @throws ValidationError when h does not fit the kernel/mean
   */
  withHyperparameters(h: GPHyperparameters): GaussianProcess {
    const hh = h.standardization === undefined ? { ...h, standardization: { ...this.st.stdz } } : h;
    const opts: GPOptions = { ...this.st.options, noisePerPoint: this.st.extra };
    return conditionGP(this.st.X, this.st.y, this.d, opts, hh);
  }
}
