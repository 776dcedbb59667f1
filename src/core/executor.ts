/**
 * The executor contract: how a study's trials become training jobs.
 *
 * An executor launches one job per trial (`run`), reports what the job has
 * produced so far (`poll`) and stops it (`cancel`). Everything an executor
 * needs to find a job again is in its {@link JobHandle}, which is plain JSON
 * and is stored on the trial: a restarted driver (`mixopt run` after a crash
 * or Ctrl-C) rebuilds the executor from the study config and calls `poll` on
 * the stored handle to re-attach to a job that kept running.
 *
 * Ownership: the driver owns the trial state; an executor never touches the
 * store. A failed *training job* (non-zero exit, crash, timeout, NaN metric)
 * is reported as `phase: 'failed'` with an error text — it is a trial state,
 * not an exception. Executors throw `ExecutorError` only when they cannot
 * launch, poll or cancel at all (e.g. `sbatch` missing).
 */
import type { Mixture } from './types.ts';

/** A JSON value (what may be stored in a job handle's metadata). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** What a job is asked to do: one trial, as handed to the user's training script. */
export interface TrialSpec {
  readonly study: string;
  /** The trial's id within its study (a decimal string, e.g. `"7"`). */
  readonly trial: string;
  /** Attempt number, from 1 (a re-run after a failure or an expired lease counts up). */
  readonly attempt: number;
  /** Domain names, in mixture order. */
  readonly domains: readonly string[];
  readonly mixture: Mixture;
  readonly scale: string;
  /** Parameter count of `scale`. */
  readonly params: number;
  /** Train until this many steps. */
  readonly steps: number;
  /** Report the metric at least every `logEvery` steps. */
  readonly logEvery: number;
  /** Metric names the study reads from the job (one, or the parts of a combination). */
  readonly metrics: readonly string[];
  /** When the trial continues an earlier one: its id and length (resume from its checkpoint if you can). */
  readonly continues?: { readonly trial: string; readonly steps: number };
  /** A per-trial seed the job may use. */
  readonly seed: number;
}

/**
 * Everything needed to find a job again, stored on the trial as JSON.
 * `jobId` is the executor's own id (a pid, a Slurm job id, ...).
 */
export interface JobHandle {
  readonly executor: string;
  readonly jobId: string;
  readonly meta: { readonly [key: string]: JsonValue };
}

/** One metric value a job reported. */
export interface MetricPoint {
  readonly step: number;
  readonly metric: string;
  readonly value: number;
}

/** Where a job is. `failed` covers non-zero exit, crash, timeout and a vanished job. */
export type JobPhase = 'running' | 'completed' | 'failed';

/** What `poll` returns. */
export interface JobReport {
  readonly phase: JobPhase;
  /**
   * Every metric point the job has reported since it started (not only the new
   * ones: polling is idempotent, the driver tells what it has not told yet).
   */
  readonly points: readonly MetricPoint[];
  /** For `failed`: why, with the tail of the job's stderr when there is one. */
  readonly error?: string;
}

/** Launches, polls and cancels training jobs. */
export interface Executor {
  /** Name stored in each handle (`handle.executor`); a driver re-attaches only its own kind. */
  readonly name: string;
  /** Launches the job for `trial`; returns as soon as it is launched. @throws ExecutorError */
  run(trial: TrialSpec): Promise<JobHandle>;
  /**
   * Optional: launches several trials as one submission (a Slurm job array)
   * and returns one handle per trial, in order. A driver launching more than
   * one trial at once calls it instead of `run`. @throws ExecutorError
   */
  runBatch?(trials: readonly TrialSpec[]): Promise<JobHandle[]>;
  /** Reports the job's phase and every point so far. Must work on a handle from another process. */
  poll(handle: JobHandle): Promise<JobReport>;
  /** Stops the job (idempotent; a finished job is left alone). */
  cancel(handle: JobHandle): Promise<void>;
}
