import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  DataError,
  NotFoundError,
  parseStudyConfig,
  SCHEMA_VERSION,
  SqliteStudyStore,
  StateError,
  Study,
  ValidationError,
} from '../internals.ts';
import { smallConfig, tempDb } from './helpers.ts';

function open(clock?: () => number, over: Record<string, unknown> = {}) {
  const path = tempDb();
  const store = SqliteStudyStore.open(path, clock ? { clock } : {});
  const study = Study.create(store, parseStudyConfig(smallConfig(over)));
  return { path, store, study };
}

/** Everything observable about a study, for "unchanged" checks. */
function snapshot(study: Study): string {
  return JSON.stringify({ trials: study.trials(), points: study.points() });
}

describe('study store: state machine', () => {
  it('ask -> tell -> final: running then completed, points stored, cost charged', () => {
    const { study } = open();
    const [t] = study.ask(1, { owner: 'w1' });
    assert.ok(t);
    assert.equal(t.state, 'running');
    assert.equal(t.attempts, 1);
    assert.equal(t.owner, 'w1');
    assert.equal(t.cost, 10); // 1B for 1000 steps = 10 units of 100 target steps
    study.tell(t.id, { step: 500, value: 3.1 });
    study.tell(t.id, { step: 1000, value: 2.9 });
    study.tell(t.id, { step: 500, value: 3.0 }); // a repeated step overwrites
    assert.deepEqual(
      study.points(t.id).map((p) => [p.step, p.value]),
      [
        [500, 3.0],
        [1000, 2.9],
      ],
    );
    assert.equal(study.status().spent, 0);
    const done = study.finish(t.id);
    assert.equal(done.state, 'completed');
    const st = study.status();
    assert.equal(st.counts.completed, 1);
    assert.equal(st.spent, 10);
    assert.deepEqual(st.bestAtTarget?.value, 2.9);
  });

  it('final before any value is refused', () => {
    const { study } = open();
    const [t] = study.ask(1);
    assert.throws(() => study.finish(t!.id), /reported no value of loss/);
    assert.equal(study.trial(t!.id).state, 'running');
  });

  it('rejects bad tells and leaves the study unchanged', () => {
    const { study } = open();
    const [t] = study.ask(1);
    study.tell(t!.id, { step: 100, value: 3 });
    const before = snapshot(study);
    const bad: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [
        () => study.tell(t!.id, { step: 200, value: Number.NaN }),
        ValidationError,
        /NaN at step 200 is not a finite number/,
      ],
      [
        () => study.tell(t!.id, { step: 200, value: Number.POSITIVE_INFINITY }),
        ValidationError,
        /Infinity/,
      ],
      [
        () => study.tell(t!.id, { step: 1001, value: 2 }),
        ValidationError,
        /step 1001 is outside trial 1's length; accepted: an integer in 1..1000/,
      ],
      [() => study.tell(t!.id, { step: 0, value: 2 }), ValidationError, /step 0/],
      [
        () => study.tell(t!.id, { step: 200, value: 2, metric: 'acc' }),
        ValidationError,
        /metric 'acc' is not reported.*accepted: loss/,
      ],
      [
        () => study.tell(99, { step: 200, value: 2 }),
        NotFoundError,
        /has no trial 99 \(its trials are 1..1\)/,
      ],
      // A batch with one bad point stores none of it.
      [
        () =>
          study.tell(t!.id, [
            { step: 300, value: 2 },
            { step: 400, value: Number.NaN },
          ]),
        ValidationError,
        /NaN/,
      ],
    ];
    for (const [fn, cls, re] of bad) {
      assert.throws(fn, (e: unknown) => e instanceof cls && re.test((e as Error).message));
      assert.equal(snapshot(study), before);
    }
    study.finish(t!.id);
    const done = snapshot(study);
    assert.throws(() => study.tell(t!.id, { step: 200, value: 2 }), StateError);
    assert.throws(() => study.fail(t!.id, 'x'), /it is completed/);
    assert.throws(() => study.heartbeat(t!.id), StateError);
    assert.equal(snapshot(study), done);
  });

  it('a failed attempt is retried until maxAttempts, then failed for good', () => {
    const { study } = open(undefined, { trials: { leaseSeconds: 60, maxAttempts: 2 } });
    const [t] = study.ask(1);
    const f1 = study.fail(t!.id, 'OOM on node 3');
    assert.equal(f1.state, 'pending');
    assert.match(f1.error ?? '', /OOM on node 3 \(attempt 1 of 2; will be retried\)/);
    assert.throws(() => study.tell(t!.id, { step: 100, value: 1 }), /it is pending/);
    // The next ask hands out the same configuration again before proposing anything new.
    const [again, fresh] = study.ask(2);
    assert.equal(again!.id, t!.id);
    assert.equal(again!.attempts, 2);
    assert.deepEqual(again!.mixture, t!.mixture);
    assert.equal(fresh!.id, 2);
    const f2 = study.fail(t!.id, 'OOM again');
    assert.equal(f2.state, 'failed');
    assert.match(f2.error ?? '', /attempt 2 of 2; not retried/);
    const [next] = study.ask(1);
    assert.equal(next!.id, 3, 'a configuration out of attempts is not handed out again');
  });

  it('lease expiry -> stale -> re-proposed with attempts counted; heartbeat keeps a lease', () => {
    let now = 1_000_000;
    const { study } = open(() => now, { trials: { leaseSeconds: 10, maxAttempts: 2 } });
    const [a, b] = study.ask(2, { owner: 'w1' });
    now += 6_000;
    study.heartbeat(b!.id, 'w1'); // b's lease now ends at +16 s
    now += 6_000; // a's lease (ended at +10 s) has expired
    assert.equal(study.store.expire(study.name), 1);
    assert.equal(study.trial(a!.id).state, 'stale');
    assert.equal(study.trial(b!.id).state, 'running');
    const [re] = study.ask(1, { owner: 'w2' });
    assert.equal(re!.id, a!.id);
    assert.equal(re!.attempts, 2);
    assert.equal(re!.owner, 'w2');
    // Out of attempts: the second expiry fails it for good.
    now += 11_000;
    study.store.expire(study.name);
    assert.equal(study.trial(a!.id).state, 'failed');
    assert.match(study.trial(a!.id).error ?? '', /lease expired on attempt 2 of 2; not retried/);
    // b went stale too; a late report from its worker brings it back.
    assert.equal(study.trial(b!.id).state, 'stale');
    study.tell(b!.id, { step: 1000, value: 2.5 }, 'w1');
    assert.equal(study.trial(b!.id).state, 'running');
    assert.equal(study.finish(b!.id).state, 'completed');
  });

  it('release gives a trial back without counting the attempt', () => {
    const { study } = open();
    const [t] = study.ask(1);
    const r = study.release(t!.id, 'cancelled by user');
    assert.equal(r.state, 'pending');
    assert.equal(r.attempts, 0);
    const [again] = study.ask(1);
    assert.equal(again!.id, t!.id);
    assert.equal(again!.attempts, 1);
  });

  it('resolves the only study, and names them when there are several', () => {
    const { store } = open();
    assert.equal(new Study(store, undefined).name, 'small');
    Study.create(store, parseStudyConfig(smallConfig({ name: 'other' })));
    assert.throws(
      () => new Study(store, undefined),
      /holds 2 studies \(small, other\); choose one with --study/,
    );
    assert.throws(() => new Study(store, 'nope'), NotFoundError);
    assert.throws(() => Study.create(store, parseStudyConfig(smallConfig())), /already exists/);
  });

  it('versions its schema with user_version; refuses a database from a newer mixopt', () => {
    const { path, store } = open();
    store.close();
    const raw = new Database(path);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    const again = SqliteStudyStore.open(path);
    assert.deepEqual(again.studyNames(), ['small']);
    again.close();
    const newer = new Database(path);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    assert.throws(
      () => SqliteStudyStore.open(path),
      (e: unknown) =>
        e instanceof StateError && /newer than this mixopt understands/.test((e as Error).message),
    );
  });

  it('reads a stored config through the schema: defaults of newer fields, a bad one a DataError', () => {
    const { path, store } = open();
    store.close();
    // A study written before trials.maxConsecutiveFailures existed.
    const raw = new Database(path);
    const row = raw.prepare('SELECT config FROM studies').get() as { config: string };
    const old = JSON.parse(row.config) as { trials: Record<string, unknown> };
    delete old.trials.maxConsecutiveFailures;
    raw.prepare('UPDATE studies SET config = ?').run(JSON.stringify(old));
    raw.close();
    const again = SqliteStudyStore.open(path);
    assert.equal(again.config('small').trials.maxConsecutiveFailures, 5);
    assert.equal(again.config('small').trials.maxAttempts, 3);
    again.close();
    const bad = new Database(path);
    bad.prepare('UPDATE studies SET config = ?').run(JSON.stringify({ ...old, seed: -1 }));
    bad.close();
    const broken = SqliteStudyStore.open(path);
    assert.throws(
      () => broken.config('small'),
      (e: unknown) =>
        e instanceof DataError &&
        /study 'small': the config stored in the database is not one this mixopt accepts \(seed: seed must be a non-negative integer\)/.test(
          (e as Error).message,
        ),
    );
    broken.close();
  });

  it('the optimiser state is saved with each ask and handed back to the next', () => {
    const { study } = open();
    const seen: unknown[] = [];
    let calls = 0;
    const counting = new Study(study.store, study.name, {
      optimizer: (_m, ctx) => ({
        name: 'counting',
        propose: (h, n) =>
          Array.from({ length: n }, () => ({
            mixture: [1, 0, 0],
            scale: ctx.space.target.scale,
            steps: ctx.space.target.steps,
          })).map((p, i) => ({ ...p, steps: 100 + 100 * ((h.runs.length + i) % 9) })),
        recommend: () => undefined,
        loadState: (s) => seen.push(s),
        saveState: () => ({ calls: ++calls }),
      }),
    });
    counting.ask(2);
    counting.ask(1);
    assert.deepEqual(seen, [{ calls: 1 }]);
    assert.deepEqual(study.store.optimizerState(study.name), { calls: 2 });
    assert.deepEqual(
      counting.trials().map((t) => t.steps),
      [100, 200, 300],
    );
  });

  it("a continuation is charged only its extra steps and sees its parent's curve", () => {
    const { study } = open();
    const cont = new Study(study.store, study.name, {
      optimizer: () => ({
        name: 'continuing',
        propose: (h) =>
          h.runs.length === 0
            ? [{ mixture: [0.5, 0.5, 0], scale: '1B', steps: 300 }]
            : [{ mixture: [0.5, 0.5, 0], scale: '1B', steps: 1000, continues: '1' }],
        recommend: () => undefined,
      }),
    });
    const [a] = cont.ask(1);
    cont.tell(a!.id, [
      { step: 100, value: 4 },
      { step: 300, value: 3.5 },
    ]);
    cont.finish(a!.id);
    const [b] = cont.ask(1);
    assert.equal(b!.parent, 1);
    assert.equal(b!.cost, 7); // (1000 - 300) steps of the target = 7 units
    cont.tell(b!.id, { step: 1000, value: 3 });
    const h = cont.history();
    assert.deepEqual(
      h.runs[1]!.curve.map((p) => p.step),
      [100, 300, 1000],
    );
    assert.equal(h.runs[1]!.parent, '1');
    assert.equal(cont.trialSpec(b!).continues?.steps, 300);
  });

  it('a file that is not a study database is a DataError; a held write lock a StateError', () => {
    const dir = tempDb().replace(/study\.db$/, '');
    const junk = `${dir}junk.db`;
    writeFileSync(junk, 'this is not sqlite, just text that is long enough to have a header page');
    assert.throws(
      () => SqliteStudyStore.open(junk),
      (e: unknown) =>
        e instanceof DataError && /not a usable study database/.test((e as Error).message),
    );
    const { path, study } = open();
    const other = SqliteStudyStore.open(path, { busyTimeoutMs: 50 });
    const lock = new Database(path);
    lock.exec('BEGIN IMMEDIATE');
    try {
      const s2 = new Study(other, study.name);
      assert.throws(
        () => s2.ask(1),
        /stayed locked by another process for 0.05 s; nothing was changed/,
      );
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    assert.equal(study.trials().length, 0);
  });
});

