/**
 * The pluggable parts of mixopt and their contracts.
 *
 * Ownership: every value passed across these interfaces is immutable; an
 * implementation never mutates what it is given and never keeps a reference
 * it relies on being unchanged by the caller. State that must survive a
 * restart is JSON.
 */
import type {
  CurvePoint,
  Direction,
  Fidelity,
  History,
  MetricSpec,
  Mixture,
  Proposal,
  Recommendation,
  Scale,
  StepRange,
} from './types.ts';

/** Reference optimum of a metric at a testbed's target (ground truth for regret). */
export interface ReferenceOptimum {
  readonly metric: string;
  readonly mixture: Mixture;
  readonly value: number;
  /** How it was found, e.g. "sobol 2^16 + dirichlet scan + L-BFGS-B polish". */
  readonly method: string;
}

/**
 * A testbed answers "what would `metric` be for mixture `w`, scale `m`, after
 * `z` steps?" and "what does that run cost?".
 *
 * Contract: deterministic (same query, same answer); `evaluate` and `curve`
 * validate their inputs and throw `ValidationError` (mixture off the simplex
 * or of the wrong length, unknown scale or metric, steps out of range) or
 * `NotFoundError`; `cost(scale, z)` is non-decreasing in `z`, so a
 * continuation from `z1` to `z2` costs `cost(scale, z2) - cost(scale, z1)`.
 */
export interface Testbed {
  readonly name: string;
  readonly description: string;
  /** Domain names, in mixture order. */
  readonly domains: readonly string[];
  /** The scale ladder, ascending in parameters. */
  readonly scales: readonly Scale[];
  readonly steps: StepRange;
  readonly metrics: readonly MetricSpec[];
  /** The fidelity of the real training run. */
  readonly target: Fidelity;
  /** Unit in which `cost` is expressed, e.g. "100 steps of 1B". */
  readonly costUnit: string;
  /** For replay testbeds: the only mixtures that may be queried. */
  readonly candidates?: readonly Mixture[];
  /** Metric value after exactly `steps` steps. */
  evaluate(mixture: Mixture, scale: string, steps: number, metric: string): number;
  /** The learning curve: the metric at every logged step up to and including `steps`. */
  curve(mixture: Mixture, scale: string, steps: number, metric: string): CurvePoint[];
  /** Cost of training `scale` from scratch for `steps` steps. */
  cost(scale: string, steps: number): number;
  /** Reference optimum at the target, when it can be computed. */
  referenceOptimum?(metric: string): ReferenceOptimum | undefined;
  /**
   * A noisy *observed* learning curve (optional; testbeds with observation
   * noise, see `withNoise` in src/testbeds/noise.ts). `evaluate` and `curve`
   * stay the noise-free truth (regret, reference optimum); `observe` is what a
   * method sees of a run. The noise is a deterministic function of the
   * testbed's noise seed, the query and `replicate` (a non-negative integer
   * naming one training run): the same arguments give the same curve, and a
   * run trained further with the same `replicate` sees the same values at the
   * steps both curves log (the same noise realisation, extended).
   */
  observe?(
    mixture: Mixture,
    scale: string,
    steps: number,
    metric: string,
    replicate: number,
  ): CurvePoint[];
}

/**
 * The space an optimiser searches: what a testbed or a study declares,
 * reduced to one metric.
 */
export interface SearchSpace {
  readonly domains: readonly string[];
  /** Optional per-domain bounds; `min === max` fixes a weight. */
  readonly bounds?: readonly { readonly min: number; readonly max: number }[];
  readonly scales: readonly Scale[];
  readonly steps: StepRange;
  readonly target: Fidelity;
  readonly metric: MetricSpec;
  /** Candidate step lengths, when the user restricts them (e.g. [6000, 12000, 19700]). */
  readonly stepCandidates?: readonly number[];
  /** For replay spaces: the only admissible mixtures. */
  readonly candidates?: readonly Mixture[];
  /** Cost of training `scale` from scratch for `steps` steps. */
  cost(scale: string, steps: number): number;
}

/** Options every optimiser factory receives. */
export interface OptimizerContext {
  readonly space: SearchSpace;
  readonly seed: number;
  /** Method-specific settings (validated by the factory). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/**
 * An optimiser proposes runs from a read-only history and recommends a mixture.
 *
 * Contract: deterministic — the same seed, the same sequence of histories and
 * (when it has one) the same restored state give the same proposals. Proposals
 * lie inside the space (on the simplex, within bounds, a declared scale,
 * steps within range). `recommend` is defined once any run has an observation.
 * Optimisers never see a store or an executor.
 */
export interface Optimizer {
  readonly name: string;
  /** Propose up to `n` runs (at least one unless the space is exhausted). */
  propose(history: History, n: number): Proposal[];
  /**
   * Early stopping (optional): the ids of running runs (state `running` in
   * `history`, their curves as observed so far) that should stop now. The
   * loop that runs them (the benchmark's simulated clock, a study's
   * executor) cancels each, keeps its curve as far as it got and charges
   * the cost of what ran. Return `[]` to stop nothing.
   */
  stop?(history: History): string[];
  /** The mixture it would train at the target now, or undefined before any observation. */
  recommend(history: History): Recommendation | undefined;
  /** JSON state to persist between processes (omit when the optimiser is a pure function of seed + history). */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** Builds an optimiser. */
export type OptimizerFactory = (ctx: OptimizerContext) => Optimizer;

/** A direction-aware comparison: is `a` strictly better than `b`? */
export function isBetter(direction: Direction, a: number, b: number): boolean {
  return direction === 'minimize' ? a < b : a > b;
}
