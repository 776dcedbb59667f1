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
 *
 * Early stopping: after a poll round that told new points, the optimiser's
 * optional `stop` decision (Study.stops) is applied: each named trial's job
 * is cancelled and the trial stopped at its last reported step
 * (StudyStore.stop: charged only up to that step), docs/executors.md.
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
      /** The optimiser stopped the trial early: its job was cancelled, the trial truncated. */
      readonly type: 'early-stop';
      readonly trial: number;
      readonly steps: number;
      readonly state: string;
    }
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
  /** Trials the optimiser stopped early (their jobs cancelled). */
  readonly stopped: number;
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

/** The driver's state during one {@link runStudy} call: one object, passed to its named parts. */
interface Driver {
  readonly study: Study;
  readonly executor: Executor;
  readonly owner: string;
  readonly emit: (e: RunEvent) => void;
  /** Trials this driver runs: id -> its job and the points already told. */
  readonly active: Map<number, Active>;
  launched: number;
  adopted: number;
  completed: number;
  failed: number;
  stopped: number;
  /** The optimiser has nothing left to propose. */
  exhausted: boolean;
  /** Failed attempts in a row, and the last one's error. */
  streak: number;
  lastError: string | undefined;
}

/** The checked limits of a run. */
interface RunLimits {
  readonly parallel: number;
  readonly budget: number | undefined;
  readonly maxTrials: number | undefined;
  readonly maxStreak: number;
  readonly pollMs: number;
  readonly heartbeatMs: number;
}

/** Checks the options of {@link runStudy}. @throws ValidationError naming the bad value. */
function runLimits(study: Study, options: RunOptions): RunLimits {
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
  return {
    parallel,
    budget,
    maxTrials: options.maxTrials,
    maxStreak: study.config.trials.maxConsecutiveFailures ?? 5,
    pollMs: options.pollIntervalMs ?? 200,
    heartbeatMs: (study.config.trials.leaseSeconds * 1000) / 3,
  };
}

/** Whether `err` says trial `id` was handed to another worker (then it is dropped, as lost). */
function lostTrial(d: Driver, id: number, err: unknown): boolean {
  if (!(err instanceof StateError) || err.details?.refused !== d.owner) return false;
  d.emit({ type: 'lost', trial: id, reason: `${err.message}; our job's results were dropped` });
  return true;
}

/** Records a failed attempt of trial `id` (owner-checked) and counts the streak. */
function failAttempt(d: Driver, id: number, error: string): void {
  let state: string;
  try {
    state = d.study.fail(id, error, d.owner).state;
  } catch (err) {
    if (!lostTrial(d, id, err)) throw err;
    return;
  }
  if (state === 'failed') d.failed++;
  d.streak++;
  d.lastError = error;
  d.emit({ type: 'fail', trial: id, error, state });
}

/** The trial's points already in the store, as `metric@step` -> value. */
function toldFromStore(study: Study, id: number): Map<string, number> {
  return new Map(study.points(id).map((p) => [`${p.metric}@${p.step}`, p.value]));
}

/** Adopts the trials of drivers that died on this host (or of this owner name). */
function adoptOrphans(d: Driver): void {
  for (const t of d.study.trials()) {
    if (t.state !== 'running' && t.state !== 'stale') continue;
    if (t.owner !== d.owner && !ownerIsGone(t.owner)) continue;
    if (t.job !== undefined && t.job.executor !== d.executor.name) continue;
    if (t.job === undefined && t.state !== 'running') continue;
    if (!d.study.store.adopt(d.study.name, t.id, t.owner, d.owner)) continue;
    d.adopted++;
    d.emit({ type: 'adopt', trial: t.id, ...(t.job !== undefined ? { job: t.job.jobId } : {}) });
    const a: Active = { trial: t.id, told: toldFromStore(d.study, t.id) };
    if (t.job !== undefined) a.handle = t.job;
    d.active.set(t.id, a);
  }
}

