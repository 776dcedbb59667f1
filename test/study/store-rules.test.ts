// The rules both study stores apply (src/study/store-rules.ts), checked on their own; the
// stores themselves go through the shared contract (test/contracts/study-store.contract.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkFail,
  checkHolder,
  cleanPoints,
  expiredOutcome,
  failOutcome,
  resolveStudyName,
  stopOutcome,
} from '../../src/study/store-rules.ts';
import { NotFoundError, parseStudyConfig, StateError, ValidationError } from '../internals.ts';
import { smallConfig } from './helpers.ts';

describe('study store rules', () => {
  it('a stop: completed at the last step charged c (z_l - z_p) / (z - z_p), or cost · trained', () => {
    // A continuation of a 200-step trial to 1000 steps, cost 8, last reported step 400.
    assert.deepEqual(stopOutcome(8, 1000, 200, 400), {
      state: 'completed',
      steps: 400,
      cost: 2, // 8 * 200 / 800
      error: 'stopped early by the optimiser at step 400 of 1000',
    });
    assert.equal(stopOutcome(8, 1000, 200, 400, { trained: 0.375 }).cost, 3);
    // Only inherited steps reported: failed, charged nothing unless the trained part is known.
    assert.deepEqual(
      [stopOutcome(8, 1000, 200, 200).state, stopOutcome(8, 1000, 200, 200).cost],
      ['failed', 0],
    );
    assert.equal(stopOutcome(8, 1000, 200, undefined, { trained: 0.5 }).cost, 4);
    assert.throws(() => stopOutcome(8, 1000, 0, 10, { trained: Number.NaN }), ValidationError);
  });

  it('a failed attempt is retried while attempts are left; its text says which attempt', () => {
    assert.deepEqual(failOutcome('oom', 1, 3), {
      final: false,
      text: 'oom (attempt 1 of 3; will be retried)',
    });
    assert.deepEqual(failOutcome('oom', 3, 3), {
      final: true,
      text: 'oom (attempt 3 of 3; not retried)',
    });
    assert.throws(() => checkFail(4, '  '), /needs an error text/);
    assert.throws(() => checkFail(4, 'x', { charged: Number.POSITIVE_INFINITY }), /got Infinity/);
    assert.doesNotThrow(() => checkFail(4, 'x', { charged: 0 }));
  });

  it('an expired lease makes a trial stale, or failed on its last attempt', () => {
    assert.deepEqual(expiredOutcome(1, 2), { state: 'stale', error: 'lease expired on attempt 1' });
    assert.deepEqual(expiredOutcome(2, 2), {
      state: 'failed',
      error: 'lease expired on attempt 2 of 2; not retried',
    });
  });

  it('points: the study metric by default, steps in 1..steps, finite values', () => {
    const cfg = parseStudyConfig(smallConfig());
    assert.deepEqual(cleanPoints(cfg, 's', 1, 500, [{ step: 500, value: 2 }]), [
      { metric: 'loss', step: 500, value: 2 },
    ]);
    assert.throws(
      () => cleanPoints(cfg, 's', 1, 500, [{ step: 501, value: 2 }]),
      /step 501 is outside trial 1's length; accepted: an integer in 1..500/,
    );
    assert.throws(
      () => cleanPoints(cfg, 's', 1, 500, [{ step: 5, value: 2, metric: 'acc' }]),
      /metric 'acc' is not reported by study 's'; accepted: loss/,
    );
    assert.throws(() => cleanPoints(cfg, 's', 1, 500, [{ step: 5, value: Number.NaN }]), /NaN/);
  });

  it('names the studies there are, and the worker that holds a trial', () => {
    assert.equal(resolveStudyName(['a'], undefined, 'db'), 'a');
    assert.throws(
      () => resolveStudyName(['a', 'b'], undefined, 'db'),
      (e: unknown) => e instanceof NotFoundError && /holds 2 studies \(a, b\)/.test(e.message),
    );
    assert.throws(
      () => resolveStudyName([], 'x', 'db'),
      /no study 'x' in 'db'; it holds: \(none\)/,
    );
    assert.doesNotThrow(() => checkHolder('s', 1, 'tell', 'w1', 'w1', 1));
    assert.doesNotThrow(() => checkHolder('s', 1, 'tell', undefined, 'w1', 1));
    assert.throws(
      () => checkHolder('s', 1, 'tell', 'w2', 'w1', 3),
      (e: unknown) => e instanceof StateError && /held by 'w1' \(attempt 3\)/.test(e.message),
    );
  });
});
