// The StudyStore contract suite: what every store must do (the contract is written in prose on
// `StudyStore` in src/core/study-types.ts). Call `studyStoreContract` from a test file with a
// factory that opens a fresh, empty store with the given clock; `reopen` opens the same storage
// again (another process's view), when the store is persistent.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  type JobHandle,
  NotFoundError,
  type ProposeResult,
  parseStudyConfig,
  StateError,
  type StudyConfig,
  type StudyStore,
  ValidationError,
} from '../internals.ts';
import { smallConfig } from '../study/helpers.ts';

export interface StoreFactory {
  /** A fresh, empty store reading time from `clock` (ms). */
  readonly make: (clock: () => number) => StudyStore;
  /** The same storage as `store`, opened again. */
  readonly reopen?: (store: StudyStore, clock: () => number) => StudyStore;
}

/** The small study of test/study/helpers.ts, on two domains, two attempts per trial. */
function config(over: Record<string, unknown> = {}): StudyConfig {
  return parseStudyConfig(
    smallConfig({
      name: 'contract',
      domains: ['a', 'b'],
      trials: { leaseSeconds: 60, maxAttempts: 2 },
      ...over,
    }),
  );
}

/** A proposer of `n` target runs of mixture (0.5, 0.5); its state counts the calls. */
function proposer(calls: { n: number }) {
  return (snap: { asks: number }, n: number): ProposeResult => {
    calls.n++;
    return {
      trials: Array.from({ length: n }, () => ({
        proposal: { mixture: [0.5, 0.5], scale: '1B', steps: 1000 },
        cost: 10,
      })),
      optimizerState: { asks: snap.asks + 1 },
    };
  };
}

/** Everything observable about a study, for "unchanged" checks. */
function observe(s: StudyStore, study: string): string {
  return JSON.stringify({
    trials: s.trials(study),
    points: s.points(study),
    state: s.optimizerState(study),
  });
}

