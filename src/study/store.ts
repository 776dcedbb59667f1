/**
 * The SQLite study store (better-sqlite3): one file, many studies, many
 * processes.
 *
 * Durability and concurrency: WAL journal, `synchronous = FULL`, a busy
 * timeout, and one transaction per state change. Every write runs as
 * `BEGIN IMMEDIATE`, so the read-check-write of a state change happens under
 * the database's write lock: two processes can never both hand out the same
 * trial, and a rejected call leaves the database untouched.
 *
 * The state machine (see `core/study-types.ts`) is enforced here; the
 * transitions themselves are listed in `trial-states.ts`, and the rules it
 * shares with the in-memory store (accepted points, failed attempts, stops,
 * expired leases) in `store-rules.ts`.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AskSnapshot,
  FailOptions,
  JobHandle,
  Mixture,
  PointInput,
  ProposeResult,
  StopOptions,
  StoredPoint,
  StudyConfig,
  StudyStore,
  TrialRecord,
  TrialState,
} from '../core/index.ts';
import {
  checkLeaseSeconds,
  crashPoint,
  DataError,
  MixoptError,
  NotFoundError,
  StateError,
  StudyConfigSchema,
} from '../core/index.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';
import {
  checkAskCount,
  checkComplete,
  checkFail,
  checkHolder,
  checkTrialId,
  cleanPoints,
  failOutcome,
  noSuchTrial,
  reportableMetrics,
  resolveStudyName,
  stopOutcome,
  studyExists,
} from './store-rules.ts';
import { checkTransition } from './trial-states.ts';

/**
 * How a database is opened:
 * - `create` (default): a missing or empty file becomes a study database;
 * - `write`: an existing study database, for reports and asks (an empty
 *   file is left empty: it holds no study);
 * - `read`: read-only (`status`, `export`, `recommend`, `report`); works on a
 *   read-only filesystem, and never changes the file.
 *
 * In every mode a file that is not a mixopt study database (another
 * program's SQLite file, or not SQLite at all) is refused before anything is
 * written to it.
 */
export type StoreMode = 'create' | 'write' | 'read';

/** Options of {@link SqliteStudyStore.open}. */
export interface StoreOptions {
  /** Default `create`. */
  readonly mode?: StoreMode;
  /** Milliseconds since the epoch (injectable for lease tests). */
  readonly clock?: () => number;
  /** How long a writer waits for the lock before failing, in ms (default 60 s). */
  readonly busyTimeoutMs?: number;
}

