/**
 * The log-space hyper-parameter vector θ, its named JSON view
 * ({@link GPHyperparameters}), its box, random starts and priors.
 *
 * Notation (see types.ts): θ = [log ℓ_1..log ℓ_C | log s | log σ² (learned noise only) |
 * log v_g (grouped data only) | γ (a group covariate only) | mean coefficients].
 * Lengthscales ℓ are in input units; s, σ² and the mean coefficients in standardised y units.
 *
 * The box (documented choice, data-relative):
 *   ℓ_c ∈ [1e-3·span_c, 1e3·span_c]   span_c = Euclidean diameter of the data over the
 *                                     channel's dims (max − min per dim), 1 when it is 0;
 *                                     the lower end raised to a floor, the upper end lowered
 *                                     to a ceiling, when given
 *   s   ∈ [1e-4·v, 1e4·v]             v = variance of the (standardised) outputs, 1 when 0
 *   σ²  ∈ [lower (default 1e-6), 10·v] (learned noise)
 *   v_g ∈ [1e-6·v, 10·v]              (group offsets; start 0.1·v, random starts as σ²'s)
 *   γ   ∈ [−10, 10]                   (slope of log v_g in the group covariate, or
 *                                     GPOptions.groupSlopeBounds; start 0 clipped to the box,
 *                                     random starts U[−1, 1] clipped)
 *   mean coefficients unbounded.
 * First start: ℓ_c = span_c, s = v, σ² = initial (default 0.1·v), mean = least squares.
 * Random starts: log ℓ_c ~ U[log(0.05 span_c), log(5 span_c)], log s ~ U[log(0.2v), log(5v)],
 *   log σ² ~ U[log max(lower, 1e-4 v), log(0.5 v)], mean = least squares; clipped to the box.
 */
import { type Rng, ValidationError } from '../core/index.ts';
import type { Kernel } from './kernel.ts';
import type { GPHyperparameters, MeanSpec, Prior, PriorSpec } from './types.ts';

/** v_g used when grouped data are conditioned on hyper-parameters fitted without groups. */
export const GROUP_NOISE_ABSENT = 1e-6;

/** Positions of each hyper-parameter group in θ. */
export class HyperLayout {
  readonly numLengthscales: number;
  readonly iScale: number;
  /** Index of log σ², or −1 when the noise is fixed. */
  readonly iNoise: number;
  /** Index of log v_g (the group offsets' variance), or −1 without groups. */
  readonly iGroup: number;
  /** Index of the slope γ of log v_g in the group covariate, or −1 without one. */
  readonly iGroupSlope: number;
  readonly iMean: number;
  readonly numMean: number;
  /** The input dim of each linear mean coefficient (coefficient j ≥ 1 multiplies x[meanDims[j − 1]]). */
  readonly meanDims: Int32Array;
  /** The prior precision of each mean coefficient (0: flat; the intercept's is 0). */
  readonly meanPrecision: Float64Array;
  /** True when some mean coefficient has a prior (a positive precision). */
  readonly meanPrior: boolean;
  readonly size: number;

  constructor(
    readonly kernel: Kernel,
    readonly mean: MeanSpec,
    noiseLearned: boolean,
    grouped = false,
    groupSlope = false,
  ) {
    this.numLengthscales = kernel.numLengthscales;
    this.iScale = this.numLengthscales;
    this.iNoise = noiseLearned ? this.iScale + 1 : -1;
    const afterNoise = this.iScale + (noiseLearned ? 2 : 1);
    this.iGroup = grouped ? afterNoise : -1;
    this.iGroupSlope = grouped && groupSlope ? afterNoise + 1 : -1;
    this.iMean = afterNoise + (grouped ? 1 : 0) + (this.iGroupSlope >= 0 ? 1 : 0);
    this.meanDims =
      mean === 'linear'
        ? Int32Array.from({ length: kernel.d }, (_, j) => j)
        : typeof mean === 'object'
          ? Int32Array.from(mean.dims)
          : new Int32Array(0);
    this.numMean = mean === 'zero' ? 0 : 1 + this.meanDims.length;
    this.meanPrecision = new Float64Array(this.numMean);
    if (typeof mean === 'object' && mean.precision !== undefined)
      for (let j = 0; j < mean.precision.length; j++)
        this.meanPrecision[j + 1] = mean.precision[j] as number;
    this.meanPrior = this.meanPrecision.some((v) => v > 0);
    this.size = this.iMean + this.numMean;
  }