describe('study store: early stop', () => {
  it('stops a running trial at its last reported step, charged up to it; with no step, failed and charged nothing', () => {
    const { study } = open();
    const [a, b] = study.ask(2, { owner: 'w1' });
    assert.ok(a && b);
    assert.equal(a.cost, 10); // 1B for 1000 steps
    study.tell(a.id, [
      { step: 100, value: 3.5 },
      { step: 300, value: 3.2 },
    ]);
    const s = study.stop(a.id, 'w1');
    assert.equal(s.state, 'completed');
    assert.equal(s.steps, 300);
    assert.equal(s.cost, 3); // 10 * 300/1000
    assert.equal(s.error, 'stopped early by the optimiser at step 300 of 1000');
    const f = study.stop(b.id, 'w1');
    assert.equal(f.state, 'failed');
    assert.equal(f.cost, 0);
    assert.equal(study.status().spent, 3);
    // The history shows the stopped run as a completed run of 300 steps.
    const run = study.history().runs.find((r) => r.id === String(a.id));
    assert.deepEqual([run?.state, run?.steps, run?.cost], ['completed', 300, 3]);
    // A stopped trial is final; only its holder may stop it.
    assert.throws(() => study.stop(a.id, 'w1'), StateError);
    const [c] = study.ask(1, { owner: 'w1' });
    assert.throws(() => study.stop(c?.id as number, 'w2'), /held by 'w1'/);
  });

  it('refuses a stop decision that names a trial that is not running', () => {
    const path = tempDb();
    const store = SqliteStudyStore.open(path);
    const study = Study.create(store, parseStudyConfig(smallConfig()), {
      optimizer: () => ({
        name: 'stops-everything',
        propose: () => [{ mixture: [0.2, 0.3, 0.5], scale: '20M', steps: 500 }],
        recommend: () => undefined,
        stop: () => ['99'],
      }),
    });
    assert.deepEqual(study.stops(), []); // nothing running: not asked
    study.ask(1, { owner: 'w1' });
    assert.throws(
      () => study.stops(),
      (e: unknown) =>
        e instanceof ValidationError && /stop trial 99, which is not running/.test(e.message),
    );
  });
});
