/**
 * The trajectory format: what one (method, metric, seed) job of the benchmark
 * records. Plain JSON, documented here because other tools (e.g. a Python
 * script running Optuna's TPE) may write trajectories for methods mixopt does
 * not implement; `mixopt bench --include file.json` merges them.
 *
 * A trajectory file is `{ "trajectories": Trajectory[] }` (a full benchmark
 * result file also has a `summary`). Each point is written after one run:
 *
 * ```json
 * { "run": 0, "proposal": {"mixture": [..], "scale": "1B", "steps": 19700},
 *   "cost": 197, "spent": 197, "x": 197, "confirm": false,
 *   "recommended": [..], "value": 3.21 }
 * ```
 *
 * - `cost`  charged for this run (a continuation: only the extra steps);
 * - `spent` cumulative cost after this run;
 * - `x`     the charged position: `spent`, plus the cost of one target run
 *           when the recommendation is not a completed target-fidelity run
 *           (the confirmation run), `confirm` saying which;
 * - `value` the TRUE target-fidelity value of the recommended mixture.
 *
 * A job run on simulated workers (`mixopt bench --workers-sim q`,
 * ./sim-clock.ts) also records, per point, `start` (when the run was
 * launched), `time` (when it ended: the wall-clock position of the point) and
 * `worker` (which of the `q` workers ran it), and `stopped: true` for a run
 * the method stopped early (charged the part that ran); the trajectory
 * records its `clock`. Points are in the order runs ended, so with `q > 1`
 * `run` need not increase.
 */
import type { Direction, Mixture, Proposal } from '../core/index.ts';
import type { ClockOptions } from './sim-clock.ts';

/** One point of a trajectory (after one run). */
export interface TrajectoryPoint {
  /** Index of the run in the job's sequence (0-based). */
  readonly run: number;
  readonly proposal: Proposal;
  /** Cost charged for this run. */
  readonly cost: number;
  /** Cumulative cost after this run. */
  readonly spent: number;
  /** Charged x-position: `spent` + confirmation cost when `confirm`. */
  readonly x: number;
  /** Whether a confirmation run at the target is charged. */
  readonly confirm: boolean;
  readonly recommended: Mixture;
  /** True target-fidelity value of the recommended mixture. */
  readonly value: number;
  /** Simulated clock only: when the run was launched. */
  readonly start?: number;
  /** Simulated clock only: when the run ended (the point's wall-clock position). */
  readonly time?: number;
  /** Simulated clock only: the worker (0-based) that ran it. */
  readonly worker?: number;
  /** Set when the method stopped the run early (its cost is the part that ran). */
  readonly stopped?: boolean;
}

/** A proposal the testbed could not answer: a failed run, charged nothing. */
export interface FailedProposal {
  /** Index of the run in the job's sequence (0-based). */
  readonly run: number;
  readonly proposal: Proposal;
  /** The testbed's error (name: message). */
  readonly error: string;
}

/** Everything one (method, metric, seed) job produced. */
export interface Trajectory {
  readonly method: string;
  readonly testbed: string;
  readonly metric: string;
  readonly direction: Direction;
  /** Seed index `0..seeds-1` within the benchmark. */
  readonly seed: number;
  /** The seed the optimiser was built with. */
  readonly optimizerSeed: number;
  readonly budget: number;
  /** Cost of one run at the target fidelity (the confirmation run). */
  readonly targetCost: number;
  /** The simulated workers and durations, when the job ran on a simulated clock. */
  readonly clock?: ClockOptions;
  readonly points: readonly TrajectoryPoint[];
  /** Proposals the testbed could not answer (e.g. steps a replayed run never reached). */
  readonly failedProposals?: readonly FailedProposal[];
  /** Set when the optimiser threw: the trajectory stops at that point. */
  readonly error?: string;
}