  /** Human-readable name of θ_i (for messages and tests). */
  name(i: number): string {
    if (i < this.numLengthscales) return `log lengthscale[${i}]`;
    if (i === this.iScale) return 'log outputScale';
    if (i === this.iNoise) return 'log noise';
    if (i === this.iGroup) return 'log groupNoise';
    if (i === this.iGroupSlope) return 'groupNoiseSlope';
    const m = i - this.iMean;
    return m === 0 ? 'mean c' : `mean b[${m - 1}]`;
  }

  /**
   * θ from named hyper-parameters (the noise entry is skipped when fixed).
   * @throws ValidationError when the shape does not match the kernel/mean or a value is not positive and finite.
   */
  toVector(h: GPHyperparameters): Float64Array {
    checkHyper(h, this.kernel, this.numMean);
    const th = new Float64Array(this.size);
    let c = 0;
    for (const leaf of h.lengthscales) for (const v of leaf.values) th[c++] = Math.log(v);
    th[this.iScale] = Math.log(h.outputScale);
    if (this.iNoise >= 0) {
      if (!(h.noise > 0)) {
        throw new ValidationError(
          `hyperparameters: a learned noise must be positive, got ${String(h.noise)}; use a fixed noise for 0`,
        );
      }
      th[this.iNoise] = Math.log(h.noise);
    }
    if (this.iGroup >= 0) th[this.iGroup] = Math.log(h.groupNoise ?? GROUP_NOISE_ABSENT);
    if (this.iGroupSlope >= 0) th[this.iGroupSlope] = h.groupNoiseSlope ?? 0;
    for (let m = 0; m < this.numMean; m++) th[this.iMean + m] = h.mean[m] as number;
    return th;
  }

  /** Named hyper-parameters from θ; `fixedNoise` is used when the noise is not learned. */
  fromVector(
    th: ArrayLike<number>,
    fixedNoise: number,
    standardization: { mean: number; std: number },
  ): GPHyperparameters {
    const lengthscales = this.kernel.leaves.map((leaf) => {
      const values: number[] = [];
      for (let c = leaf.offset; c < leaf.offset + leaf.count; c++)
        values.push(Math.exp(th[c] as number));
      return { kind: leaf.kind, dims: [...leaf.dims], values };
    });
    const mean: number[] = [];
    for (let m = 0; m < this.numMean; m++) mean.push(th[this.iMean + m] as number);
    return {
      lengthscales,
      outputScale: Math.exp(th[this.iScale] as number),
      noise: this.iNoise >= 0 ? Math.exp(th[this.iNoise] as number) : fixedNoise,
      ...(this.iGroup >= 0 ? { groupNoise: Math.exp(th[this.iGroup] as number) } : {}),
      ...(this.iGroupSlope >= 0 ? { groupNoiseSlope: th[this.iGroupSlope] as number } : {}),
      mean,
      standardization: { ...standardization },
    };
  }

  /** Lengthscales per channel (input units) from named hyper-parameters. */
  static channelLengthscales(h: GPHyperparameters): Float64Array {
    const out: number[] = [];
    for (const leaf of h.lengthscales) out.push(...leaf.values);
    return Float64Array.from(out);
  }
}

function positive(v: unknown, what: string): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new ValidationError(
      `hyperparameters: ${what} must be a positive finite number, got ${String(v)}`,
    );
  }
}

/**
 * Checks that `h` fits the kernel (leaf dims, one value per ARD dim or one shared)
 * and the mean (coefficient count).
 * @throws ValidationError naming the first mismatch.
 */
