/**
 * The GP's configuration and fitted hyper-parameters: plain JSON values.
 *
 * Notation:
 *   n        number of observations
 *   d        number of input dimensions; an input x is a length-d vector
 *   X        n×d row-major Float64Array of inputs
 *   y        length-n outputs (original units)
 *   z        standardised outputs, z = (y − ȳ) / σ_y (σ_y: population std, ddof 0)
 *   ℓ        a lengthscale, in input units
 *   s        the output scale (signal variance), in standardised units
 *   σ²       homoscedastic noise variance, in standardised units
 *   v_g      variance of the offset shared by one group of observations (`groups`), standardised
 *   m(x)     prior mean, in standardised units: 0, c, or c + bᵀx
 *   θ        the log-space hyper-parameter vector optimised by L-BFGS-B:
 *            [log ℓ (every leaf, in order) | log s | log σ² (if learned) | log v_g (with groups) |
 *             c, b (mean coefficients)]
 */

/**
 * A kernel, as JSON. A leaf acts on the input dims listed in `dims`
 * (0-based, any subset, no repeats); `ard: true` gives each of those dims its
 * own lengthscale, otherwise (default) one lengthscale is shared.
 * `product` and `sum` combine sub-kernels. The GP multiplies the whole kernel by
 * one output scale s, so leaves carry no variance of their own.
 *
 *   rbf:       k(r) = exp(−r²/2)
 *   matern52:  k(r) = (1 + √5 r + 5r²/3) exp(−√5 r)
 *   with r² = Σ_{j∈dims} (x_j − x'_j)² / ℓ_j²
 */
export type KernelSpec =
  | { kind: 'rbf' | 'matern52'; dims: number[]; ard?: boolean }
  | { kind: 'product' | 'sum'; terms: KernelSpec[] };

/**
 * Prior mean: zero, a constant c, linear c + bᵀx in every input, or linear in some inputs only
 * (`{ kind: 'linear', dims }`: c + Σ_{j ∈ dims} b_j x_j); coefficients fitted by the MLL
 * (profiled out by generalised least squares). With `precision` (one entry per dim, ≥ 0) the
 * coefficient b_j has a Gaussian prior N(0, 1/precision_j) in standardised units, so its
 * estimate is the posterior mode (ridge-shrunk toward 0) and the objective includes
 * −½ precision_j b_j²; 0 leaves it flat (the intercept always is).
 */
export type MeanSpec =
  | 'zero'
  | 'constant'
  | 'linear'
  | { kind: 'linear'; dims: number[]; precision?: number[] };

/**
 * Homoscedastic observation noise, in standardised units (variance of z).
 * `learned`: fitted, starting at `initial` (default 0.1·v) within [`lower` (default 1e-6), 10·v],
 * v = 1 when standardised (else the variance of y).
 * `fixed`: held at `variance`.
 */
export type NoiseSpec =
  | { kind: 'learned'; initial?: number; lower?: number }
  | { kind: 'fixed'; variance: number };

/**
 * A prior on one positive hyper-parameter v (a lengthscale, the output scale or
 * the noise variance). The optimiser works in θ = log v, and the prior enters
 * the objective as the log density of θ (the density of v times the Jacobian v):
 *
 *   lognormal(μ, σ):  log p(θ) = −(θ − μ)² / (2σ²)                 (+ const)
 *   gamma(a, b) on v: log p(θ) = a·θ − b·e^θ                        (+ const)
 *
 * Constants are dropped: the reported `logMarginalLikelihood` never includes priors.
 */
export type Prior =
  | { kind: 'lognormal'; mu: number; sigma: number }
  | { kind: 'gamma'; concentration: number; rate: number };

/**
 * Optional priors by name. `lengthscale` applies to every lengthscale (in input
 * units); `outputScale` to s; `noise` to σ² (only when learned).
 */
export interface PriorSpec {
  lengthscale?: Prior;
  outputScale?: Prior;
  noise?: Prior;
}

