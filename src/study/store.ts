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
 * transitions themselves are listed in `trial-states.ts`.
 */
import Database from 'better-sqlite3';
import type {
  AskSnapshot,
  JobHandle,
  Mixture,
  PointInput,
  ProposeResult,
  StoredPoint,
  StudyConfig,
  StudyStore,
  TrialRecord,
  TrialState,
} from '../core/index.ts';
import {
  crashPoint,
  DataError,
  MixoptError,
  NotFoundError,
  StateError,
  ValidationError,
} from '../core/index.ts';
import { migrate } from './migrations.ts';
import { checkTransition } from './trial-states.ts';

/** Options of {@link SqliteStudyStore.open}. */
export interface StoreOptions {
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

/** Metric names a trial may report for a study. */
export function reportableMetrics(config: StudyConfig): string[] {
  return config.metric.combine !== undefined
    ? config.metric.combine.map((p) => p.metric)
    : [config.metric.name];
}

/** A study database. Synchronous; safe to share a file between processes. */
export class SqliteStudyStore implements StudyStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly clock: () => number;

  private readonly busyMs: number;

  private constructor(path: string, db: Database.Database, clock: () => number, busyMs: number) {
    this.path = path;
    this.db = db;
    this.clock = clock;
    this.busyMs = busyMs;
  }

