/**
 * Faults around leases: a worker whose lease expired reporting late, and
 * lease lengths that cannot be honoured.
 *
 * Invariants: a stale owner's report is refused and the study unchanged; a
 * lease out of bounds is refused before anything is written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseStudyConfig,
  SqliteStudyStore,
  StateError,
  Study,
  ValidationError,
} from '../../src/index.ts';
import { cli } from '../cli/study-helpers.ts';
import { smallConfig, tempDb } from '../study/helpers.ts';

function open(clock: () => number) {
  const path = tempDb();
  const store = SqliteStudyStore.open(path, { clock });
  const study = Study.create(
    store,
    parseStudyConfig(smallConfig({ trials: { leaseSeconds: 10, maxAttempts: 3 } })),
  );
  return { path, study };
}

const snapshot = (s: Study) => JSON.stringify({ trials: s.trials(), points: s.points() });

describe('faults: leases', () => {
  it('a worker whose lease expired cannot take back a trial handed out again: tell, heartbeat, final and failed are refused', () => {
    let now = 1_000_000;
    const { study } = open(() => now);
    const [t] = study.ask(1, { owner: 'A' });
    study.tell(t!.id, { step: 100, value: 3 }, 'A');
    now += 11_000; // A's lease expires; B gets the trial as attempt 2
    const [b] = study.ask(1, { owner: 'B' });
    assert.deepEqual([b!.id, b!.attempts, b!.owner], [t!.id, 2, 'B']);
    const before = snapshot(study);
    const refused = (e: unknown) =>
      e instanceof StateError &&
      /trial 1 of study 'small': it is now held by 'B' \(attempt 2\), not by 'A'/.test(
        (e as Error).message,
      );
    assert.throws(() => study.tell(t!.id, { step: 200, value: 2 }, 'A'), refused);
    assert.throws(() => study.heartbeat(t!.id, 'A'), refused);
    assert.throws(() => study.finish(t!.id, 'A'), refused);
    assert.throws(() => study.fail(t!.id, 'A gave up', 'A'), refused);
    assert.equal(snapshot(study), before, 'the study is unchanged');
    // B's reports are accepted.
    study.tell(t!.id, { step: 200, value: 2 }, 'B');
    assert.equal(study.finish(t!.id, 'B').state, 'completed');
  });

  it('the CLI refuses a stale owner with the attempt and owner that hold the trial (exit 1)', async () => {
    const path = tempDb();
    const store = SqliteStudyStore.open(path);
    Study.create(store, parseStudyConfig(smallConfig()));
    store.close();
    const db = ['--db', path];
    assert.equal((await cli('ask', ...db, '--owner', 'A', '--lease', '1')).code, 0);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await cli('ask', ...db, '--owner', 'B')).code, 0);
    const r = await cli('tell', ...db, ...'--trial 1 --step 100 --value 3 --owner A'.split(' '));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /now held by 'B' \(attempt 2\), not by 'A'/);
    const s = new Study(SqliteStudyStore.open(path), undefined);
    assert.equal(s.points().length, 0);
    assert.equal(s.trial(1).owner, 'B');
  });

  it('status shows an expired lease as stale without writing it', async () => {
    const path = tempDb();
    const store = SqliteStudyStore.open(path);
    const study = Study.create(store, parseStudyConfig(smallConfig()));
    study.ask(1, { owner: 'A', leaseSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    const r = await cli('status', '--db', path, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { counts: { stale: number }; trials: { state: string }[] };
    assert.equal(s.counts.stale, 1);
    assert.equal(s.trials[0]?.state, 'stale');
    assert.equal(study.trial(1).state, 'running', 'the database still says running');
  });

  for (const lease of ['1e300', '0', '-5', '0.5', String(366 * 86400)]) {
    it(`--lease ${lease} is refused before any write (exit 2)`, async () => {
      const path = tempDb();
      const store = SqliteStudyStore.open(path);
      const study = Study.create(store, parseStudyConfig(smallConfig()));
      const r = await cli('ask', '--db', path, '--lease', lease);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`--lease must be .*between 1 and 31536000.*got '${lease}'`),
      );
      assert.equal(study.trials().length, 0, 'no trial was reserved');
      assert.throws(
        () => study.ask(1, { leaseSeconds: Number(lease) }),
        (e: unknown) => e instanceof ValidationError && /lease/.test((e as Error).message),
      );
      assert.equal(study.trials().length, 0);
    });
  }

  it('trials.leaseSeconds out of bounds is a config error', () => {
    for (const leaseSeconds of [1e300, 0.5]) {
      assert.throws(
        () => parseStudyConfig(smallConfig({ trials: { leaseSeconds, maxAttempts: 3 } })),
        /trials.leaseSeconds/,
      );
    }
  });
});