/** Options of {@link fitGP} and {@link conditionGP}. */
export interface GPOptions {
  kernel: KernelSpec;
  /** Default `'constant'`. */
  mean?: MeanSpec;
  /** Default `{ kind: 'learned', lower: 1e-6 }`. */
  noise?: NoiseSpec;
  /** Extra fixed per-observation noise variances, in ORIGINAL y units (length n). */
  noisePerPoint?: ArrayLike<number>;
  /**
   * A group label per observation (length n; integers, −1 for none). Observations with the same
   * label share one random offset of learned variance `groupNoise` on top of the independent
   * noise: K = s·k(X, X) + v_g·[g_i = g_j ≥ 0] + diag(σ² + ν_i). The offset is noise, not
   * signal: predictions of the latent f leave it out. E.g. the points of one learning curve,
   * whose seed noise is shared along the curve. When given, `groupNoise` is fitted like σ²
   * (same box and starts).
   */
  groups?: ArrayLike<number>;
  /**
   * With `groups`: a covariate u per observation, the same for every member of a group (e.g. a
   * run's log model size relative to the target's). The offset variance is then log-linear in
   * it, `v_g(u) = groupNoise · exp(groupNoiseSlope · u)`, with the slope fitted too: offsets
   * that grow or shrink with u (noisier small runs).
   */
  groupCovariate?: ArrayLike<number>;
  /**
   * With `groupCovariate`: the box of the slope `groupNoiseSlope`, `[lower, upper]` (default
   * `[-10, 10]`). E.g. `[-10, 0]` when offsets must not grow with u (small runs at least as
   * noisy as large ones): the fit then cannot explain large runs that disagree with small ones
   * as large runs' noise.
   */
  groupSlopeBounds?: readonly [number, number];
  priors?: PriorSpec;
  /**
   * A floor per kernel channel (length = the kernel's number of lengthscales, in input units;
   * 0 = no floor): the fit never takes ℓ_c below it (the box's lower end becomes
   * max(1e-3·span_c, floor_c)). E.g. a mixture lengthscale that must not shrink until every run
   * looks independent of its neighbours, which is how a GP without a noise model for whole runs
   * explains seed noise shared along a learning curve.
   */
  lengthscaleLower?: ArrayLike<number>;
  /**
   * A ceiling per kernel channel (input units; 0 = none): the fit never takes ℓ_c above it (the
   * box's upper end becomes min(1e3·span_c, ceiling_c), and never below the lower end). E.g. a
   * size lengthscale that must not grow until the smallest and the target size look the same.
   */
  lengthscaleUpper?: ArrayLike<number>;
  /** Multi-start L-BFGS-B starts (default 5; the first start = defaults or `warmStart`). */
  restarts?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /** Default true: y → (y − ȳ)/σ_y internally. When false, ȳ = 0 and σ_y = 1. */
  standardize?: boolean;
  /** Start the first L-BFGS-B run from these (e.g. the previous fit). */
  warmStart?: GPHyperparameters;
  /** L-BFGS-B iteration limit per start (default 200). */
  maxIter?: number;
  /**
   * Fit the hyper-parameters on at most this many observations (a subset drawn from `seed`;
   * the posterior still conditions on all of them). Default: all. Bounds the O(n³) cost of
   * every likelihood evaluation of a fit for large n.
   */
  fitPoints?: number;
  /** The subset stage of a fit on many observations (defaults in {@link SubsetStageOptions}). */
  subsetStage?: SubsetStageOptions;
  /** Memory settings of the likelihood evaluations (see {@link LikelihoodOptions}). */
  likelihood?: LikelihoodOptions;
}

/** Settings of the marginal likelihood that change its memory use, never its values. */
export interface LikelihoodOptions {
  /**
   * Largest cache kept across likelihood evaluations, in numbers (an integer >= 0; default
   * 2^25 = 256 MiB): the channel distances of every pair of observations, and the per-pair
   * factors of a product kernel. Larger problems recompute each row's distances per
   * evaluation; the values are bit-identical either way.
   */
  readonly maxCached?: number;
}

/**
 * The subset stage of {@link fitGP} for large n: above `minN` observations (default 256), each
 * random start (every start but the first) is first optimised on a seeded random subset of
 * min(`size`, ⌈n/2⌉) points (default size 256), then polished on all the data; subset optima
 * closer than `duplicateTol` (max |Δθ| in log units, default 1e-3) share one polish.
 */
export interface SubsetStageOptions {
  readonly minN?: number;
  readonly size?: number;
  readonly duplicateTol?: number;
}

/** The lengthscales of one kernel leaf (leaves in depth-first order of the kernel spec). */
export interface LeafLengthscales {
  /** `'rbf'` or `'matern52'` (informative; must match the spec). */
  kind: 'rbf' | 'matern52';
  /** The input dims of the leaf, as in the spec. */
  dims: number[];
  /** Lengthscales in input units: one per dim (ARD) or a single shared one. */
  values: number[];
}

/**
 * Fitted hyper-parameters, JSON. Lengthscales are in input units; the output
 * scale, noise and mean coefficients are in standardised y units (see the
 * module notation). Passing these to {@link conditionGP} with the same options
 * reproduces the GP exactly.
 */
export interface GPHyperparameters {
  lengthscales: LeafLengthscales[];
  /** Output scale s (signal variance of the standardised outputs). */
  outputScale: number;
  /** Homoscedastic noise variance σ² (standardised units), learned or fixed. */
  noise: number;
  /**
   * Variance v_g of the offset shared by the observations of one group (standardised units;
   * only with `GPOptions.groups`). Absent in hyper-parameters fitted without groups: they then
   * condition grouped data with v_g = 1e-6 (practically no shared offset).
   */
  groupNoise?: number;
  /** The slope γ of `log v_g` in the group covariate (only with `GPOptions.groupCovariate`; 0 when absent). */
  groupNoiseSlope?: number;
  /** Mean coefficients: `[]` (zero), `[c]` (constant), `[c, b_1..b_d]` (linear). */
  mean: number[];
  /**
   * The standardisation y ↦ (y − mean)/std these values are expressed in.
   * {@link fitGP} always sets it from its data. {@link conditionGP} reuses it when
   * present (so the units of s, σ² and the mean stay consistent when data are
   * added), and otherwise standardises its own data. A warm start with a
   * different standardisation is converted into the new units.
   */
  standardization?: { mean: number; std: number };
}
