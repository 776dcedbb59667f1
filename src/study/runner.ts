/**
 * The study driver behind `mixopt run`: ask -> execute -> tell until the
 * budget is spent, with up to `parallel` jobs at once.
 *
 * Crash safety: every state change goes through the store at once (a point
 * is told as soon as a poll sees it; a job handle is stored as soon as the
 * job is launched), so a driver killed at any moment loses nothing that was
 * told. On start, the driver adopts the trials of dead drivers on this host
 * (owner `host:pid` whose pid is gone): a trial with a job handle is
 * re-attached (polled, not re-run); a trial asked but never launched is
 * launched now. It then asks as an uninterrupted driver would have, so with
 * `parallel = 1` a resumed study proposes exactly the same trials.
 */
import { hostname } from 'node:os';
import type { Executor, JobHandle, JobReport, TrialRecord } from '../core/index.ts';
import {
  crashPoint,
  ExecutorError,
  MixoptError,
  StateError,
  ValidationError,
} from '../core/index.ts';
import { metricCurves, studySpend } from './history.ts';
import type { Study } from './study.ts';
import { defaultOwner } from './study.ts';

/** What the driver does with running jobs when it is interrupted (Ctrl-C). */
export type OnInterrupt = 'cancel' | 'leave';

/** Progress events (the CLI prints them on stderr). */
export type RunEvent =
  | { readonly type: 'adopt'; readonly trial: number; readonly job?: string }
  | { readonly type: 'launch'; readonly trial: TrialRecord; readonly job: string }
  | {
      readonly type: 'points';
      readonly trial: number;
      readonly count: number;
      readonly step: number;
    }
  | { readonly type: 'complete'; readonly trial: number }
  | {
      readonly type: 'fail';
      readonly trial: number;
      readonly error: string;
      readonly state: string;
    }
  | { readonly type: 'poll-error'; readonly trial: number; readonly error: string }
  | { readonly type: 'lost'; readonly trial: number; readonly reason: string }
  | { readonly type: 'interrupt'; readonly action: OnInterrupt; readonly trials: readonly number[] }
  | { readonly type: 'stop'; readonly reason: RunSummary['stoppedBy']; readonly spent: number };

/** Options of {@link runStudy}. */
export interface RunOptions {
  readonly executor: Executor;
  /** Jobs at once (default 1). */
  readonly parallel?: number;
  /** Budget in cost units; overrides the study's `budget`. Without either, `maxTrials` must be set. */
  readonly budget?: number;
  /** Stop after launching this many new trials in this call (retries of failed trials do not count). */
  readonly maxTrials?: number;
  /** Milliseconds between polls (default 200). */
  readonly pollIntervalMs?: number;
  /** Interrupts the driver (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** On interrupt: cancel running jobs (their trials go back to pending) or leave them for the next `run` to re-attach. Default `leave`. */
  readonly onInterrupt?: OnInterrupt;
  /** Lease owner (default `host:pid`). */
  readonly owner?: string;
  readonly onEvent?: (e: RunEvent) => void;
}

/**
 * How a run ended. `failures`: `trials.maxConsecutiveFailures` attempts in a
 * row failed (a broken command, a refused submission), so the driver stopped
 * rather than burn through the study; `lastError` says why the last one failed.
 */
export interface RunSummary {
  readonly launched: number;
  readonly adopted: number;
  readonly completed: number;
  readonly failed: number;
  readonly stoppedBy: 'budget' | 'exhausted' | 'max-trials' | 'interrupted' | 'failures';
  readonly spent: number;
  /** Failed attempts in a row at the end of the run. */
  readonly consecutiveFailures: number;
  /** The error of the last failed attempt, when the run ended on a failure streak. */
  readonly lastError?: string;
}

interface Active {
  readonly trial: number;
  handle?: JobHandle;
  /** `metric@step` -> value already told. */
  readonly told: Map<string, number>;
}

