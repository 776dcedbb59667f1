/**
 * The in-memory study store: the {@link StudyStore} contract over plain
 * JavaScript objects, for one process (the benchmark harness,
 * bench/simulate.ts; tests; a throwaway study). Nothing is written anywhere;
 * the studies live as long as the object.
 *
 * Transactions: every call checks everything it needs before it changes
 * anything (`ask` runs the proposer on a snapshot first), so a rejected call
 * leaves the study as it was. Trial records are immutable objects, replaced
 * on each change, so a record handed out never changes under its reader.
 * The rules (accepted points, failed attempts, stops, expired leases) are
 * those of the SQLite store (./store-rules.ts); so are the record shapes.
 *
 * The saved optimiser state is kept as the object the proposer returned
 * (not a JSON copy): `optimizerState` returns that same object, which lets a
 * client recognise the state it saved itself (study/study.ts).
 */
import type {
  AskSnapshot,
  CurvePoint,
  FailOptions,
  JobHandle,
  PointInput,
  ProposeResult,
  StopOptions,
  StoredPoint,
  StudyConfig,
  StudyStore,
  TrialRecord,
} from '../core/index.ts';
import { checkLeaseSeconds } from '../core/index.ts';
import { metricCurves } from './history.ts';
import {
  checkAskCount,
  checkComplete,
  checkFail,
  checkHolder,
  checkTrialId,
  cleanPoints,
  expiredOutcome,
  failOutcome,
  noSuchTrial,
  reportableMetrics,
  resolveStudyName,
  stopOutcome,
  studyExists,
} from './store-rules.ts';
import { checkTransition } from './trial-states.ts';

/** Options of {@link MemoryStudyStore}. */
export interface MemoryStoreOptions {
  /** Milliseconds since the epoch (injectable for lease tests; default `Date.now`). */
  readonly clock?: () => number;
}

/** One study's records. */
interface MemoryStudy {
  readonly config: StudyConfig;
  /** Trials by id - 1. */
  trials: TrialRecord[];
  /** Points by trial id, then metric, then step. */
  readonly points: Map<number, Map<string, Map<number, number>>>;
  optimizerState: unknown;
  asks: number;
  /** All points as {@link MemoryStudyStore.points} lists them, until the next tell. */
  flat: readonly StoredPoint[] | undefined;
  /** The study metric's curve of each trial, until its next tell. */
  readonly curves: Map<number, CurvePoint[]>;
}

/** Removes the keys of `t` listed in `drop` and sets those of `set` (a new record). */
function change(
  t: TrialRecord,
  set: Partial<Record<keyof TrialRecord, unknown>>,
  drop: readonly (keyof TrialRecord)[] = [],
): TrialRecord {
  const out: Record<string, unknown> = { ...t, ...set };
  for (const k of drop) delete out[k];
  // The key order of the SQLite store's records (./store.ts, toTrial).
  const order: (keyof TrialRecord)[] = [
    'id',
    'mixture',
    'scale',
    'steps',
    'state',
    'attempts',
    'cost',
    'parent',
    'leaseExpires',
    'owner',
    'job',
    'error',
    'createdAt',
    'startedAt',
    'finishedAt',
    'updatedAt',
  ];
  const sorted: Record<string, unknown> = {};
  for (const k of order) if (out[k] !== undefined) sorted[k] = out[k];
  return sorted as unknown as TrialRecord;
}

/** A study store in memory (see the module comment). */
export class MemoryStudyStore implements StudyStore {
  readonly path: string;
  private readonly clock: () => number;
  private readonly studies = new Map<string, MemoryStudy>();

  constructor(options: MemoryStoreOptions = {}) {
    this.path = ':memory:';
    this.clock = options.clock ?? Date.now;
  }

  close(): void {}

  now(): number {
    return this.clock();
  }

  createStudy(config: StudyConfig): void {
    if (this.studies.has(config.name)) throw studyExists(config.name, this.path);
    this.studies.set(config.name, {
      config,
      trials: [],
      points: new Map(),
      optimizerState: undefined,
      asks: 0,
      flat: undefined,
      curves: new Map(),
    });
  }

  studyNames(): string[] {
    return [...this.studies.keys()];
  }

  resolveStudy(name?: string): string {
    return resolveStudyName(this.studyNames(), name, this.path);
  }

  private study(name: string): MemoryStudy {
    const s = this.studies.get(name);
    if (s === undefined) this.resolveStudy(name);
    return s as MemoryStudy;
  }

  config(study: string): StudyConfig {
    return this.study(study).config;
  }

  optimizerState(study: string): unknown {
    return this.study(study).optimizerState;
  }

  trials(study: string): TrialRecord[] {
    return this.study(study).trials.slice();
  }

  trial(study: string, id: number): TrialRecord {
    return this.record(this.study(study), study, id);
  }

  private record(s: MemoryStudy, study: string, id: number): TrialRecord {
    checkTrialId(id);
    const t = s.trials[id - 1];
    if (t === undefined) throw noSuchTrial(study, id, s.trials.length);
    return t;
  }

