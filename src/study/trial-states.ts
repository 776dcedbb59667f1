/**
 * The trial state machine: which worker actions each state admits.
 *
 * | action    | from                | to                                   |
 * |-----------|---------------------|--------------------------------------|
 * | ask       | (new), pending, stale | running (attempt + 1)              |
 * | tell      | running, stale      | running (lease renewed)              |
 * | heartbeat | running, stale      | running (lease renewed)              |
 * | finish    | running, stale      | completed                            |
 * | stop      | running, stale      | completed at its last reported step, or failed when it reported none |
 * | fail      | running, stale      | pending (attempts left) or failed    |
 * | release   | running             | pending (attempt not counted)        |
 * | setJob    | running             | running                              |
 * | (expiry)  | running             | stale (attempts left) or failed      |
 *
 * A stale trial still admits reports from its worker: a worker that was slow
 * to heartbeat but is alive keeps its trial unless `ask` handed it out again.
 */
import type { TrialState } from '../core/index.ts';
import { StateError } from '../core/index.ts';

/** Worker actions on an existing trial. */
export type TrialAction = 'tell' | 'heartbeat' | 'finish' | 'stop' | 'fail' | 'release' | 'setJob';

const ALLOWED: Readonly<Record<TrialAction, readonly TrialState[]>> = {
  tell: ['running', 'stale'],
  heartbeat: ['running', 'stale'],
  finish: ['running', 'stale'],
  stop: ['running', 'stale'],
  fail: ['running', 'stale'],
  release: ['running'],
  setJob: ['running'],
};

const HINT: Readonly<Record<TrialState, string>> = {
  pending: 'it is waiting to be handed out again; ask for it with mixopt ask',
  running: 'it is running',
  completed: 'it is already completed; its results are final',
  failed: 'it has failed for good; its results are final',
  stale: 'its lease expired',
};

/**
 * Throws unless `action` is allowed on a trial in `state`.
 * @throws StateError naming the trial, its state and why.
 */
export function checkTransition(
  state: TrialState,
  action: string,
  study: string,
  trial: number,
): void {
  const allowed = ALLOWED[action as TrialAction];
  if (allowed === undefined || !allowed.includes(state)) {
    throw new StateError(
      `cannot ${action} trial ${trial} of study '${study}': it is ${state} (${HINT[state]}); ${action} is allowed on ${allowed?.join(' or ') ?? 'nothing'} trials`,
      { study, trial, state, action },
    );
  }
}
