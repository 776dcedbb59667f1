import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StateError } from '../../src/core/index.ts';
import { migrate, SCHEMA_VERSION } from '../../src/study/index.ts';

const version = (db: Database.Database): number =>
  db.pragma('user_version', { simple: true }) as number;
const tables = (db: Database.Database): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('study database migrations', () => {
  it('bring an empty database to the current schema version, once', () => {
    const db = new Database(':memory:');
    assert.equal(version(db), 0);
    migrate(db, 'mem.db');
    assert.equal(SCHEMA_VERSION, 1);
    assert.equal(version(db), SCHEMA_VERSION);
    assert.deepEqual(tables(db), ['points', 'studies', 'trials']);
    migrate(db, 'mem.db'); // already current: nothing runs again (a second CREATE TABLE would throw)
    assert.equal(version(db), SCHEMA_VERSION);
    db.close();
  });

  it('the schema enforces the trial states and the unique study name', () => {
    const db = new Database(':memory:');
    migrate(db, 'mem.db');
    db.prepare("INSERT INTO studies (id, name, config, created_at) VALUES (1, 's', '{}', 0)").run();
    assert.throws(
      () =>
        db
          .prepare("INSERT INTO studies (id, name, config, created_at) VALUES (2, 's', '{}', 0)")
          .run(),
      /UNIQUE constraint failed: studies\.name/,
    );
    const trial = db.prepare(
      "INSERT INTO trials (study_id, id, mixture, scale, steps, state, cost, created_at, updated_at) VALUES (1, ?, '[1]', '1B', 100, ?, 0, 0, 0)",
    );
    for (const [i, s] of ['pending', 'running', 'completed', 'failed', 'stale'].entries())
      trial.run(i + 1, s);
    assert.throws(() => trial.run(9, 'done'), /CHECK constraint failed/);
    db.close();
  });

  it('refuses a database written by a newer mixopt, naming the path and both versions', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    assert.throws(
      () => migrate(db, '/data/study.db'),
      (e: unknown) =>
        e instanceof StateError &&
        e.message ===
          `study database '/data/study.db' has schema version ${SCHEMA_VERSION + 1}, newer than this mixopt understands (${SCHEMA_VERSION}); upgrade mixopt`,
    );
    assert.deepEqual(tables(db), []);
    db.close();
  });
});