  points(study: string, trial?: number): StoredPoint[] {
    const s = this.study(study);
    if (trial === undefined) {
      s.flat ??= this.listPoints(s, undefined);
      return s.flat.slice();
    }
    return this.listPoints(s, trial);
  }

  private listPoints(s: MemoryStudy, trial: number | undefined): StoredPoint[] {
    const ids = trial === undefined ? [...s.points.keys()].sort((a, b) => a - b) : [trial];
    const out: StoredPoint[] = [];
    for (const id of ids) {
      const byMetric = s.points.get(id);
      if (byMetric === undefined) continue;
      for (const metric of [...byMetric.keys()].sort()) {
        const steps = byMetric.get(metric) as Map<number, number>;
        for (const step of [...steps.keys()].sort((a, b) => a - b)) {
          out.push({ trial: id, metric, step, value: steps.get(step) as number });
        }
      }
    }
    return out;
  }

  /**
   * The study metric's curve of each trial that has points, as
   * `metricCurves(config, points)` (./history.ts) computes it; each trial's
   * is computed once and kept until its next tell, so a history is cheap to
   * build however many points the study holds.
   */
  metricCurves(study: string): Map<number, CurvePoint[]> {
    const s = this.study(study);
    const out = new Map<number, CurvePoint[]>();
    for (const id of s.points.keys()) {
      let c = s.curves.get(id);
      if (c === undefined) {
        c = metricCurves(s.config, this.listPoints(s, id)).get(id) ?? [];
        s.curves.set(id, c);
      }
      out.set(id, c);
    }
    return out;
  }

  /** The trials with expired leases turned stale or failed (a new array; `s` unchanged). */
  private expired(s: MemoryStudy, now: number): TrialRecord[] {
    const max = s.config.trials.maxAttempts;
    return s.trials.map((t) => {
      if (t.state !== 'running' || t.leaseExpires === undefined || !(t.leaseExpires < now))
        return t;
      const o = expiredOutcome(t.attempts, max);
      return change(t, {
        state: o.state,
        error: o.error,
        updatedAt: now,
        ...(o.state === 'failed' ? { finishedAt: now } : {}),
      });
    });
  }

  expire(study: string): number {
    const s = this.study(study);
    const next = this.expired(s, this.clock());
    let n = 0;
    for (let i = 0; i < next.length; i++) if (next[i] !== s.trials[i]) n++;
    s.trials = next;
    return n;
  }

  ask(
    study: string,
    n: number,
    owner: string,
    propose: (snapshot: AskSnapshot, n: number) => ProposeResult,
    leaseSeconds?: number,
  ): TrialRecord[] {
    checkAskCount(n);
    if (leaseSeconds !== undefined) checkLeaseSeconds(leaseSeconds, 'the lease (--lease)');
    const s = this.study(study);
    const now = this.clock();
    const trials = this.expired(s, now);
    const lease = now + Math.round((leaseSeconds ?? s.config.trials.leaseSeconds) * 1000);
    const ids: number[] = [];
    for (const t of trials) {
      if (ids.length >= n) break;
      if (t.state !== 'pending' && t.state !== 'stale') continue;
      trials[t.id - 1] = change(
        t,
        {
          state: 'running',
          attempts: t.attempts + 1,
          leaseExpires: lease,
          owner,
          startedAt: now,
          updatedAt: now,
        },
        ['job'],
      );
      ids.push(t.id);
    }
    const want = n - ids.length;
    let state = s.optimizerState;
    if (want > 0) {
      const list = (x: MemoryStudy, t: number | undefined) => this.listPoints(x, t);
      const snapshot: AskSnapshot = {
        config: s.config,
        trials: trials.slice(),
        // Listed only when the proposer reads them (Study reads metricCurves instead).
        get points() {
          s.flat ??= list(s, undefined);
          return s.flat;
        },
        optimizerState: s.optimizerState,
        asks: s.asks,
      };
      const result = propose(snapshot, want);
      const first = trials.length + 1;
      result.trials.slice(0, want).forEach((nt, i) => {
        const p = nt.proposal;
        const id = first + i;
        trials.push(
          change({} as TrialRecord, {
            id,
            mixture: [...p.mixture],
            scale: p.scale,
            steps: p.steps,
            state: 'running',
            attempts: 1,
            cost: nt.cost,
            ...(p.continues !== undefined ? { parent: Number(p.continues) } : {}),
            leaseExpires: lease,
            owner,
            createdAt: now,
            startedAt: now,
            updatedAt: now,
          }),
        );
        ids.push(id);
      });
      state = result.optimizerState;
      s.asks++;
    }
    s.trials = trials;
    s.optimizerState = state;
    return ids.map((id) => trials[id - 1] as TrialRecord);
  }

