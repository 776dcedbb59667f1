import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StateError, type TrialState } from '../../src/core/index.ts';
import { checkTransition } from '../../src/study/index.ts';

const STATES: TrialState[] = ['pending', 'running', 'completed', 'failed', 'stale'];

/** The table of the module comment: the states each worker action is allowed from. */
const TABLE: Record<string, TrialState[]> = {
  tell: ['running', 'stale'],
  heartbeat: ['running', 'stale'],
  finish: ['running', 'stale'],
  stop: ['running', 'stale'],
  fail: ['running', 'stale'],
  release: ['running'],
  setJob: ['running'],
};

describe('checkTransition', () => {
  it('allows exactly the transitions of the state table', () => {
    for (const [action, from] of Object.entries(TABLE)) {
      for (const state of STATES) {
        const allowed = from.includes(state);
        if (allowed) assert.doesNotThrow(() => checkTransition(state, action, 's', 1));
        else
          assert.throws(
            () => checkTransition(state, action, 's', 1),
            StateError,
            `${action} from ${state}`,
          );
      }
    }
  });

  it('names the trial, its state, a hint and what is allowed', () => {
    assert.throws(
      () => checkTransition('completed', 'tell', 'mix', 7),
      (e: unknown) =>
        e instanceof StateError &&
        e.message ===
          "cannot tell trial 7 of study 'mix': it is completed (it is already completed; its results are final); tell is allowed on running or stale trials",
    );
    assert.throws(
      () => checkTransition('pending', 'release', 'mix', 2),
      /cannot release trial 2 of study 'mix': it is pending \(it is waiting to be handed out again; ask for it with mixopt ask\); release is allowed on running trials/,
    );
  });

  it('refuses an action it does not know, from any state', () => {
    for (const state of STATES) {
      assert.throws(
        () => checkTransition(state, 'resurrect', 's', 3),
        /resurrect is allowed on nothing trials/,
      );
    }
  });
});