  /** Opens (creating and migrating when needed) the database at `path`. */
  static open(path: string, options: StoreOptions = {}): SqliteStudyStore {
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      throw new DataError(
        `cannot open study database '${path}': ${(err as Error).message}; check the path and its permissions`,
        { path },
      );
    }
    const busy = options.busyTimeoutMs ?? 60_000;
    try {
      db.pragma(`busy_timeout = ${busy}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, path);
    } catch (err) {
      db.close();
      if (err instanceof MixoptError) throw err;
      throw new DataError(
        `'${path}' is not a usable study database (${(err as Error).message}); pass the right --db, or a new path to create one`,
        { path },
      );
    }
    return new SqliteStudyStore(path, db, options.clock ?? Date.now, busy);
  }

  close(): void {
    this.db.close();
  }

  /** The current time by the store's clock (ms). */
  now(): number {
    return this.clock();
  }

  /** Runs `fn` as one `BEGIN IMMEDIATE` transaction. */
  private write<T>(fn: () => T): T {
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
      throw err;
    }
  }

  // ---- studies -------------------------------------------------------------

  /**
   * Creates a study from a validated config.
   * @throws StateError when a study of that name exists.
   */
  createStudy(config: StudyConfig): void {
    this.write(() => {
      const exists = this.db.prepare('SELECT 1 FROM studies WHERE name = ?').get(config.name);
      if (exists !== undefined) {
        throw new StateError(
          `study '${config.name}' already exists in '${this.path}'; pick another name or another --db`,
          { study: config.name },
        );
      }
      this.db
        .prepare('INSERT INTO studies (name, config, created_at) VALUES (?, ?, ?)')
        .run(config.name, JSON.stringify(config), this.clock());
    });
  }

  /** Names of the studies in this database, in creation order. */
  studyNames(): string[] {
    return (
      this.db.prepare('SELECT name FROM studies ORDER BY id').all() as { name: string }[]
    ).map((r) => r.name);
  }

  /**
   * The study named `name`, or the only study when `name` is undefined.
   * @throws NotFoundError naming the studies that exist.
   */
  resolveStudy(name?: string): string {
    const names = this.studyNames();
    if (name === undefined) {
      if (names.length === 1) return names[0] as string;
      if (names.length === 0)
        throw new NotFoundError(
          `database '${this.path}' holds no study; create one with 'mixopt study create study.yaml --db ${this.path}'`,
        );
      throw new NotFoundError(
        `database '${this.path}' holds ${names.length} studies (${names.join(', ')}); choose one with --study`,
        { studies: names },
      );
    }
    if (!names.includes(name))
      throw new NotFoundError(
        `no study '${name}' in '${this.path}'; it holds: ${names.join(', ') || '(none)'}`,
        { study: name, studies: names },
      );
    return name;
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
    return JSON.parse(this.studyRow(study).config) as StudyConfig;
  }

  /** The optimiser state saved after the last ask. */
  optimizerState(study: string): unknown {
    const s = this.studyRow(study).optimizer_state;
    return s === null ? undefined : JSON.parse(s);
  }

  // ---- reads ---------------------------------------------------------------

  trials(study: string): TrialRecord[] {
    const sid = this.studyRow(study).id;
    return (
      this.db.prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY id').all(sid) as TrialRow[]
    ).map(toTrial);
  }

  /** @throws NotFoundError for an unknown trial. */
  trial(study: string, id: number): TrialRecord {
    return toTrial(this.trialRow(this.studyRow(study).id, study, id));
  }

  points(study: string, trial?: number): StoredPoint[] {
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
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new ValidationError(`a trial id is a positive integer, got ${String(id)}`, {
        trial: id,
      });
    }
    const row = this.db
      .prepare('SELECT * FROM trials WHERE study_id = ? AND id = ?')
      .get(sid, id) as TrialRow | undefined;
    if (row === undefined) {
      const n = (
        this.db.prepare('SELECT COUNT(*) AS n FROM trials WHERE study_id = ?').get(sid) as {
          n: number;
        }
      ).n;
      throw new NotFoundError(
        `study '${study}' has no trial ${id}${n > 0 ? ` (its trials are 1..${n})` : ' (it has no trials yet; run mixopt ask)'}`,
        { study, trial: id },
      );
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
      const cfg = JSON.parse(row.config) as StudyConfig;
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
    if (!Number.isSafeInteger(n) || n < 1)
      throw new ValidationError(`--n must be a positive integer, got ${String(n)}`, { n });
    return this.write(() => {
      const row = this.studyRow(study);
      const cfg = JSON.parse(row.config) as StudyConfig;
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
          points: this.points(study),
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

  /** Loads a trial for a report from a worker and checks the transition. */
  private reportable(sid: number, study: string, id: number, action: string): TrialRow {
    const row = this.trialRow(sid, study, id);
    checkTransition(row.state, action, study, id);
    return row;
  }

  /**
   * Records learning-curve points (a point for a step already reported is
   * overwritten: tells may repeat). Renews the lease; a stale trial that is
   * still reporting goes back to running.
   * @throws NotFoundError, ValidationError (step out of 1..steps, non-finite value, unknown metric), StateError.
   */
  tell(study: string, id: number, points: readonly PointInput[], owner?: string): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = JSON.parse(srow.config) as StudyConfig;
      const row = this.reportable(srow.id, study, id, 'tell');
      const allowed = reportableMetrics(cfg);
      const now = this.clock();
      const clean = points.map((p) => {
        const metric = p.metric ?? (cfg.metric.combine === undefined ? cfg.metric.name : undefined);
        if (metric === undefined || !allowed.includes(metric)) {
          throw new ValidationError(
            `metric ${metric === undefined ? '(none given)' : `'${metric}'`} is not reported by study '${study}'; accepted: ${allowed.join(', ')}`,
            { metric, accepted: allowed },
          );
        }
        if (
          typeof p.step !== 'number' ||
          !Number.isSafeInteger(p.step) ||
          p.step < 1 ||
          p.step > row.steps
        ) {
          throw new ValidationError(
            `step ${String(p.step)} is outside trial ${id}'s length; accepted: an integer in 1..${row.steps}`,
            { step: p.step, steps: row.steps },
          );
        }
        if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
          throw new ValidationError(
            `value ${String(p.value)} at step ${p.step} is not a finite number; report a diverged run with --failed instead`,
            { value: String(p.value), step: p.step },
          );
        }
        return { metric, step: p.step, value: p.value };
      });
      const upsert = this.db.prepare(
        `INSERT INTO points (study_id, trial_id, metric, step, value, reported_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (study_id, trial_id, metric, step) DO UPDATE SET value = excluded.value, reported_at = excluded.reported_at`,
      );
      for (const p of clean) upsert.run(srow.id, id, p.metric, p.step, p.value, now);
      this.renew(srow.id, row, cfg, now, owner);
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
      const cfg = JSON.parse(srow.config) as StudyConfig;
      const row = this.reportable(srow.id, study, id, 'heartbeat');
      this.renew(srow.id, row, cfg, this.clock(), owner);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /**
   * Marks a trial completed. It must have reported the study metric at least once.
   * @throws NotFoundError, StateError
   */
  finish(study: string, id: number): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = JSON.parse(srow.config) as StudyConfig;
      this.reportable(srow.id, study, id, 'finish');
      const metrics = reportableMetrics(cfg);
      const have = this.db
        .prepare('SELECT DISTINCT metric FROM points WHERE study_id = ? AND trial_id = ?')
        .all(srow.id, id) as { metric: string }[];
      const missing = metrics.filter((m) => !have.some((h) => h.metric === m));
      if (missing.length > 0) {
        throw new StateError(
          `trial ${id} has reported no value of ${missing.join(', ')}; tell at least one point (--step, --value) before --final, or use --failed`,
          { trial: id, missing },
        );
      }
      const now = this.clock();
      this.db
        .prepare(
          `UPDATE trials SET state = 'completed', lease_expires = NULL, finished_at = ?, updated_at = ?
           WHERE study_id = ? AND id = ?`,
        )
        .run(now, now, srow.id, id);
      return toTrial(this.trialRow(srow.id, study, id));
    });
  }

  /**
   * Records a failed attempt. The configuration goes back to `pending` (to be
   * handed out again) while it has attempts left, else the trial is `failed`.
   * @throws NotFoundError, StateError
   */
  fail(study: string, id: number, error: string): TrialRecord {
    return this.write(() => {
      const srow = this.studyRow(study);
      const cfg = JSON.parse(srow.config) as StudyConfig;
      const row = this.reportable(srow.id, study, id, 'fail');
      const now = this.clock();
      const final = row.attempts >= cfg.trials.maxAttempts;
      const text = final
        ? `${error} (attempt ${row.attempts} of ${cfg.trials.maxAttempts}; not retried)`
        : `${error} (attempt ${row.attempts} of ${cfg.trials.maxAttempts}; will be retried)`;
      this.db
        .prepare(
          `UPDATE trials SET state = ?, error = ?, lease_expires = NULL, owner = NULL,
             finished_at = CASE WHEN ? THEN ? ELSE finished_at END, updated_at = ?
           WHERE study_id = ? AND id = ?`,
        )
        .run(final ? 'failed' : 'pending', text, final ? 1 : 0, now, now, srow.id, id);
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
      const cfg = JSON.parse(srow.config) as StudyConfig;
      const row = this.trialRow(srow.id, study, id);
      if (row.state !== 'running' && row.state !== 'stale') return false;
      if ((row.owner ?? undefined) !== from) return false;
      this.renew(srow.id, row, cfg, this.clock(), to);
      return true;
    });
  }
}
