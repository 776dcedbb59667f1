/**
 * Schema migrations of the study database. The schema version lives in
 * SQLite's `user_version` pragma; migration `i` takes the database from
 * version `i` to `i + 1`. Never edit a released migration: append one.
 */
import type Database from 'better-sqlite3';
import { StateError } from '../core/index.ts';

const MIGRATIONS: readonly string[] = [
  // 0 -> 1: studies, trials, curve points.
  `
  CREATE TABLE studies (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    config           TEXT NOT NULL,           -- validated StudyConfig, JSON
    optimizer_state  TEXT,                    -- Optimizer.saveState() after the last ask, JSON
    asks             INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
  );
  CREATE TABLE trials (
    study_id       INTEGER NOT NULL REFERENCES studies(id),
    id             INTEGER NOT NULL,          -- 1, 2, ... within the study
    mixture        TEXT NOT NULL,             -- JSON array of weights
    scale          TEXT NOT NULL,
    steps          INTEGER NOT NULL,
    parent         INTEGER,                   -- trial continued by this one
    state          TEXT NOT NULL CHECK (state IN ('pending','running','completed','failed','stale')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    cost           REAL NOT NULL,
    lease_expires  INTEGER,
    owner          TEXT,
    job            TEXT,                      -- executor JobHandle, JSON
    error          TEXT,
    created_at     INTEGER NOT NULL,
    started_at     INTEGER,
    finished_at    INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (study_id, id)
  );
  CREATE INDEX trials_state ON trials(study_id, state);
  CREATE TABLE points (
    study_id     INTEGER NOT NULL,
    trial_id     INTEGER NOT NULL,
    metric       TEXT NOT NULL,
    step         INTEGER NOT NULL,
    value        REAL NOT NULL,
    reported_at  INTEGER NOT NULL,
    PRIMARY KEY (study_id, trial_id, metric, step),
    FOREIGN KEY (study_id, trial_id) REFERENCES trials(study_id, id)
  );
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to {@link SCHEMA_VERSION}, one transaction per migration.
 * @throws StateError when the database was written by a newer mixopt.
 */
export function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StateError(
      `study database '${path}' has schema version ${current}, newer than this mixopt understands (${SCHEMA_VERSION}); upgrade mixopt`,
      { path, version: current },
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = db.transaction(() => {
      // Re-check inside the write lock: another process may have migrated meanwhile.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now !== v) return;
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    });
    step.immediate();
  }
}
