/**
 * Shared value types. Everything here is plain, immutable, JSON-serialisable data.
 *
 * Notation used across mixopt:
 * - `k`  number of domains; a mixture `w` is a length-k vector on the simplex
 *        (`w_i >= 0`, `sum w_i = 1`).
 * - `m`  a model scale, named on a ladder (e.g. `"1B"`), with a parameter count.
 * - `z`  training steps.
 * - `(m*, z*)` the target fidelity.
 * - cost units: the cost of 100 steps of the target model (testbeds may define their own).
 */

/** A mixture of `k` domains: non-negative weights summing to 1. */
export type Mixture = readonly number[];

/** Whether a metric is to be minimised (a loss) or maximised (an accuracy). */
export type Direction = 'minimize' | 'maximize';

/** One rung of the scale ladder. */
export interface Scale {
  /** Display and lookup name, e.g. `"20M"`, `"1B"`. */
  readonly name: string;
  /** Number of model parameters. */
  readonly params: number;
  /** Tokens per optimiser step (batch x sequence length), when known. */
  readonly tokensPerStep?: number;
}

/** The steps a run may be trained for and how often its curve is logged. */
export interface StepRange {
  readonly min: number;
  readonly max: number;
  /** A run's metric is observed every `logEvery` steps (the learning curve). */
  readonly logEvery: number;
}

/** A fidelity: a scale (by name) and a number of steps. */
export interface Fidelity {
  readonly scale: string;
  readonly steps: number;
}

/** A metric and its direction. */
export interface MetricSpec {
  readonly name: string;
  readonly direction: Direction;
  readonly description?: string;
}

/** One point of a learning curve. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/** A single scalar observation of the metric at `(w, m, z)`. */
export interface Observation {
  readonly mixture: Mixture;
  readonly scale: string;
  readonly steps: number;
  readonly value: number;
  /** The run it came from, when known. */
  readonly runId?: string;
}

/** Trial states (a state machine; see the study store). */
export type TrialState = 'pending' | 'running' | 'completed' | 'failed' | 'stale';

/**
 * What an optimiser sees of one run: a read-only record.
 *
 * A *continuation* (same mixture and scale, more steps) is a new record whose
 * `parent` names the run it extends; its `curve` holds the whole curve from the
 * first logged step, and the parent is then *superseded* (see `activeRuns`).
 */
export interface RunRecord {
  readonly id: string;
  readonly mixture: Mixture;
  readonly scale: string;
  /** Planned (and, once completed, trained) length in steps. */
  readonly steps: number;
  /** Observed values of the optimised metric, ascending in step. */
  readonly curve: readonly CurvePoint[];
  readonly state: TrialState;
  /** Cost charged for this run (for a continuation: only the extra steps). */
  readonly cost: number;
  /** Id of the run this one continues, if any. */
  readonly parent?: string;
}

/** A read-only history handed to an optimiser. */
export interface History {
  readonly runs: readonly RunRecord[];
  /** Total cost spent so far. */
  readonly spent: number;
  /** Total budget, when one is set. */
  readonly budget?: number;
}

/** A run an optimiser asks for. */
export interface Proposal {
  readonly mixture: Mixture;
  readonly scale: string;
  readonly steps: number;
  /** Id of an earlier run to continue (same mixture and scale, more steps). */
  readonly continues?: string;
}

/** A predicted value with a central interval. */
export interface Prediction {
  readonly mean: number;
  readonly std: number;
  /** Lower end of the 90% interval. */
  readonly lower: number;
  /** Upper end of the 90% interval. */
  readonly upper: number;
}

/** The mixture an optimiser would train at the target now. */
export interface Recommendation {
  readonly mixture: Mixture;
  /** The surrogate's prediction at the target, when the optimiser has one. */
  readonly predicted?: Prediction;
  /** The run the recommendation was taken from, if it is an observed run. */
  readonly runId?: string;
  /**
   * The model's probability that this mixture is the best at the target among the leading
   * candidates it considered (a Monte Carlo estimate), when the optimiser has one.
   */
  readonly pBest?: number;
  /** One line on how it was chosen, e.g. "best observed at target". */
  readonly basis: string;
}
