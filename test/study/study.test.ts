// The Study class (src/study/study.ts): creating and opening, the default lease owner, trials as
// they stand now, and the optimiser's stop decisions.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  NotFoundError,
  type Optimizer,
  type StudyConfigInput,
  ValidationError,
} from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { SqliteStudyStore } from '../../src/study/store.ts';
import { defaultOwner, Study } from '../../src/study/study.ts';
import { smallConfig as small, tempDb, tempDir } from './helpers.ts';

const smallConfig = (over: Record<string, unknown> = {}) => small(over) as StudyConfigInput;

describe('Study', () => {
  it('create(config, { db }) then open(db): the only study, its config with defaults applied', () => {
    const db = tempDb();
    const created = Study.create(smallConfig(), { db });
    assert.equal(created.name, 'small');
    const opened = Study.open(db);
    assert.equal(opened.name, 'small');
    assert.deepEqual(opened.config, created.config);
    assert.equal(opened.config.optimizer.method, 'random');
  });

  it('create without db, with an unknown optimiser, and open of a missing file are named errors', () => {
    assert.throws(
      () => Study.create(smallConfig(), {} as never),
      (e: unknown) =>
        e instanceof ValidationError &&
        /Study\.create\(config, \{ db \}\) needs db/.test(e.message),
    );
    const db = tempDb();
    assert.throws(
      () => Study.create(smallConfig({ optimizer: { method: 'nope' } }), { db }),
      (e: unknown) => e instanceof NotFoundError && /nope/.test(e.message),
    );
    // The optimiser is built before the study is stored: nothing was created.
    assert.throws(() => Study.open(db), NotFoundError);
    const missing = join(tempDir(), 'missing.db');
    assert.throws(() => Study.open(missing));
    assert.equal(existsSync(missing), false);
  });

  it('ask holds the lease as host:pid unless an owner is given', () => {
    const study = Study.create(smallConfig(), { db: tempDb() });
    assert.equal(defaultOwner(), `${hostname()}:${process.pid}`);
    const [a] = study.ask();
    assert.equal(a?.owner, defaultOwner());
    const [b] = study.ask(1, { owner: 'worker-7' });
    assert.equal(b?.owner, 'worker-7');
  });

  it('trialsNow: a running trial past its lease shows as stale (failed when out of attempts); trials() is unchanged', () => {
    let now = 1_000_000;
    const store = SqliteStudyStore.open(tempDb(), { clock: () => now });
    const study = Study.create(smallConfig({ trials: { leaseSeconds: 10, maxAttempts: 2 } }), {
      db: store,
    });
    const [t] = study.ask();
    assert.equal(t?.leaseExpires, now + 10_000);
    now += 9_000;
    assert.equal(study.trialsNow()[0]?.state, 'running');
    now += 2_000;
    assert.equal(study.trialsNow()[0]?.state, 'stale');
    assert.equal(study.trials()[0]?.state, 'running');
    const once = SqliteStudyStore.open(tempDb(), { clock: () => now });
    const last = Study.create(smallConfig({ trials: { leaseSeconds: 10, maxAttempts: 1 } }), {
      db: once,
    });
    last.ask();
    now += 11_000;
    assert.equal(last.trialsNow()[0]?.state, 'failed');
  });

  it('stops: [] without a stop rule; a stop of a trial that is not running is refused by name', () => {
    const db = tempDb();
    const plain = Study.create(smallConfig(), { db });
    plain.ask();
    assert.deepEqual(plain.stops(), []);
    // The same study through an optimiser that also asks to stop trial 99.
    const stopping = Study.open(db, 'small', {
      optimizer: (method, ctx): Optimizer => ({
        ...createOptimizer(method, ctx),
        stop: () => ['99'],
      }),
    });
    assert.throws(
      () => stopping.stops(),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message.startsWith("optimiser 'random' asked to stop trial 99, which is not running"),
    );
    const fine = Study.open(db, 'small', {
      optimizer: (method, ctx): Optimizer => ({
        ...createOptimizer(method, ctx),
        stop: () => ['1'],
      }),
    });
    assert.deepEqual(fine.stops(), [1]);
  });
});