/** Whether `owner` (`host:pid`) is a process on this host that no longer runs. */
export function ownerIsGone(owner: string | undefined): boolean {
  if (owner === undefined) return false;
  const i = owner.lastIndexOf(':');
  if (i < 0 || owner.slice(0, i) !== hostname()) return false;
  const pid = Number(owner.slice(i + 1));
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Drives `study` with `options.executor` until the budget is spent, the
 * optimiser has nothing left to propose, `maxTrials` is reached, or the
 * signal fires. Resumable: call again with the same options.
 * @throws ValidationError when neither a budget nor maxTrials is given.
 */
export async function runStudy(study: Study, options: RunOptions): Promise<RunSummary> {
  const { executor } = options;
  const parallel = options.parallel ?? 1;
  if (!Number.isSafeInteger(parallel) || parallel < 1)
    throw new ValidationError(`--parallel must be a positive integer, got ${String(parallel)}`);
  const budget = options.budget ?? study.config.budget;
  if (budget === undefined && options.maxTrials === undefined)
    throw new ValidationError(
      `study '${study.name}' has no budget; pass --budget B (in units of 100 target steps) or set budget in the study config`,
    );
  if (budget !== undefined && !(budget > 0))
    throw new ValidationError(`--budget must be a positive number, got ${String(budget)}`);
  const owner = options.owner ?? defaultOwner();
  const poll = options.pollIntervalMs ?? 200;
  const emit = options.onEvent ?? (() => {});
  const heartbeatMs = (study.config.trials.leaseSeconds * 1000) / 3;
  const active = new Map<number, Active>();
  let launched = 0;
  let adopted = 0;
  let completed = 0;
  let failed = 0;
  let exhausted = false;
  let lastBeat = Date.now();
  const maxStreak = study.config.trials.maxConsecutiveFailures;
  let streak = 0;
  let lastError: string | undefined;

  /** Records a failed attempt of trial `id` (owner-checked) and counts the streak. */
  function failAttempt(id: number, error: string): void {
    let state: string;
    try {
      state = study.fail(id, error, owner).state;
    } catch (err) {
      if (!lostTrial(id, err)) throw err;
      return;
    }
    if (state === 'failed') failed++;
    streak++;
    lastError = error;
    emit({ type: 'fail', trial: id, error, state });
  }

  /** Whether `err` says trial `id` was handed to another worker (then it is dropped, as lost). */
  function lostTrial(id: number, err: unknown): boolean {
    if (!(err instanceof StateError) || err.details?.refused !== owner) return false;
    emit({ type: 'lost', trial: id, reason: `${err.message}; our job's results were dropped` });
    return true;
  }

  const toldFromStore = (id: number) =>
    new Map(study.points(id).map((p) => [`${p.metric}@${p.step}`, p.value]));

  // 1. Adopt the trials of drivers that died on this host (or of this owner name).
  for (const t of study.trials()) {
    if (t.state !== 'running' && t.state !== 'stale') continue;
    if (t.owner !== owner && !ownerIsGone(t.owner)) continue;
    if (t.job !== undefined && t.job.executor !== executor.name) continue;
    if (t.job === undefined && t.state !== 'running') continue;
    if (!study.store.adopt(study.name, t.id, t.owner, owner)) continue;
    adopted++;
    emit({ type: 'adopt', trial: t.id, ...(t.job !== undefined ? { job: t.job.jobId } : {}) });
    const a: Active = { trial: t.id, told: toldFromStore(t.id) };
    if (t.job !== undefined) a.handle = t.job;
    active.set(t.id, a);
  }

  async function launch(a: Active): Promise<void> {
    const t = study.trial(a.trial);
    try {
      a.handle = await executor.run(study.trialSpec(t));
    } catch (err) {
      if (err instanceof ExecutorError) {
        active.delete(t.id);
        failAttempt(t.id, `executor could not launch the job: ${err.message}`);
        return;
      }
      study.release(t.id, `not launched: ${err instanceof Error ? err.message : String(err)}`);
      active.delete(t.id);
      throw err;
    }
    study.setJob(t.id, a.handle);
    emit({ type: 'launch', trial: t, job: a.handle.jobId });
  }

  /** Launches `list` as one batch (`executor.runBatch`, e.g. a Slurm job array) when there are several. */
  async function launchAll(list: readonly Active[]): Promise<void> {
    if (list.length < 2 || executor.runBatch === undefined) {
      for (const a of list) await launch(a);
      return;
    }
    const trials = list.map((a) => study.trial(a.trial));
    let handles: JobHandle[];
    try {
      handles = await executor.runBatch(trials.map((t) => study.trialSpec(t)));
    } catch (err) {
      for (const t of trials) {
        active.delete(t.id);
        if (err instanceof ExecutorError)
          failAttempt(t.id, `executor could not launch the job: ${err.message}`);
        else
          study.release(t.id, `not launched: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (err instanceof ExecutorError) return;
      throw err;
    }
    list.forEach((a, i) => {
      const t = trials[i] as TrialRecord;
      a.handle = handles[i] as JobHandle;
      study.setJob(t.id, a.handle);
      emit({ type: 'launch', trial: t, job: a.handle.jobId });
    });
  }

  function spend(): { spent: number; committed: number } {
    return studySpend(study.trials(), metricCurves(study.config, study.points()));
  }

  /** Tells the points of `r` not told yet (one transaction). */
  function tellNew(a: Active, r: JobReport): void {
    const fresh = r.points.filter((p) => a.told.get(`${p.metric}@${p.step}`) !== p.value);
    if (fresh.length === 0) return;
    study.tell(a.trial, fresh, owner);
    for (const p of fresh) a.told.set(`${p.metric}@${p.step}`, p.value);
    emit({
      type: 'points',
      trial: a.trial,
      count: fresh.length,
      step: Math.max(...fresh.map((p) => p.step)),
    });
  }

  let stoppedBy: RunSummary['stoppedBy'] = 'exhausted';
  for (;;) {
    if (options.signal?.aborted) {
      stoppedBy = 'interrupted';
      break;
    }
    // Launch adopted trials that never got a job, then fill free slots.
    await launchAll([...active.values()].filter((a) => a.handle === undefined));
    if (streak >= maxStreak) {
      stoppedBy = 'failures';
      break;
    }
    const asked: Active[] = []; // launched together after the asks when the executor batches
    let limited = false; // a limit (max trials, budget) stopped the asking in this round
    while (active.size < parallel && !exhausted && !options.signal?.aborted) {
      // Trials waiting for a retry are already committed: they run whatever the limits.
      const retry = study.trials().some((t) => t.state === 'pending' || t.state === 'stale');
      if (!retry && options.maxTrials !== undefined && launched >= options.maxTrials) {
        stoppedBy = 'max-trials';
        limited = true;
        break;
      }
      if (!retry && budget !== undefined) {
        const s = spend();
        if (s.spent + s.committed >= budget) {
          stoppedBy = 'budget';
          limited = true;
          break;
        }
      }
      const [t] = study.ask(1, { owner });
      if (t === undefined) {
        exhausted = true;
        stoppedBy = 'exhausted';
        break;
      }
      const a: Active = { trial: t.id, told: toldFromStore(t.id) };
      active.set(t.id, a);
      if (t.attempts === 1) launched++; // a retry is not a new trial
      if (executor.runBatch === undefined) await launch(a);
      else asked.push(a);
    }
    await launchAll(asked);
    if (streak >= maxStreak) {
      stoppedBy = 'failures';
      break;
    }
    // Nothing running: done when nothing more may be asked; else (every launch
    // of the round failed, their trials wait for a retry) ask again.
    if (active.size === 0 && (exhausted || limited || options.signal?.aborted)) break;
    if (active.size === 0) continue;
    await sleep(poll, options.signal);
    if (options.signal?.aborted) continue;
    for (const a of [...active.values()]) {
      if (a.handle === undefined) continue;
      // A trial whose lease expired may have been handed to another worker (or
      // finished by one): it is no longer ours, so our job is redundant.
      const cur = study.trial(a.trial);
      if (cur.owner !== owner || (cur.state !== 'running' && cur.state !== 'stale')) {
        active.delete(a.trial);
        await executor.cancel(a.handle).catch(() => undefined);
        emit({
          type: 'lost',
          trial: a.trial,
          reason: `its lease expired and it is now ${cur.state}${cur.owner !== undefined ? ` (owner ${cur.owner})` : ''}; our job was cancelled`,
        });
        continue;
      }
      let r: JobReport;
      try {
        r = await executor.poll(a.handle);
      } catch (err) {
        // An executor that cannot poll now (e.g. squeue down) is retried; a bug is not.
        if (!(err instanceof MixoptError)) throw err;
        emit({ type: 'poll-error', trial: a.trial, error: err.message });
        continue;
      }
      crashPoint('tell');
      try {
        tellNew(a, r);
      } catch (err) {
        if (lostTrial(a.trial, err)) {
          active.delete(a.trial);
          await executor.cancel(a.handle).catch(() => undefined);
          continue;
        }
        // A point the store refuses (e.g. beyond the trial's length) fails the attempt.
        if (!(err instanceof MixoptError)) throw err;
        r = {
          phase: 'failed',
          points: [],
          error: `job reported a value the study refused: ${err.message}`,
        };
        await executor.cancel(a.handle);
      }
      if (r.phase === 'completed') {
        active.delete(a.trial);
        try {
          study.finish(a.trial, owner);
        } catch (err) {
          if (!lostTrial(a.trial, err)) throw err;
          continue;
        }
        completed++;
        streak = 0;
        lastError = undefined;
        emit({ type: 'complete', trial: a.trial });
      } else if (r.phase === 'failed') {
        active.delete(a.trial);
        failAttempt(a.trial, r.error ?? 'job failed');
      }
    }
    if (Date.now() - lastBeat > heartbeatMs) {
      for (const a of active.values()) {
        try {
          study.heartbeat(a.trial, owner);
        } catch (err) {
          if (!(err instanceof MixoptError)) throw err; // a lost trial is dropped at the next poll
        }
      }
      lastBeat = Date.now();
    }
  }

  if ((stoppedBy === 'interrupted' || stoppedBy === 'failures') && active.size > 0) {
    // After a failure streak the jobs still running are left to the next run.
    const action = stoppedBy === 'failures' ? 'leave' : (options.onInterrupt ?? 'leave');
    emit({ type: 'interrupt', action, trials: [...active.keys()] });
    for (const a of active.values()) {
      if (action === 'cancel') {
        if (a.handle !== undefined) {
          const r = await executor.poll(a.handle).catch(() => undefined);
          if (r !== undefined) tellNew(a, r);
          await executor.cancel(a.handle);
        }
        study.release(a.trial, 'cancelled by the user (Ctrl-C); will be run again');
      } else if (a.handle !== undefined) {
        // Leave the job running; tell what it has reported so far (and its end, if it has ended).
        const r = await executor.poll(a.handle).catch(() => undefined);
        if (r !== undefined) {
          tellNew(a, r);
          if (r.phase === 'completed') study.finish(a.trial, owner);
          if (r.phase === 'failed') study.fail(a.trial, r.error ?? 'job failed', owner);
        }
      } else {
        study.release(a.trial, 'interrupted before launch');
      }
    }
  }
  const spent = spend().spent;
  emit({ type: 'stop', reason: stoppedBy, spent });
  return {
    launched,
    adopted,
    completed,
    failed,
    stoppedBy,
    spent,
    consecutiveFailures: streak,
    ...(stoppedBy === 'failures' && lastError !== undefined ? { lastError } : {}),
  };
}