interface TrialRow {
  study_id: number;
  id: number;
  mixture: string;
  scale: string;
  steps: number;
  parent: number | null;
  state: TrialState;
  attempts: number;
  cost: number;
  lease_expires: number | null;
  owner: string | null;
  job: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

function toTrial(r: TrialRow): TrialRecord {
  return {
    id: r.id,
    mixture: JSON.parse(r.mixture) as Mixture,
    scale: r.scale,
    steps: r.steps,
    state: r.state,
    attempts: r.attempts,
    cost: r.cost,
    ...(r.parent !== null ? { parent: r.parent } : {}),
    ...(r.lease_expires !== null ? { leaseExpires: r.lease_expires } : {}),
    ...(r.owner !== null ? { owner: r.owner } : {}),
    ...(r.job !== null ? { job: JSON.parse(r.job) as JobHandle } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    createdAt: r.created_at,
    ...(r.started_at !== null ? { startedAt: r.started_at } : {}),
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    updatedAt: r.updated_at,
  };
}

/** Whether this process may write the file at `path` and create files beside it. */
function writable(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tables every study database has. */
const TABLES = ['studies', 'trials', 'points'];

/** Opens the SQLite connection for `mode` (no write to the file yet). */
function connect(path: string, mode: StoreMode): Database.Database {
  if (mode !== 'create' && !existsSync(path))
    throw new NotFoundError(
      `no study database at '${path}'; create one with 'mixopt study create study.yaml --db ${path}' (or Study.create(config, { db }))`,
      { path },
    );
  let db: Database.Database;
  try {
    if (mode === 'create') return new Database(path);
    if (mode === 'write') return new Database(path, { fileMustExist: true });
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    const e = storageError(err, path, 'opening it');
    if (e !== undefined && mode !== 'create') throw e;
    throw new DataError(
      `cannot open study database '${path}': ${(err as Error).message}; check the path and its permissions`,
      { path },
    );
  }
  try {
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    const code = String((err as { code?: unknown }).code ?? '');
    if (code !== 'SQLITE_CANTOPEN' && !/^SQLITE_(READONLY|IOERR)/.test(code))
      throw storageError(err, path, 'opening it') ?? err;
    return snapshot(path);
  }
}

/**
 * A read-only in-memory copy of the database file. A WAL-mode database on a
 * read-only filesystem cannot be opened in place (SQLite must create its
 * shared-memory index beside it); with no `-wal` file left, the main file
 * holds every committed transaction and can be read as a copy.
 */
function snapshot(path: string): Database.Database {
  let wal = 0;
  try {
    wal = statSync(`${path}-wal`).size;
  } catch {
    // no -wal file: the main file is complete
  }
  if (wal > 0)
    throw new DataError(
      `cannot read study database '${path}': it is on a read-only filesystem and its journal ('${path}-wal') still holds transactions; open it once where it is writable (any mixopt command merges the journal), or copy both files elsewhere; the files were left as they were`,
      { path },
    );
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new DataError(`cannot read study database '${path}': ${(err as Error).message}`, {
      path,
    });
  }
  // Header bytes 18-19 say "WAL": an in-memory copy has no journal, so mark it a rollback-journal file.
  if (buf.length >= 20 && buf[18] === 2 && buf[19] === 2) {
    buf[18] = 1;
    buf[19] = 1;
  }
  try {
    return new Database(buf, { readonly: true });
  } catch (err) {
    throw storageError(err, path, 'opening it') ?? err;
  }
}

/**
 * What the opened file is: an empty database, a study database (current,
 * older or newer schema).
 * @throws DataError for a file that is not a mixopt study database.
 */
function inspect(db: Database.Database, path: string): 'empty' | 'mixopt' | 'older' | 'newer' {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  ).map((r) => r.name);
  if (version === 0 && tables.length === 0) return 'empty';
  if (version === 0 || !TABLES.every((t) => tables.includes(t))) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', ...' : '');
    throw new DataError(
      `'${path}' is a SQLite database but not a mixopt study database (tables: ${shown || 'none'}; schema version ${version}); mixopt left it as it was. Pass the right --db, or a new path to create a study database`,
      { path, tables },
    );
  }
  if (version > SCHEMA_VERSION) return 'newer';
  return version < SCHEMA_VERSION ? 'older' : 'mixopt';
}

/**
 * The typed error for a SQLite storage failure (damaged file, full disk, I/O
 * error, read-only file), or undefined for any other error. SQLite rolls a
 * failed transaction back, so the file is left as it was.
 */
export function storageError(err: unknown, path: string, during: string): DataError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const what = `${code}: ${(err as Error).message}`;
  const details = { path, sqlite: code };
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new DataError(
      `'${path}' is not a usable study database: it is damaged or not SQLite (${what}, while ${during}); mixopt left the file as it was. Restore it from a backup, or check it with: sqlite3 '${path}' 'PRAGMA integrity_check'`,
      details,
    );
  if (code === 'SQLITE_FULL')
    return new DataError(
      `the disk holding study database '${path}' is full (${what}, while ${during}); the change was rolled back and the file left as it was. Free some space and run the command again`,
      details,
    );
  if (
    code.startsWith('SQLITE_READONLY') ||
    (/^SQLITE_(CANTOPEN|IOERR)/.test(code) && !writable(path))
  )
    return new DataError(
      `cannot write to study database '${path}' (${what}): the file or its folder is read-only; nothing was written. The reading commands (status, export, recommend, report) work on it as it is`,
      details,
    );
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN')
    return new DataError(
      `I/O error on study database '${path}' (${what}, while ${during}); the change was rolled back and the file left as it was. Check the disk (full, removed, a network filesystem that went away) and run the command again`,
      details,
    );
  return undefined;
}