export function checkHyper(h: GPHyperparameters, kernel: Kernel, numMean: number): void {
  if (h === null || typeof h !== 'object' || !Array.isArray(h.lengthscales)) {
    throw new ValidationError('hyperparameters: expected an object with a lengthscales array');
  }
  if (h.lengthscales.length !== kernel.leaves.length) {
    throw new ValidationError(
      `hyperparameters: ${h.lengthscales.length} lengthscale leaves given, the kernel has ${kernel.leaves.length}; pass hyperparameters fitted with the same kernel`,
    );
  }
  kernel.leaves.forEach((leaf, l) => {
    const g = h.lengthscales[l];
    if (g === undefined || !Array.isArray(g.values) || g.values.length !== leaf.count) {
      throw new ValidationError(
        `hyperparameters: leaf ${l} needs ${leaf.count} lengthscale(s), got ${JSON.stringify(g?.values)}`,
      );
    }
    if (!Array.isArray(g.dims) || g.dims.join(',') !== leaf.dims.join(',')) {
      throw new ValidationError(
        `hyperparameters: leaf ${l} is on dims ${JSON.stringify(g.dims)}, the kernel has ${JSON.stringify(leaf.dims)}`,
      );
    }
    for (const v of g.values) positive(v, `lengthscale of leaf ${l}`);
  });
  positive(h.outputScale, 'outputScale');
  if (typeof h.noise !== 'number' || !(h.noise >= 0) || !Number.isFinite(h.noise)) {
    throw new ValidationError(
      `hyperparameters: noise must be a finite variance >= 0, got ${String(h.noise)}`,
    );
  }
  if (h.groupNoise !== undefined) positive(h.groupNoise, 'groupNoise');
  if (
    h.groupNoiseSlope !== undefined &&
    (typeof h.groupNoiseSlope !== 'number' || !Number.isFinite(h.groupNoiseSlope))
  ) {
    throw new ValidationError(
      `hyperparameters: groupNoiseSlope must be a finite number, got ${String(h.groupNoiseSlope)}`,
    );
  }
  if (!Array.isArray(h.mean) || h.mean.length !== numMean) {
    throw new ValidationError(
      `hyperparameters: mean has ${Array.isArray(h.mean) ? h.mean.length : 'no'} coefficients, the mean model needs ${numMean}`,
    );
  }
  for (const m of h.mean) {
    if (typeof m !== 'number' || !Number.isFinite(m)) {
      throw new ValidationError(`hyperparameters: mean coefficient ${String(m)} is not finite`);
    }
  }
  if (h.standardization !== undefined) {
    const s = h.standardization;
    if (!Number.isFinite(s.mean)) {
      throw new ValidationError(
        `hyperparameters: standardization.mean ${String(s.mean)} is not finite`,
      );
    }
    positive(s.std, 'standardization.std');
  }
}

/**
 * Re-express hyper-parameters fitted under one standardisation in another:
 * s' = s (σ/σ')², σ²' = σ² (σ/σ')², c' = (c σ + ȳ − ȳ')/σ', b' = b σ/σ'.
 */
export function restandardize(
  h: GPHyperparameters,
  to: { mean: number; std: number },
): GPHyperparameters {
  const from = h.standardization;
  if (from === undefined || (from.mean === to.mean && from.std === to.std)) {
    return { ...h, standardization: { ...to } };
  }
  const r = from.std / to.std;
  const mean = h.mean.map((v, i) =>
    i === 0 ? (v * from.std + from.mean - to.mean) / to.std : v * r,
  );
  return {
    lengthscales: h.lengthscales.map((l) => ({ ...l, dims: [...l.dims], values: [...l.values] })),
    outputScale: h.outputScale * r * r,
    noise: h.noise * r * r,
    ...(h.groupNoise !== undefined ? { groupNoise: h.groupNoise * r * r } : {}),
    ...(h.groupNoiseSlope !== undefined ? { groupNoiseSlope: h.groupNoiseSlope } : {}),
    mean,
    standardization: { ...to },
  };
}

/** The optimisation box and start generator for one data set. */
export interface HyperBox {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The default first start (before mean initialisation). */
  readonly initial: Float64Array;
  /** A random start, drawn from `rng`, inside the box. */
  sample(rng: Rng): Float64Array;
}

/** Per-channel data spans: Euclidean diameter of the channel's dims, 1 when 0. */
export function channelSpans(kernel: Kernel, X: Float64Array, n: number): Float64Array {
  const d = kernel.d;
  const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = X[i * d + j] as number;
      if (v < (lo[j] as number)) lo[j] = v;
      if (v > (hi[j] as number)) hi[j] = v;
    }
  }
  const spans = new Float64Array(kernel.numLengthscales);
  kernel.channelDims.forEach((dims, c) => {
    let s = 0;
    for (const j of dims) {
      const r = n > 0 ? (hi[j] as number) - (lo[j] as number) : 0;
      s += r * r;
    }
    spans[c] = s > 0 ? Math.sqrt(s) : 1;
  });
  return spans;
}