/** Registers the contract tests for one StudyStore implementation. */
export function studyStoreContract(label: string, factory: StoreFactory): void {
  const clock = { t: 1_000_000 };
  const now = () => clock.t;

  it(`${label}: a created study reads back its config, by name or as the only one`, () => {
    const s = factory.make(now);
    const c = config();
    s.createStudy(c);
    assert.deepEqual(s.studyNames(), ['contract']);
    assert.equal(s.resolveStudy(), 'contract');
    assert.deepEqual(s.config('contract'), c);
    assert.throws(() => s.createStudy(c), StateError);
    assert.throws(() => s.config('nope'), NotFoundError);
    s.createStudy(config({ name: 'other' }));
    assert.throws(() => s.resolveStudy(), /other|contract/);
    assert.equal(s.resolveStudy('other'), 'other');
  });

  it(`${label}: ask runs the proposer once per call, hands out running trials and keeps its state`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const calls = { n: 0 };
    assert.equal(s.optimizerState('contract'), undefined);
    const ts = s.ask('contract', 2, 'w1', proposer(calls));
    assert.equal(calls.n, 1);
    assert.deepEqual(
      ts.map((t) => [t.id, t.state, t.owner, t.attempts, t.cost, t.steps]),
      [
        [1, 'running', 'w1', 1, 10, 1000],
        [2, 'running', 'w1', 1, 10, 1000],
      ],
    );
    assert.deepEqual(s.optimizerState('contract'), { asks: 1 });
    s.ask('contract', 1, 'w1', proposer(calls));
    assert.deepEqual(s.optimizerState('contract'), { asks: 2 });
    assert.equal(s.trials('contract').length, 3);
  });

  it(`${label}: tell stores points, final completes; a completed trial refuses more`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const [t] = s.ask('contract', 1, 'w1', proposer({ n: 0 }));
    const id = (t as { id: number }).id;
    s.tell('contract', id, [{ step: 500, value: 3 }], 'w1');
    const done = s.tell('contract', id, [{ step: 1000, value: 2.5 }], 'w1', { final: true });
    assert.equal(done.state, 'completed');
    assert.deepEqual(
      s.points('contract', id).map((p) => [p.metric, p.step, p.value]),
      [
        ['loss', 500, 3],
        ['loss', 1000, 2.5],
      ],
    );
    const before = observe(s, 'contract');
    assert.throws(() => s.tell('contract', id, [{ step: 600, value: 2 }]), StateError);
    assert.throws(() => s.fail('contract', id, 'x'), StateError);
    assert.equal(observe(s, 'contract'), before);
  });

  it(`${label}: a rejected call leaves the study unchanged (bad value, unknown trial, wrong owner, a proposer that throws)`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const [t] = s.ask('contract', 1, 'w1', proposer({ n: 0 }));
    const id = (t as { id: number }).id;
    s.tell('contract', id, [{ step: 100, value: 3 }], 'w1');
    const before = observe(s, 'contract');
    assert.throws(
      () =>
        s.tell('contract', id, [
          { step: 200, value: 2 },
          { step: 300, value: Number.NaN },
        ]),
      ValidationError,
    );
    assert.throws(() => s.tell('contract', 99, [{ step: 200, value: 2 }]), NotFoundError);
    assert.throws(
      () => s.tell('contract', id, [{ step: 200, value: 2 }], 'w2'),
      (err: unknown) => err instanceof StateError && err.details?.refused === 'w2',
    );
    assert.throws(
      () =>
        s.ask('contract', 1, 'w1', () => {
          throw new Error('proposer bug');
        }),
      /proposer bug/,
    );
    assert.equal(observe(s, 'contract'), before);
  });

  it(`${label}: stop keeps a trial's points: completed at its last step and charged up to it, or failed with none`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const [a, b] = s.ask('contract', 2, 'w1', proposer({ n: 0 }));
    const ida = (a as { id: number }).id;
    const idb = (b as { id: number }).id;
    s.tell(
      'contract',
      ida,
      [
        { step: 200, value: 3 },
        { step: 400, value: 2.8 },
      ],
      'w1',
    );
    assert.throws(() => s.stop('contract', ida, 'w2'), StateError);
    const t = s.stop('contract', ida, 'w1');
    assert.deepEqual([t.state, t.steps, t.cost], ['completed', 400, 4]); // 10 * 400/1000
    assert.match(t.error ?? '', /stopped early by the optimiser at step 400 of 1000/);
    const f = s.stop('contract', idb, 'w1');
    assert.deepEqual([f.state, f.cost], ['failed', 0]);
    assert.throws(() => s.stop('contract', ida, 'w1'), StateError);
  });

  it(`${label}: a stop given the trained fraction is charged cost · trained, with or without a reported step`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const [a, b] = s.ask('contract', 2, 'w1', proposer({ n: 0 }));
    const ida = (a as { id: number }).id;
    const idb = (b as { id: number }).id;
    s.tell('contract', ida, [{ step: 200, value: 3 }], 'w1');
    const t = s.stop('contract', ida, 'w1', { trained: 0.25 });
    assert.deepEqual([t.state, t.steps, t.cost], ['completed', 200, 2.5]); // 10 * 0.25, not 10 * 200/1000
    const f = s.stop('contract', idb, 'w1', { trained: 0.05 });
    assert.deepEqual([f.state, f.steps, f.cost], ['failed', 1000, 0.5]);
    const [c] = s.ask('contract', 1, 'w1', proposer({ n: 0 }));
    const before = observe(s, 'contract');
    assert.throws(
      () => s.stop('contract', (c as { id: number }).id, 'w1', { trained: 1.5 }),
      (e: unknown) =>
        e instanceof ValidationError && /trained .* in \[0, 1\], got 1\.5/.test(e.message),
    );
    assert.equal(observe(s, 'contract'), before);
  });

  it(`${label}: a trial that fails for good is charged what the driver says it used`, () => {
    const s = factory.make(now);
    s.createStudy(config({ trials: { leaseSeconds: 60, maxAttempts: 1 } }));
    const [a, b] = s.ask('contract', 2, 'w1', proposer({ n: 0 }));
    const f = s.fail('contract', (a as { id: number }).id, 'never started', 'w1', { charged: 0 });
    assert.deepEqual([f.state, f.cost], ['failed', 0]);
    const before = observe(s, 'contract');
    assert.throws(
      () => s.fail('contract', (b as { id: number }).id, 'x', 'w1', { charged: -1 }),
      (e: unknown) => e instanceof ValidationError && /charged .* got -1/.test(e.message),
    );
    assert.equal(observe(s, 'contract'), before);
    assert.equal(
      s.fail('contract', (b as { id: number }).id, 'oom', 'w1').cost,
      10,
      'by default the cost stays',
    );
  });

  it(`${label}: a failed attempt is retried until maxAttempts; release does not count an attempt`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const calls = { n: 0 };
    const [t] = s.ask('contract', 1, 'w1', proposer(calls));
    const id = (t as { id: number }).id;
    assert.equal(s.fail('contract', id, 'oom', 'w1').state, 'pending');
    const [again] = s.ask('contract', 1, 'w1', proposer(calls));
    assert.deepEqual([again?.id, again?.attempts, calls.n], [id, 2, 1], 'a retry, not a proposal');
    const released = s.release('contract', id, 'interrupted');
    assert.equal(released.state, 'pending');
    const [third] = s.ask('contract', 1, 'w1', proposer(calls));
    assert.equal(third?.attempts, 2);
    const failed = s.fail('contract', id, 'oom again', 'w1');
    assert.equal(failed.state, 'failed');
    assert.match(failed.error as string, /^oom again/);
  });

  it(`${label}: a lease expires without heartbeats; a job handle is stored as JSON; adopt moves a trial`, () => {
    const s = factory.make(now);
    s.createStudy(config());
    const [t] = s.ask('contract', 1, 'w1', proposer({ n: 0 }));
    const id = (t as { id: number }).id;
    const job: JobHandle = { executor: 'local', jobId: '42', meta: { dir: '/tmp/x', n: [1, 2] } };
    assert.deepEqual(s.setJob('contract', id, job).job, job);
    clock.t += 50_000;
    s.heartbeat('contract', id, 'w1');
    clock.t += 50_000;
    assert.equal(s.expire('contract'), 0, 'the heartbeat renewed the lease');
    clock.t += 61_000;
    assert.equal(s.expire('contract'), 1);
    assert.equal(s.trial('contract', id).state, 'stale');
    assert.equal(s.adopt('contract', id, 'w1', 'w2'), true);
    assert.equal(s.trial('contract', id).owner, 'w2');
    assert.equal(s.adopt('contract', id, 'w1', 'w3'), false, 'only from the current owner');
  });

  if (factory.reopen !== undefined) {
    const reopen = factory.reopen;
    it(`${label}: what a call accepted is there when the storage is opened again`, () => {
      const s = factory.make(now);
      s.createStudy(config());
      const [t] = s.ask('contract', 1, 'w1', proposer({ n: 0 }));
      s.tell('contract', (t as { id: number }).id, [{ step: 1000, value: 2 }], 'w1', {
        final: true,
      });
      const before = observe(s, 'contract');
      s.close();
      const again = reopen(s, now);
      assert.equal(observe(again, 'contract'), before);
      again.close();
    });
  }
}