/** Options of {@link SqliteStudyStore.tell}. */
export interface TellOptions {
  /** Also complete the trial, in the same transaction (all or nothing). */
  readonly final?: boolean;
}

/**
 * A study's stored config, read back through the schema: a study written by an
 * older mixopt gets the defaults of the fields added since (such as
 * `trials.maxConsecutiveFailures`), so every reader sees a whole StudyConfig.
 * @throws DataError when the stored text is not a config this mixopt accepts.
 */
function storedConfig(study: string, text: string): StudyConfig {
  let why: string;
  try {
    const r = StudyConfigSchema.safeParse(JSON.parse(text));
    if (r.success) return r.data;
    why = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  } catch (err) {
    why = `not JSON: ${(err as Error).message}`;
  }
  throw new DataError(
    `study '${study}': the config stored in the database is not one this mixopt accepts (${why}); open it with the mixopt version that created it, or recreate the study`,
    { study },
  );
}

/** A study database. Synchronous; safe to share a file between processes. */
export class SqliteStudyStore implements StudyStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly clock: () => number;

  private readonly busyMs: number;
  /** How the database was opened. */
  readonly mode: StoreMode;

  private constructor(
    path: string,
    db: Database.Database,
    clock: () => number,
    busyMs: number,
    mode: StoreMode,
  ) {
    this.path = path;
    this.db = db;
    this.clock = clock;
    this.busyMs = busyMs;
    this.mode = mode;
  }

  /**
   * Opens the database at `path` (see {@link StoreMode}); in `create` mode
   * creates and migrates it when needed.
   * @throws DataError for a file that is not a study database, is damaged or cannot be read;
   *   StateError for one written by a newer mixopt.
   */
  static open(path: string, options: StoreOptions = {}): SqliteStudyStore {
    const mode = options.mode ?? 'create';
    const busy = options.busyTimeoutMs ?? 60_000;
    const db = connect(path, mode);
    try {
      db.pragma(`busy_timeout = ${busy}`); // a setting of this connection, not of the file
      const kind = inspect(db, path);
      if (kind === 'newer')
        throw new StateError(
          `study database '${path}' has schema version ${db.pragma('user_version', { simple: true })}, newer than this mixopt understands (${SCHEMA_VERSION}); upgrade mixopt`,
          { path },
        );
      if (mode !== 'read' && (kind === 'mixopt' || mode === 'create')) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        migrate(db, path);
      } else if (kind === 'older')
        throw new StateError(
          `study database '${path}' has an older schema (version ${db.pragma('user_version', { simple: true })}); a writing command of this mixopt (e.g. mixopt ask) upgrades it`,
          { path },
        );
    } catch (err) {
      db.close();
      if (err instanceof MixoptError) throw err;
      throw storageError(err, path, 'opening it') ?? err;
    }
    return new SqliteStudyStore(path, db, options.clock ?? Date.now, busy, mode);
  }

  close(): void {
    this.db.close();
  }

  /** The current time by the store's clock (ms). */
  now(): number {
    return this.clock();
  }

  /**
   * Runs `fn` as one `BEGIN IMMEDIATE` transaction. A storage failure (full
   * disk, I/O error, damaged file, read-only file) rolls it back and becomes
   * a DataError.
   */
  private write<T>(fn: () => T): T {
    if (this.mode === 'read')
      throw new StateError(
        `study database '${this.path}' was opened read-only; nothing was changed`,
        { path: this.path },
      );
    if (!this.hasSchema())
      throw new NotFoundError(
        `database '${this.path}' holds no study; create one with 'mixopt study create study.yaml --db ${this.path}'`,
      );
    try {
      return this.db
        .transaction(() => {
          const out = fn();
          crashPoint('commit');
          return out;
        })
        .immediate();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new StateError(
          `study database '${this.path}' stayed locked by another process for ${this.busyMs / 1000} s; nothing was changed, try again`,
          { path: this.path },
        );
      }
      throw storageError(err, this.path, 'writing to it') ?? err;
    }
  }

  /** Runs the reads of `fn`; a storage failure (damaged file, I/O error) becomes a DataError. */
  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storageError(err, this.path, 'reading it') ?? err;
    }
  }

  /** Whether the mixopt tables exist (not so in an empty file opened without `create`). */
  private hasSchema(): boolean {
    return (this.db.pragma('user_version', { simple: true }) as number) > 0;
  }

  // ---- studies -------------------------------------------------------------

  /**
   * Creates a study from a validated config.
   * @throws StateError when a study of that name exists.
   */
  createStudy(config: StudyConfig): void {
    this.write(() => {
      const exists = this.db.prepare('SELECT 1 FROM studies WHERE name = ?').get(config.name);
      if (exists !== undefined) throw studyExists(config.name, this.path);
      this.db
        .prepare('INSERT INTO studies (name, config, created_at) VALUES (?, ?, ?)')
        .run(config.name, JSON.stringify(config), this.clock());
    });
  }

  /** Names of the studies in this database, in creation order. */
  studyNames(): string[] {
    return this.read(() =>
      this.hasSchema()
        ? (this.db.prepare('SELECT name FROM studies ORDER BY id').all() as { name: string }[]).map(
            (r) => r.name,
          )
        : [],
    );
  }

  /**
   * The study named `name`, or the only study when `name` is undefined.
   * @throws NotFoundError naming the studies that exist.
   */
  resolveStudy(name?: string): string {
    return resolveStudyName(this.studyNames(), name, this.path);
  }

  private studyRow(name: string): {
    id: number;
    config: string;
    optimizer_state: string | null;
    asks: number;
  } {
    const row = this.db
      .prepare('SELECT id, config, optimizer_state, asks FROM studies WHERE name = ?')
      .get(name) as
      | { id: number; config: string; optimizer_state: string | null; asks: number }
      | undefined;
    if (row === undefined) this.resolveStudy(name);
    return row as { id: number; config: string; optimizer_state: string | null; asks: number };
  }

  config(study: string): StudyConfig {
    return this.read(() => storedConfig(study, this.studyRow(study).config));
  }

  /** The optimiser state saved after the last ask. */
  optimizerState(study: string): unknown {
    const s = this.read(() => this.studyRow(study).optimizer_state);
    return s === null ? undefined : JSON.parse(s);
  }

  // ---- reads ---------------------------------------------------------------

  trials(study: string): TrialRecord[] {
    return this.read(() => {
      const sid = this.studyRow(study).id;
      return (
        this.db
          .prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY id')
          .all(sid) as TrialRow[]
      ).map(toTrial);
    });
  }

  /** @throws NotFoundError for an unknown trial. */
  trial(study: string, id: number): TrialRecord {
    return this.read(() => toTrial(this.trialRow(this.studyRow(study).id, study, id)));
  }

  points(study: string, trial?: number): StoredPoint[] {
    return this.read(() => this.pointRows(study, trial));
  }

  private pointRows(study: string, trial?: number): StoredPoint[] {
    const sid = this.studyRow(study).id;
    const rows = (
      trial === undefined
        ? this.db
            .prepare(
              'SELECT trial_id, metric, step, value FROM points WHERE study_id = ? ORDER BY trial_id, metric, step',
            )
            .all(sid)
        : this.db
            .prepare(
              'SELECT trial_id, metric, step, value FROM points WHERE study_id = ? AND trial_id = ? ORDER BY metric, step',
            )
            .all(sid, trial)
    ) as { trial_id: number; metric: string; step: number; value: number }[];
    return rows.map((r) => ({ trial: r.trial_id, metric: r.metric, step: r.step, value: r.value }));
  }

  private trialRow(sid: number, study: string, id: number): TrialRow {
    checkTrialId(id);
    const row = this.db
      .prepare('SELECT * FROM trials WHERE study_id = ? AND id = ?')
      .get(sid, id) as TrialRow | undefined;
    if (row === undefined) {
      const n = (
        this.db.prepare('SELECT COUNT(*) AS n FROM trials WHERE study_id = ?').get(sid) as {
          n: number;
        }
      ).n;
      throw noSuchTrial(study, id, n);
    }
    return row;
  }

  // ---- state changes -------------------------------------------------------

  /** Marks running trials whose lease has expired as stale (or failed when out of attempts). */
  private expireLeases(sid: number, maxAttempts: number): void {
    const now = this.clock();
    this.db
      .prepare(
        `UPDATE trials SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'stale' END,
           error = CASE WHEN attempts >= ? THEN 'lease expired on attempt ' || attempts || ' of ' || CAST(? AS INTEGER) || '; not retried'
                        ELSE 'lease expired on attempt ' || attempts END,
           finished_at = CASE WHEN attempts >= ? THEN ? ELSE finished_at END,
           updated_at = ?
         WHERE study_id = ? AND state = 'running' AND lease_expires < ?`,
      )
      .run(maxAttempts, maxAttempts, maxAttempts, maxAttempts, now, now, sid, now);
  }

  /** Expires leases now (ask does this itself). Returns the number of trials that went stale or failed. */
  expire(study: string): number {
    return this.write(() => {
      const row = this.studyRow(study);
      const cfg = storedConfig(study, row.config);
      const before = this.db
        .prepare("SELECT COUNT(*) AS n FROM trials WHERE study_id = ? AND state = 'running'")
        .get(row.id) as { n: number };
      this.expireLeases(row.id, cfg.trials.maxAttempts);
      const after = this.db
        .prepare("SELECT COUNT(*) AS n FROM trials WHERE study_id = ? AND state = 'running'")
        .get(row.id) as { n: number };
      return before.n - after.n;
    });
  }

  /**
   * Reserves up to `n` trials for `owner` with a lease: first `pending` and
   * `stale` trials (oldest first, attempts + 1), then new ones from
   * `propose`, which runs inside the write lock and also returns the
   * optimiser state to save. One transaction: either all are handed out or none.
   */
  ask(
    study: string,
    n: number,
    owner: string,
    propose: (snapshot: AskSnapshot, n: number) => ProposeResult,
    leaseSeconds?: number,
  ): TrialRecord[] {
    checkAskCount(n);
    if (leaseSeconds !== undefined) checkLeaseSeconds(leaseSeconds, 'the lease (--lease)');
    return this.write(() => {
      const row = this.studyRow(study);
      const cfg = storedConfig(study, row.config);
      const sid = row.id;
      this.expireLeases(sid, cfg.trials.maxAttempts);
      const now = this.clock();
      const lease = now + Math.round((leaseSeconds ?? cfg.trials.leaseSeconds) * 1000);
      const retry = this.db
        .prepare(
          "SELECT id FROM trials WHERE study_id = ? AND state IN ('pending','stale') ORDER BY id LIMIT ?",
        )
        .all(sid, n) as { id: number }[];
      const ids: number[] = [];
      const take = this.db.prepare(
        `UPDATE trials SET state = 'running', attempts = attempts + 1, lease_expires = ?, owner = ?,
           job = NULL, started_at = ?, updated_at = ? WHERE study_id = ? AND id = ?`,
      );
      for (const r of retry) {
        take.run(lease, owner, now, now, sid, r.id);
        ids.push(r.id);
      }
      const want = n - ids.length;
      if (want > 0) {
        const snapshot: AskSnapshot = {
          config: cfg,
          trials: (
            this.db
              .prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY id')
              .all(sid) as TrialRow[]
          ).map(toTrial),
          points: this.pointRows(study),
          optimizerState:
            row.optimizer_state === null ? undefined : JSON.parse(row.optimizer_state),
          asks: row.asks,
        };
        const result = propose(snapshot, want);
        const maxId = (
          this.db
            .prepare('SELECT COALESCE(MAX(id), 0) AS m FROM trials WHERE study_id = ?')
            .get(sid) as {
            m: number;
          }
        ).m;
        const insert = this.db.prepare(
          `INSERT INTO trials (study_id, id, mixture, scale, steps, parent, state, attempts, cost,
             lease_expires, owner, created_at, started_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'running', 1, ?, ?, ?, ?, ?, ?)`,
        );
        result.trials.slice(0, want).forEach((t, i) => {
          const id = maxId + i + 1;
          const p = t.proposal;
          const parent = p.continues === undefined ? null : Number(p.continues);
          insert.run(
            sid,
            id,
            JSON.stringify(p.mixture),
            p.scale,
            p.steps,
            parent,
            t.cost,
            lease,
            owner,
            now,
            now,
            now,
          );
          ids.push(id);
        });
        this.db
          .prepare('UPDATE studies SET optimizer_state = ?, asks = asks + 1 WHERE id = ?')
          .run(
            result.optimizerState === undefined ? null : JSON.stringify(result.optimizerState),
            sid,
          );
      }
      return ids.map((id) => toTrial(this.trialRow(sid, study, id)));
    });
  }

  /**
   * Loads a trial for a report from a worker and checks the transition and,
   * when the worker names itself, that it still holds the trial: a worker
   * whose lease expired and whose trial was handed out again is refused.
   */
  private reportable(
    sid: number,
    study: string,
    id: number,
    action: string,
    owner?: string,
  ): TrialRow {
    const row = this.trialRow(sid, study, id);
    checkTransition(row.state, action, study, id);
    checkHolder(study, id, action, owner, row.owner ?? undefined, row.attempts);
    return row;
  }

  /**
   * Records learning-curve points (a point for a step already reported is
   * overwritten: tells may repeat). Renews the lease; a stale trial that is
   * still reporting goes back to running.
   * @throws NotFoundError, ValidationError (step out of 1..steps, non-finite value, unknown metric), StateError.
   */
  tell(
    study: string,
    id: number,
    points: readonly PointInput[],
    owner?: string,
    options: TellOptions = {},
  ): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = storedConfig(study, srow.config);
      const row = this.reportable(srow.id, study, id, 'tell', owner);
      const now = this.clock();
      const clean = cleanPoints(cfg, study, id, row.steps, points);
      const upsert = this.db.prepare(
        `INSERT INTO points (study_id, trial_id, metric, step, value, reported_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (study_id, trial_id, metric, step) DO UPDATE SET value = excluded.value, reported_at = excluded.reported_at`,
      );
      for (const p of clean) upsert.run(srow.id, id, p.metric, p.step, p.value, now);
      this.renew(srow.id, row, cfg, now, owner);
      // In the same transaction: a refused completion takes the points back with it.
      if (options.final === true) this.complete(srow.id, cfg, study, id);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  private renew(sid: number, row: TrialRow, cfg: StudyConfig, now: number, owner?: string): void {
    const lease = now + Math.round(cfg.trials.leaseSeconds * 1000);
    this.db
      .prepare(
        `UPDATE trials SET state = 'running', lease_expires = ?, owner = COALESCE(?, owner),
           updated_at = ? WHERE study_id = ? AND id = ?`,
      )
      .run(lease, owner ?? null, now, sid, row.id);
  }

  /** Renews a trial's lease. @throws NotFoundError, StateError */
  heartbeat(study: string, id: number, owner?: string): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = storedConfig(study, srow.config);
      const row = this.reportable(srow.id, study, id, 'heartbeat', owner);
      this.renew(srow.id, row, cfg, this.clock(), owner);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /**
   * Marks a trial completed. It must have reported the study metric at least once.
   * @throws NotFoundError, StateError
   */
  finish(study: string, id: number, owner?: string): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = storedConfig(study, srow.config);
      this.reportable(srow.id, study, id, 'finish', owner);
      this.complete(srow.id, cfg, study, id);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /** Completes trial `id` (inside a write); refuses one missing a metric. */
  private complete(sid: number, cfg: StudyConfig, study: string, id: number): void {
    const metrics = reportableMetrics(cfg);
    const have = this.db
      .prepare('SELECT DISTINCT metric FROM points WHERE study_id = ? AND trial_id = ?')
      .all(sid, id) as { metric: string }[];
    const missing = metrics.filter((m) => !have.some((h) => h.metric === m));
    checkComplete(study, id, missing);
    const now = this.clock();
    this.db
      .prepare(
        `UPDATE trials SET state = 'completed', lease_expires = NULL, finished_at = ?, updated_at = ?
         WHERE study_id = ? AND id = ?`,
      )
      .run(now, now, sid, id);
  }

  /**
   * Stops a trial early (the optimiser's `stop` decision, applied by the
   * driver once it has cancelled the job): the trial keeps the points it
   * reported and becomes `completed` at its last reported step `z_l`, charged
   * the part of its cost up to that step,
   * `cost · (z_l − z_p) / (z − z_p)` (`z_p` the steps of the trial it
   * continues, else 0; as a failed trial's spend is counted); with no step of
   * its own reported it is `failed`, charged nothing. With `options.trained`
   * (the fraction of its training done, when the driver knows it) it is
   * charged `cost · trained` either way. Its error text says it was stopped.
   * @throws NotFoundError, StateError (not running, or held by another worker)
   */
  stop(study: string, id: number, owner?: string, options: StopOptions = {}): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const row = this.reportable(srow.id, study, id, 'stop', owner);
      const parentSteps = row.parent === null ? 0 : this.trialRow(srow.id, study, row.parent).steps;
      const last = (
        this.db
          .prepare('SELECT MAX(step) AS s FROM points WHERE study_id = ? AND trial_id = ?')
          .get(srow.id, id) as { s: number | null }
      ).s;
      const o = stopOutcome(row.cost, row.steps, parentSteps, last ?? undefined, options);
      const now = this.clock();
      this.db
        .prepare(
          `UPDATE trials SET state = ?, steps = ?, cost = ?, error = ?, lease_expires = NULL,
           finished_at = ?, updated_at = ? WHERE study_id = ? AND id = ?`,
        )
        .run(o.state, o.steps, o.cost, o.error, now, now, srow.id, id);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /**
   * Records a failed attempt. The configuration goes back to `pending` (to be
   * handed out again) while it has attempts left, else the trial is `failed`
   * (charged `options.charged` when given: its cost becomes that).
   * @throws NotFoundError, StateError, ValidationError (empty error text, bad `charged`)
   */
  fail(
    study: string,
    id: number,
    error: string,
    owner?: string,
    options: FailOptions = {},
  ): TrialRecord {
    checkFail(id, error, options);
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = storedConfig(study, srow.config);
      const row = this.reportable(srow.id, study, id, 'fail', owner);
      const now = this.clock();
      const { final, text } = failOutcome(error, row.attempts, cfg.trials.maxAttempts);
      this.db
        .prepare(
          `UPDATE trials SET state = ?, error = ?, lease_expires = NULL, owner = NULL,
             finished_at = CASE WHEN ? THEN ? ELSE finished_at END, updated_at = ?
           WHERE study_id = ? AND id = ?`,
        )
        .run(final ? 'failed' : 'pending', text, final ? 1 : 0, now, now, srow.id, id);
      if (final && options.charged !== undefined) {
        this.db
          .prepare('UPDATE trials SET cost = ? WHERE study_id = ? AND id = ?')
          .run(options.charged, srow.id, id);
      }
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /**
   * Gives a running trial back without counting the attempt (a job the user
   * cancelled): it becomes `pending` and is handed out again by the next ask.
   */
  release(study: string, id: number, reason: string): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      this.reportable(srow.id, study, id, 'release');
      const now = this.clock();
      this.db
        .prepare(
          `UPDATE trials SET state = 'pending', attempts = MAX(attempts - 1, 0), error = ?, job = NULL,
             lease_expires = NULL, owner = NULL, updated_at = ? WHERE study_id = ? AND id = ?`,
        )
        .run(reason, now, srow.id, id);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /** Stores the executor's job handle on a running trial. */
  setJob(study: string, id: number, job: JobHandle): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      this.reportable(srow.id, study, id, 'setJob');
      this.db
        .prepare('UPDATE trials SET job = ?, updated_at = ? WHERE study_id = ? AND id = ?')
        .run(JSON.stringify(job), this.clock(), srow.id, id);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /**
   * Takes over a running or stale trial from `from` (a worker known to be
   * gone), compare-and-set on the owner: returns false if someone else took it first.
   */
  adopt(study: string, id: number, from: string | undefined, to: string): boolean {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = storedConfig(study, srow.config);
      const row = this.trialRow(srow.id, study, id);
      if (row.state !== 'running' && row.state !== 'stale') return false;
      if ((row.owner ?? undefined) !== from) return false;
      this.renew(srow.id, row, cfg, this.clock(), to);
      return true;
    });
  }
}