async function launch(d: Driver, a: Active): Promise<void> {
  const t = d.study.trial(a.trial);
  try {
    a.handle = await d.executor.run(d.study.trialSpec(t));
  } catch (err) {
    if (err instanceof ExecutorError) {
      d.active.delete(t.id);
      failAttempt(d, t.id, `executor could not launch the job: ${err.message}`);
      return;
    }
    d.study.release(t.id, `not launched: ${err instanceof Error ? err.message : String(err)}`);
    d.active.delete(t.id);
    throw err;
  }
  d.study.setJob(t.id, a.handle);
  d.emit({ type: 'launch', trial: t, job: a.handle.jobId });
}

/** Launches `list` as one batch (`executor.runBatch`, e.g. a Slurm job array) when there are several. */
async function launchAll(d: Driver, list: readonly Active[]): Promise<void> {
  if (list.length < 2 || d.executor.runBatch === undefined) {
    for (const a of list) await launch(d, a);
    return;
  }
  const trials = list.map((a) => d.study.trial(a.trial));
  let handles: JobHandle[];
  try {
    handles = await d.executor.runBatch(trials.map((t) => d.study.trialSpec(t)));
  } catch (err) {
    for (const t of trials) {
      d.active.delete(t.id);
      if (err instanceof ExecutorError)
        failAttempt(d, t.id, `executor could not launch the job: ${err.message}`);
      else
        d.study.release(t.id, `not launched: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (err instanceof ExecutorError) return;
    throw err;
  }
  list.forEach((a, i) => {
    const t = trials[i] as TrialRecord;
    a.handle = handles[i] as JobHandle;
    d.study.setJob(t.id, a.handle);
    d.emit({ type: 'launch', trial: t, job: a.handle.jobId });
  });
}

function spend(study: Study): { spent: number; committed: number } {
  return studySpend(study.trials(), metricCurves(study.config, study.points()));
}

/** Tells the points of `r` not told yet (one transaction); whether there were any. */
function tellNew(d: Driver, a: Active, r: JobReport): boolean {
  const fresh = r.points.filter((p) => a.told.get(`${p.metric}@${p.step}`) !== p.value);
  if (fresh.length === 0) return false;
  d.study.tell(a.trial, fresh, d.owner);
  for (const p of fresh) a.told.set(`${p.metric}@${p.step}`, p.value);
  d.emit({
    type: 'points',
    trial: a.trial,
    count: fresh.length,
    step: Math.max(...fresh.map((p) => p.step)),
  });
  return true;
}

/**
 * Applies the optimiser's stop decisions (Study.stops) to the driver's running trials: reads
 * what each job reported last, cancels it and truncates the trial (StudyStore.stop). A job that
 * completed meanwhile is left for the next poll to complete.
 */
async function applyStops(d: Driver): Promise<void> {
  for (const id of d.study.stops()) {
    const a = d.active.get(id);
    if (a?.handle === undefined) continue;
    const r = await d.executor.poll(a.handle).catch(() => undefined);
    if (r !== undefined) tellNew(d, a, r);
    if (r?.phase === 'completed') continue;
    await d.executor.cancel(a.handle);
    d.active.delete(id);
    let t: TrialRecord;
    try {
      t = d.study.stop(id, d.owner);
    } catch (err) {
      if (!lostTrial(d, id, err)) throw err;
      continue;
    }
    d.stopped++;
    d.emit({ type: 'early-stop', trial: id, steps: t.steps, state: t.state });
  }
}

/**
 * Asks for trials until every slot is busy, a limit is reached or the optimiser is exhausted,
 * then launches them (together when the executor batches). Returns the limit that stopped the
 * asking, if one did.
 */
async function fillSlots(
  d: Driver,
  lim: RunLimits,
  signal: AbortSignal | undefined,
): Promise<'budget' | 'max-trials' | 'exhausted' | undefined> {
  const asked: Active[] = []; // launched together after the asks when the executor batches
  let stop: 'budget' | 'max-trials' | 'exhausted' | undefined;
  while (d.active.size < lim.parallel && !d.exhausted && !signal?.aborted) {
    // Trials waiting for a retry are already committed: they run whatever the limits.
    const retry = d.study.trials().some((t) => t.state === 'pending' || t.state === 'stale');
    if (!retry && lim.maxTrials !== undefined && d.launched >= lim.maxTrials) {
      stop = 'max-trials';
      break;
    }
    if (!retry && lim.budget !== undefined) {
      const s = spend(d.study);
      if (s.spent + s.committed >= lim.budget) {
        stop = 'budget';
        break;
      }
    }
    const [t] = d.study.ask(1, { owner: d.owner });
    if (t === undefined) {
      d.exhausted = true;
      stop = 'exhausted';
      break;
    }
    const a: Active = { trial: t.id, told: toldFromStore(d.study, t.id) };
    d.active.set(t.id, a);
    if (t.attempts === 1) d.launched++; // a retry is not a new trial
    if (d.executor.runBatch === undefined) await launch(d, a);
    else asked.push(a);
  }
  await launchAll(d, asked);
  return stop;
}

/** Polls one active trial's job and records what it reports; whether it told new points. */
async function pollTrial(d: Driver, a: Active & { handle: JobHandle }): Promise<boolean> {
  // A trial whose lease expired may have been handed to another worker (or
  // finished by one): it is no longer ours, so our job is redundant.
  const cur = d.study.trial(a.trial);
  if (cur.owner !== d.owner || (cur.state !== 'running' && cur.state !== 'stale')) {
    d.active.delete(a.trial);
    await d.executor.cancel(a.handle).catch(() => undefined);
    d.emit({
      type: 'lost',
      trial: a.trial,
      reason: `its lease expired and it is now ${cur.state}${cur.owner !== undefined ? ` (owner ${cur.owner})` : ''}; our job was cancelled`,
    });
    return false;
  }
  let r: JobReport;
  try {
    r = await d.executor.poll(a.handle);
  } catch (err) {
    // An executor that cannot poll now (e.g. squeue down) is retried; a bug is not.
    if (!(err instanceof MixoptError)) throw err;
    d.emit({ type: 'poll-error', trial: a.trial, error: err.message });
    return false;
  }
  crashPoint('tell');
  let told = false;
  try {
    told = tellNew(d, a, r);
  } catch (err) {
    if (lostTrial(d, a.trial, err)) {
      d.active.delete(a.trial);
      await d.executor.cancel(a.handle).catch(() => undefined);
      return false;
    }
    // A point the store refuses (e.g. beyond the trial's length) fails the attempt.
    if (!(err instanceof MixoptError)) throw err;
    r = {
      phase: 'failed',
      points: [],
      error: `job reported a value the study refused: ${err.message}`,
    };
    await d.executor.cancel(a.handle);
  }
  if (r.phase === 'completed') {
    d.active.delete(a.trial);
    try {
      d.study.finish(a.trial, d.owner);
    } catch (err) {
      if (!lostTrial(d, a.trial, err)) throw err;
      return told;
    }
    d.completed++;
    d.streak = 0;
    d.lastError = undefined;
    d.emit({ type: 'complete', trial: a.trial });
  } else if (r.phase === 'failed') {
    d.active.delete(a.trial);
    failAttempt(d, a.trial, r.error ?? 'job failed');
  }
  return told;
}

/** Renews the lease of every active trial (a lost one is dropped at the next poll). */
function heartbeatAll(d: Driver): void {
  for (const a of d.active.values()) {
    try {
      d.study.heartbeat(a.trial, d.owner);
    } catch (err) {
      if (!(err instanceof MixoptError)) throw err;
    }
  }
}

/**
 * After an interrupt or a failure streak: cancels the running jobs (their trials go back to
 * pending) or leaves them running for the next run, telling what they reported so far.
 */
async function stopActive(d: Driver, action: OnInterrupt): Promise<void> {
  d.emit({ type: 'interrupt', action, trials: [...d.active.keys()] });
  for (const a of d.active.values()) {
    if (action === 'cancel') {
      if (a.handle !== undefined) {
        const r = await d.executor.poll(a.handle).catch(() => undefined);
        if (r !== undefined) tellNew(d, a, r);
        await d.executor.cancel(a.handle);
      }
      d.study.release(a.trial, 'cancelled by the user (Ctrl-C); will be run again');
    } else if (a.handle !== undefined) {
      // Leave the job running; tell what it has reported so far (and its end, if it has ended).
      const r = await d.executor.poll(a.handle).catch(() => undefined);
      if (r !== undefined) {
        tellNew(d, a, r);
        if (r.phase === 'completed') d.study.finish(a.trial, d.owner);
        if (r.phase === 'failed') d.study.fail(a.trial, r.error ?? 'job failed', d.owner);
      }
    } else {
      d.study.release(a.trial, 'interrupted before launch');
    }
  }
}

/** The loop of {@link runStudy}: launch, ask, poll, heartbeat; returns why it stopped. */
async function driveLoop(
  d: Driver,
  lim: RunLimits,
  signal: AbortSignal | undefined,
): Promise<RunSummary['stoppedBy']> {
  let stoppedBy: RunSummary['stoppedBy'] = 'exhausted';
  let lastBeat = Date.now();
  for (;;) {
    if (signal?.aborted) return 'interrupted';
    // Launch adopted trials that never got a job, then fill free slots.
    await launchAll(
      d,
      [...d.active.values()].filter((a) => a.handle === undefined),
    );
    if (d.streak >= lim.maxStreak) return 'failures';
    const stop = await fillSlots(d, lim, signal);
    if (stop !== undefined) stoppedBy = stop;
    if (d.streak >= lim.maxStreak) return 'failures';
    // Nothing running: done when nothing more may be asked; else (every launch
    // of the round failed, their trials wait for a retry) ask again.
    const limited = stop === 'budget' || stop === 'max-trials';
    if (d.active.size === 0 && (d.exhausted || limited || signal?.aborted)) return stoppedBy;
    if (d.active.size === 0) continue;
    await sleep(lim.pollMs, signal);
    if (signal?.aborted) continue;
    let told = false; // new points this round: the optimiser may want to stop a run
    for (const a of [...d.active.values()]) {
      if (a.handle !== undefined && (await pollTrial(d, a as Active & { handle: JobHandle })))
        told = true;
    }
    if (told && d.active.size > 0) await applyStops(d);
    if (Date.now() - lastBeat > lim.heartbeatMs) {
      heartbeatAll(d);
      lastBeat = Date.now();
    }
  }
}

/**
 * Drives `study` with `options.executor` until the budget is spent, the
 * optimiser has nothing left to propose, `maxTrials` is reached, or the
 * signal fires. Resumable: call again with the same options.
 * @throws ValidationError when neither a budget nor maxTrials is given.
 */
export async function runStudy(study: Study, options: RunOptions): Promise<RunSummary> {
  const lim = runLimits(study, options);
  const d: Driver = {
    study,
    executor: options.executor,
    owner: options.owner ?? defaultOwner(),
    emit: options.onEvent ?? (() => {}),
    active: new Map(),
    launched: 0,
    adopted: 0,
    completed: 0,
    failed: 0,
    stopped: 0,
    exhausted: false,
    streak: 0,
    lastError: undefined,
  };
  adoptOrphans(d);
  const stoppedBy = await driveLoop(d, lim, options.signal);
  if ((stoppedBy === 'interrupted' || stoppedBy === 'failures') && d.active.size > 0) {
    // After a failure streak the jobs still running are left to the next run.
    await stopActive(d, stoppedBy === 'failures' ? 'leave' : (options.onInterrupt ?? 'leave'));
  }
  const spent = spend(study).spent;
  d.emit({ type: 'stop', reason: stoppedBy, spent });
  return {
    launched: d.launched,
    adopted: d.adopted,
    completed: d.completed,
    failed: d.failed,
    stopped: d.stopped,
    stoppedBy,
    spent,
    consecutiveFailures: d.streak,
    ...(stoppedBy === 'failures' && d.lastError !== undefined ? { lastError: d.lastError } : {}),
  };
}