/** The box of the module comment. `v` is the output variance, `noiseLower`/`noiseInitial` from the NoiseSpec. */
export function hyperBox(
  layout: HyperLayout,
  spans: Float64Array,
  v: number,
  noiseLower: number,
  noiseInitial: number,
  lengthscaleLower?: Float64Array,
  lengthscaleUpper?: Float64Array,
  groupSlopeBounds: readonly [number, number] = [-10, 10],
): HyperBox {
  const P = layout.size;
  const lower = new Float64Array(P).fill(Number.NEGATIVE_INFINITY);
  const upper = new Float64Array(P).fill(Number.POSITIVE_INFINITY);
  const initial = new Float64Array(P);
  const C = layout.numLengthscales;
  for (let c = 0; c < C; c++) {
    const ls = Math.log(spans[c] as number);
    const floor = lengthscaleLower?.[c] ?? 0;
    const ceiling = lengthscaleUpper?.[c] ?? 0;
    let hi = ls + Math.log(1e3);
    const lo = Math.min(hi, Math.max(ls + Math.log(1e-3), floor > 0 ? Math.log(floor) : -Infinity));
    if (ceiling > 0) hi = Math.max(lo, Math.min(hi, Math.log(ceiling)));
    upper[c] = hi;
    lower[c] = lo;
    initial[c] = ls;
  }
  const lv = Math.log(v);
  lower[layout.iScale] = lv + Math.log(1e-4);
  upper[layout.iScale] = lv + Math.log(1e4);
  initial[layout.iScale] = lv;
  const nLo = Math.log(noiseLower);
  const nHi = Math.max(nLo, lv + Math.log(10));
  if (layout.iNoise >= 0) {
    lower[layout.iNoise] = nLo;
    upper[layout.iNoise] = nHi;
    initial[layout.iNoise] = Math.min(nHi, Math.max(nLo, Math.log(noiseInitial)));
  }
  const gLo = lv + Math.log(1e-6);
  const gHi = lv + Math.log(10);
  if (layout.iGroup >= 0) {
    lower[layout.iGroup] = gLo;
    upper[layout.iGroup] = gHi;
    initial[layout.iGroup] = lv + Math.log(0.1);
  }
  if (layout.iGroupSlope >= 0) {
    const [sLo, sHi] = groupSlopeBounds;
    lower[layout.iGroupSlope] = sLo;
    upper[layout.iGroupSlope] = sHi;
    initial[layout.iGroupSlope] = Math.min(sHi, Math.max(sLo, 0));
  }
  const clip = (th: Float64Array): Float64Array => {
    for (let i = 0; i < P; i++)
      th[i] = Math.min(upper[i] as number, Math.max(lower[i] as number, th[i] as number));
    return th;
  };
  return {
    lower,
    upper,
    initial: clip(initial),
    sample(rng: Rng): Float64Array {
      const th = new Float64Array(P);
      for (let c = 0; c < C; c++) {
        const ls = Math.log(spans[c] as number);
        th[c] = rng.uniformIn(ls + Math.log(0.05), ls + Math.log(5));
      }
      th[layout.iScale] = rng.uniformIn(lv + Math.log(0.2), lv + Math.log(5));
      if (layout.iNoise >= 0) {
        const a = Math.max(nLo, lv + Math.log(1e-4));
        const b = Math.max(a, lv + Math.log(0.5));
        th[layout.iNoise] = rng.uniformIn(a, b);
      }
      if (layout.iGroup >= 0)
        th[layout.iGroup] = rng.uniformIn(lv + Math.log(1e-4), lv + Math.log(0.5));
      if (layout.iGroupSlope >= 0) th[layout.iGroupSlope] = rng.uniformIn(-1, 1);
      return clip(th);
    },
  };
}

function checkPrior(p: Prior | undefined, what: string): void {
  if (p === undefined) return;
  if (p.kind === 'lognormal') {
    if (!Number.isFinite(p.mu) || !(p.sigma > 0)) {
      throw new ValidationError(
        `priors.${what}: lognormal needs finite mu and sigma > 0, got ${JSON.stringify(p)}`,
      );
    }
  } else if (p.kind === 'gamma') {
    if (!(p.concentration > 0) || !(p.rate > 0)) {
      throw new ValidationError(
        `priors.${what}: gamma needs concentration > 0 and rate > 0, got ${JSON.stringify(p)}`,
      );
    }
  } else {
    throw new ValidationError(
      `priors.${what}: unknown kind ${JSON.stringify((p as { kind?: unknown }).kind)}; use 'lognormal' or 'gamma'`,
    );
  }
}

