/**
 * Study types and the study-store contract.
 *
 * A *study* is a persistent optimisation: its config, every trial with its
 * state and learning curve, and the optimiser's saved state. Trials move
 * through a state machine:
 *
 * ```
 *   (ask) ──> running ──tell --final──> completed
 *      ^         │ │
 *      │         │ └──tell --failed──> pending (attempts < maxAttempts) ──ask──┐
 *      │         │                 └─> failed  (attempts exhausted)            │
 *      │         └──lease expires──> stale ──ask──> running (attempt + 1) <────┘
 *      └────────────────────────────────────────────────────────────────────────
 * ```
 *
 * `pending` and `stale` trials are handed out again by `ask` before anything
 * new is proposed; `completed` and `failed` are final.
 */
import type { JobHandle } from './executor.ts';
import type { StudyConfig } from './study-config.ts';
import type {
  Fidelity,
  History,
  Mixture,
  Prediction,
  Proposal,
  Recommendation,
  TrialState,
} from './types.ts';

/** A trial as stored. Timestamps are milliseconds since the epoch. */
export interface TrialRecord {
  /** Id within the study, from 1. */
  readonly id: number;
  readonly mixture: Mixture;
  readonly scale: string;
  readonly steps: number;
  readonly state: TrialState;
  readonly attempts: number;
  /** Cost of the whole trial (a continuation: only its extra steps). */
  readonly cost: number;
  /** Trial this one continues (same mixture and scale, more steps). */
  readonly parent?: number;
  readonly leaseExpires?: number;
  /** Who holds the lease, `host:pid` or a user-chosen worker name. */
  readonly owner?: string;
  readonly job?: JobHandle;
  readonly error?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly updatedAt: number;
}

/** A stored learning-curve point. */
export interface StoredPoint {
  readonly trial: number;
  readonly metric: string;
  readonly step: number;
  readonly value: number;
}

/** Summary of a study's trials and spend. */
export interface StudyStatus {
  readonly study: string;
  readonly counts: Readonly<Record<TrialState, number>>;
  /** Cost of completed trials, plus the reported part of failed or stale ones. */
  readonly spent: number;
  /** Full cost of trials handed out and not finished (running, pending, stale-to-retry). */
  readonly committed: number;
  readonly budget?: number;
  /** Best value of the study metric at the target fidelity, when any trial has reached it. */
  readonly bestAtTarget?: {
    readonly trial: number;
    readonly value: number;
    readonly mixture: Mixture;
  };
  /** Best value of the study metric at any fidelity. */
  readonly bestObserved?: {
    readonly trial: number;
    readonly value: number;
    readonly scale: string;
    readonly step: number;
  };
}

/**
 * Optional methods an optimiser with a surrogate may expose so that a study
 * can explain its recommendation (duck-typed: see `hasSurrogateView`).
 * Both are pure: they fit to `history` (or reuse a fit of the same history).
 */
export interface SurrogateView {
  /**
   * Predictions (90% intervals) of the study metric for `mixtures` at `fidelity`;
   * empty when the surrogate has no fit yet (too few observations) or does not model `fidelity`.
   */
  predictAt(
    history: History,
    mixtures: readonly Mixture[],
    fidelity: Fidelity,
  ): readonly Prediction[];
  /** The mixture the surrogate predicts best at `fidelity` (e.g. each rung of the ladder). */
  recommendAt?(history: History, fidelity: Fidelity): Recommendation | undefined;
  /**
   * Joint prediction of `mixtures` at `fidelity`: the same predictions as
   * `predictAt` and their posterior covariance (so that comparisons account for
   * correlation), or undefined when the surrogate cannot predict there.
   */
  predictJoint?(
    history: History,
    mixtures: readonly Mixture[],
    fidelity: Fidelity,
  ): SurrogateJoint | undefined;
}

/** Joint prediction of m points: marginals and their covariance (m x m row-major, metric units squared). */
export interface SurrogateJoint {
  readonly predictions: readonly Prediction[];
  readonly covariance: Float64Array;
}

/** Whether an optimiser exposes a {@link SurrogateView}. */
export function hasSurrogateView<T extends object>(o: T): o is T & SurrogateView {
  return typeof (o as Partial<SurrogateView>).predictAt === 'function';
}