  /** The trial for a report: checks the transition and, when `owner` is given, that it holds the trial. */
  private reportable(
    s: MemoryStudy,
    study: string,
    id: number,
    action: string,
    owner?: string,
  ): TrialRecord {
    const t = this.record(s, study, id);
    checkTransition(t.state, action, study, id);
    checkHolder(study, id, action, owner, t.owner, t.attempts);
    return t;
  }

  private put(s: MemoryStudy, t: TrialRecord): TrialRecord {
    s.trials[t.id - 1] = t;
    return t;
  }

  private renewed(s: MemoryStudy, t: TrialRecord, now: number, owner?: string): TrialRecord {
    const lease = now + Math.round(s.config.trials.leaseSeconds * 1000);
    return change(t, {
      state: 'running',
      leaseExpires: lease,
      ...(owner !== undefined ? { owner } : {}),
      updatedAt: now,
    });
  }

  tell(
    study: string,
    id: number,
    points: readonly PointInput[],
    owner?: string,
    options: { readonly final?: boolean } = {},
  ): TrialRecord {
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'tell', owner);
    const clean = cleanPoints(s.config, study, id, t.steps, points);
    const now = this.clock();
    let byMetric = s.points.get(id);
    if (options.final === true) {
      const have = new Set([...(byMetric?.keys() ?? []), ...clean.map((p) => p.metric)]);
      checkComplete(
        study,
        id,
        reportableMetrics(s.config).filter((m) => !have.has(m)),
      );
    }
    if (byMetric === undefined && clean.length > 0) s.points.set(id, (byMetric = new Map()));
    if (clean.length > 0) {
      s.flat = undefined;
      s.curves.delete(id);
    }
    for (const p of clean) {
      const m = byMetric as Map<string, Map<number, number>>;
      let steps = m.get(p.metric);
      if (steps === undefined) m.set(p.metric, (steps = new Map()));
      steps.set(p.step, p.value);
    }
    const renewed = this.renewed(s, t, now, owner);
    return this.put(s, options.final === true ? this.completed(renewed, now) : renewed);
  }

  private completed(t: TrialRecord, now: number): TrialRecord {
    return change(t, { state: 'completed', finishedAt: now, updatedAt: now }, ['leaseExpires']);
  }

  heartbeat(study: string, id: number, owner?: string): TrialRecord {
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'heartbeat', owner);
    return this.put(s, this.renewed(s, t, this.clock(), owner));
  }

  finish(study: string, id: number, owner?: string): TrialRecord {
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'finish', owner);
    const have = s.points.get(id);
    checkComplete(
      study,
      id,
      reportableMetrics(s.config).filter((m) => !have?.has(m)),
    );
    return this.put(s, this.completed(t, this.clock()));
  }

  stop(study: string, id: number, owner?: string, options: StopOptions = {}): TrialRecord {
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'stop', owner);
    const parentSteps = t.parent === undefined ? 0 : this.record(s, study, t.parent).steps;
    let last: number | undefined;
    for (const steps of s.points.get(id)?.values() ?? []) {
      for (const z of steps.keys()) if (last === undefined || z > last) last = z;
    }
    const o = stopOutcome(t.cost, t.steps, parentSteps, last, options);
    const now = this.clock();
    return this.put(
      s,
      change(
        t,
        {
          state: o.state,
          steps: o.steps,
          cost: o.cost,
          error: o.error,
          finishedAt: now,
          updatedAt: now,
        },
        ['leaseExpires'],
      ),
    );
  }

  fail(
    study: string,
    id: number,
    error: string,
    owner?: string,
    options: FailOptions = {},
  ): TrialRecord {
    checkFail(id, error, options);
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'fail', owner);
    const { final, text } = failOutcome(error, t.attempts, s.config.trials.maxAttempts);
    const now = this.clock();
    return this.put(
      s,
      change(
        t,
        {
          state: final ? 'failed' : 'pending',
          error: text,
          updatedAt: now,
          ...(final ? { finishedAt: now } : {}),
          ...(final && options.charged !== undefined ? { cost: options.charged } : {}),
        },
        ['leaseExpires', 'owner'],
      ),
    );
  }

  release(study: string, id: number, reason: string): TrialRecord {
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'release');
    return this.put(
      s,
      change(
        t,
        {
          state: 'pending',
          attempts: Math.max(t.attempts - 1, 0),
          error: reason,
          updatedAt: this.clock(),
        },
        ['job', 'leaseExpires', 'owner'],
      ),
    );
  }

  setJob(study: string, id: number, job: JobHandle): TrialRecord {
    const s = this.study(study);
    const t = this.reportable(s, study, id, 'setJob');
    return this.put(
      s,
      change(t, { job: JSON.parse(JSON.stringify(job)), updatedAt: this.clock() }),
    );
  }

  adopt(study: string, id: number, from: string | undefined, to: string): boolean {
    const s = this.study(study);
    const t = this.record(s, study, id);
    if (t.state !== 'running' && t.state !== 'stale') return false;
    if (t.owner !== from) return false;
    this.put(s, this.renewed(s, t, this.clock(), to));
    return true;
  }
}