/** @throws ValidationError on a malformed prior. */
export function checkPriors(priors: PriorSpec | undefined): void {
  if (priors === undefined) return;
  checkPrior(priors.lengthscale, 'lengthscale');
  checkPrior(priors.outputScale, 'outputScale');
  checkPrior(priors.noise, 'noise');
}

/** log p(θ_i) (constants dropped) and its derivative, for θ = log v. */
function priorTerm(p: Prior, th: number): [number, number] {
  if (p.kind === 'lognormal') {
    const z = (th - p.mu) / p.sigma;
    return [-0.5 * z * z, -z / p.sigma];
  }
  const v = Math.exp(th);
  return [p.concentration * th - p.rate * v, p.concentration - p.rate * v];
}

/**
 * Σ log prior over θ (module comment of types.ts: density of θ = log v, constants
 * dropped), with the mean coefficients' Gaussian priors (−½ precision_j b_j²; MeanSpec);
 * adds its gradient into `grad` when given.
 */
export function logPrior(
  th: ArrayLike<number>,
  layout: HyperLayout,
  priors: PriorSpec | undefined,
  grad?: Float64Array,
): number {
  let lp = 0;
  if (layout.meanPrior) {
    for (let a = 0; a < layout.numMean; a++) {
      const q = layout.meanPrecision[a] as number;
      const b = th[layout.iMean + a] as number;
      lp -= 0.5 * q * b * b;
      if (grad !== undefined) grad[layout.iMean + a] = (grad[layout.iMean + a] as number) - q * b;
    }
  }
  if (priors === undefined) return lp;
  const add = (p: Prior | undefined, i: number): void => {
    if (p === undefined) return;
    const [v, g] = priorTerm(p, th[i] as number);
    lp += v;
    if (grad !== undefined) grad[i] = (grad[i] as number) + g;
  };
  for (let c = 0; c < layout.numLengthscales; c++) add(priors.lengthscale, c);
  add(priors.outputScale, layout.iScale);
  if (layout.iNoise >= 0) add(priors.noise, layout.iNoise);
  return lp;
}

/**
 * Multiply the lengthscales of the given input dims by `factor` (paper: 0.95
 * shrink of the scale and steps dims). An ARD leaf scales the entries of those
 * dims; an isotropic leaf scales its one lengthscale when all its dims are listed.
 * @throws ValidationError when factor is not positive and finite, or an
 *   isotropic leaf's dims are only partly listed (its lengthscale is shared).
 */
export function scaleLengthscales(
  h: GPHyperparameters,
  dims: number[],
  factor: number,
): GPHyperparameters {
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw new ValidationError(
      `scaleLengthscales: factor must be positive and finite, got ${String(factor)}`,
    );
  }
  const set = new Set(dims);
  const lengthscales = h.lengthscales.map((leaf, l) => {
    const ard = leaf.values.length === leaf.dims.length && leaf.dims.length > 1;
    if (ard) {
      return {
        ...leaf,
        dims: [...leaf.dims],
        values: leaf.values.map((v, q) => (set.has(leaf.dims[q] as number) ? v * factor : v)),
      };
    }
    const hit = leaf.dims.filter((j) => set.has(j)).length;
    if (hit > 0 && hit < leaf.dims.length) {
      throw new ValidationError(
        `scaleLengthscales: leaf ${l} shares one lengthscale over dims ${JSON.stringify(leaf.dims)} but only ${hit} of them are in ${JSON.stringify(dims)}; list all of its dims or none`,
      );
    }
    return {
      ...leaf,
      dims: [...leaf.dims],
      values: leaf.values.map((v) => (hit > 0 ? v * factor : v)),
    };
  });
  const out: GPHyperparameters = {
    lengthscales,
    outputScale: h.outputScale,
    noise: h.noise,
    mean: [...h.mean],
  };
  if (h.standardization !== undefined) out.standardization = { ...h.standardization };
  return out;
}