/** What `ask`'s proposer sees, inside the store's write transaction. */
export interface AskSnapshot {
  readonly config: StudyConfig;
  readonly trials: readonly TrialRecord[];
  readonly points: readonly StoredPoint[];
  /** The optimiser state saved after the previous ask (undefined at the first). */
  readonly optimizerState: unknown;
  /** How many asks reached the optimiser before this one. */
  readonly asks: number;
}

/** A new trial chosen by a proposer: the proposal and its cost. */
export interface NewTrial {
  readonly proposal: Proposal;
  readonly cost: number;
}

/** What a proposer returns: trials to create and the optimiser state to save with them. */
export interface ProposeResult {
  readonly trials: readonly NewTrial[];
  readonly optimizerState: unknown;
}

/** A reported value, before validation. */
export interface PointInput {
  readonly step: number;
  readonly value: number;
  /** Defaults to the study metric (required when the study metric is a combination). */
  readonly metric?: string;
}

/** Options of {@link StudyStore.stop}. */
export interface StopOptions {
  /**
   * The fraction of the trial's training done when it was stopped, in [0, 1],
   * when the driver knows it (the benchmark harness's simulated clock): the
   * trial is charged `cost · trained` instead of the part of its cost up to
   * its last reported step (or nothing, when it reported none).
   */
  readonly trained?: number;
}

/** Options of {@link StudyStore.fail}. */
export interface FailOptions {
  /**
   * The cost the attempt used, when the driver knows it (0 for a job that
   * never started, such as a testbed query that has no answer): a trial that
   * fails for good is charged this (its `cost` becomes it) instead of the part
   * of its cost up to its last reported step.
   */
  readonly charged?: number;
}

/**
 * Persistent storage of studies. Contract:
 * - every state change is one transaction: it happens completely or not at all;
 * - several processes may use one store at once: a trial is handed out to one
 *   worker at a time (`ask` runs the proposer under the write lock), and every
 *   accepted report is durable when the call returns;
 * - a rejected call (unknown trial, bad value, wrong state) leaves the study
 *   unchanged and throws a typed error (`NotFoundError`, `ValidationError`,
 *   `StateError`);
 * - the store never calls an optimiser or an executor itself: `ask` hands the
 *   proposer a snapshot and saves the optimiser state it returns.
 */
export interface StudyStore {
  readonly path: string;
  createStudy(config: StudyConfig): void;
  studyNames(): string[];
  /** The named study, or the only one when `name` is undefined. */
  resolveStudy(name?: string): string;
  config(study: string): StudyConfig;
  optimizerState(study: string): unknown;
  trials(study: string): TrialRecord[];
  trial(study: string, id: number): TrialRecord;
  points(study: string, trial?: number): StoredPoint[];
  ask(
    study: string,
    n: number,
    owner: string,
    propose: (snapshot: AskSnapshot, n: number) => ProposeResult,
    leaseSeconds?: number,
  ): TrialRecord[];
  /**
   * Records points; with `final`, also completes the trial in the same
   * transaction. With `owner`, refused unless that worker holds the trial.
   */
  tell(
    study: string,
    id: number,
    points: readonly PointInput[],
    owner?: string,
    options?: { readonly final?: boolean },
  ): TrialRecord;
  heartbeat(study: string, id: number, owner?: string): TrialRecord;
  finish(study: string, id: number, owner?: string): TrialRecord;
  /** Stops a running trial early: completed at its last reported step and charged up to it, or failed when it reported none (charged `cost · trained` when `options.trained` is given). */
  stop(study: string, id: number, owner?: string, options?: StopOptions): TrialRecord;
  /** Records a failed attempt: pending while attempts are left, else failed (charged `options.charged` when given). */
  fail(
    study: string,
    id: number,
    error: string,
    owner?: string,
    options?: FailOptions,
  ): TrialRecord;
  release(study: string, id: number, reason: string): TrialRecord;
  setJob(study: string, id: number, job: JobHandle): TrialRecord;
  adopt(study: string, id: number, from: string | undefined, to: string): boolean;
  expire(study: string): number;
  now(): number;
  close(): void;
}
