/**
 * The library's study client: ask / tell over a {@link StudyStore}, with the
 * optimiser built from the study config on every ask. It is the one ask/tell
 * loop: users drive it (`mixopt ask`/`tell`, `mixopt run`), and so does the
 * benchmark harness (bench/simulate.ts, over a {@link MemoryStudyStore}).
 *
 * Reproducibility: the optimiser is rebuilt from (method, settings, seed),
 * given the saved state of the previous ask (`loadState`) and the full
 * history, and its state is saved in the same transaction as the trials it
 * proposed. A study resumed after a crash therefore proposes exactly what an
 * uninterrupted one would, given the same history.
 *
 * Over a {@link MemoryStudyStore} the client keeps the optimiser instance of
 * its last ask and uses it again (for the next ask, {@link Study.stops} and
 * {@link Study.optimizerNow}) while the store still holds the very state object
 * that instance saved and no other ask came between: one optimiser over the
 * whole study, as the benchmark harness drives it, without rebuilding it on
 * every ask. Any other store, or a state saved by someone else, rebuilds it.
 */
import { hostname } from 'node:os';
import type {
  CurvePoint,
  FailOptions,
  History,
  JobHandle,
  Optimizer,
  OptimizerContext,
  PointInput,
  SearchSpace,
  StopOptions,
  StoredPoint,
  StudyConfig,
  StudyConfigInput,
  StudyStatus,
  StudyStore,
  TrialRecord,
  TrialSpec,
  TrialState,
} from '../core/index.ts';
import { checkProposal, isBetter, proposalCost, Rng, ValidationError } from '../core/index.ts';
import { createOptimizer } from '../optimizers/index.ts';
import { parseStudyConfig } from './config.ts';
import { historyFromCurves, metricCurves, studySpend } from './history.ts';
import { MemoryStudyStore } from './memory-store.ts';
import { spaceFromStudy } from './space.ts';
import { SqliteStudyStore } from './store.ts';
import { reportableMetrics } from './store-rules.ts';

/** Builds an optimiser by method name (default: the registry in `optimizers/`). */
export type OptimizerBuilder = (method: string, ctx: OptimizerContext) => Optimizer;

/** Options of {@link Study}. */
export interface StudyOptions {
  /** Replaces the optimiser registry (tests, user optimisers). */
  readonly optimizer?: OptimizerBuilder;
  /**
   * The optimiser's search space, when the study stands for a testbed (the
   * benchmark harness: `spaceFromTestbed`, with the testbed's cost model,
   * scales and candidates); its domains, scales and steps must be the
   * config's. Default: the config's (`spaceFromStudy`).
   */
  readonly space?: SearchSpace;
}

/** Where a study lives: a SQLite file path (created when absent; `':memory:'` for a throwaway one) or an open store. */
export type StudyDb = string | StudyStore;

/** Options of {@link Study.create}. */
export interface StudyCreateOptions extends StudyOptions {
  /** The database to create the study in. */
  readonly db: StudyDb;
}

function openDb(db: StudyDb, mode: 'create' | 'write'): StudyStore {
  return typeof db === 'string' ? SqliteStudyStore.open(db, { mode }) : db;
}

function isStore(x: unknown): x is StudyStore {
  return typeof (x as Partial<StudyStore> | null)?.createStudy === 'function';
}

/** Options of {@link Study.ask}. */
export interface AskOptions {
  /** Who holds the lease (default `host:pid`). */
  readonly owner?: string;
  /** Lease length in seconds (default: the study's `trials.leaseSeconds`). */
  readonly leaseSeconds?: number;
}

/** The default lease owner of this process. */
export function defaultOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** A study in a store. Cheap to construct; holds no state besides its name and config. */
export class Study {
  readonly store: StudyStore;
  readonly name: string;
  readonly config: StudyConfig;
  /** The optimiser's search space (see {@link StudyOptions.space}). */
  readonly space: SearchSpace;
  private readonly build: OptimizerBuilder;
  /** The optimiser of the last ask, the state it saved and the asks count after it (in-memory stores only). */
  private kept:
    | { readonly opt: Optimizer; readonly state: unknown; readonly asks: number }
    | undefined;

  constructor(store: StudyStore, name: string | undefined, options: StudyOptions = {}) {
    this.store = store;
    this.name = store.resolveStudy(name);
    this.config = store.config(this.name);
    this.build = options.optimizer ?? createOptimizer;
    this.space = options.space ?? spaceFromStudy(this.config);
  }

  /**
   * Creates a study and returns it.
   *
   * `Study.create(config, { db })`: `config` as written in a study file (a
   * {@link StudyConfigInput}: defaults not yet applied) or an already validated
   * {@link StudyConfig}; `db` a SQLite path or an open store. The older form
   * `Study.create(store, config, options?)` takes a validated config.
   *
   * @example
   * const study = Study.create(
   *   { name: 'demo', domains: ['web', 'code'], scales: [{ name: '1B', params: 1e9 }],
   *     steps: { min: 100, max: 1000, logEvery: 100 }, target: { scale: '1B', steps: 1000 },
   *     metric: { name: 'loss', direction: 'minimize' } },
   *   { db: 'mixopt.db' },
   * );
   * @throws ConfigError listing every problem of `config`; StateError when a
   *   study of that name exists; NotFoundError for an unknown optimiser method.
   */
  static create(config: StudyConfigInput | StudyConfig, options: StudyCreateOptions): Study;
  static create(store: StudyStore, config: StudyConfig, options?: StudyOptions): Study;
  static create(
    a: StudyStore | StudyConfigInput | StudyConfig,
    b: StudyConfig | StudyCreateOptions,
    c: StudyOptions = {},
  ): Study {
    if (isStore(a)) return Study.createIn(a, b as StudyConfig, c);
    const o = b as StudyCreateOptions;
    if (o === undefined || (typeof o.db !== 'string' && !isStore(o.db))) {
      throw new ValidationError(
        "Study.create(config, { db }) needs db: a SQLite file path (e.g. 'mixopt.db') or an open store",
        { db: o?.db },
      );
    }
    return Study.createIn(openDb(o.db, 'create'), parseStudyConfig(a), o);
  }

  /**
   * Opens an existing study: `name` may be omitted when the database holds one study.
   * @throws NotFoundError when there is no such study (naming the ones there are).
   */
  static open(db: StudyDb, name?: string, options: StudyOptions = {}): Study {
    // An existing study database: a missing or empty file is not created or initialised.
    return new Study(openDb(db, 'write'), name, options);
  }

  private static createIn(store: StudyStore, config: StudyConfig, options: StudyOptions): Study {
    // Build the optimiser once now, so an unknown method or bad settings fail at creation.
    const build = options.optimizer ?? createOptimizer;
    build(config.optimizer.method, {
      space: options.space ?? spaceFromStudy(config),
      seed: config.seed,
      settings: config.optimizer.settings,
    });
    store.createStudy(config);
    return new Study(store, config.name, options);
  }

  /** A fresh optimiser for this study (not yet given the saved state). */
  optimizer(): Optimizer {
    return this.build(this.config.optimizer.method, {
      space: this.space,
      seed: this.config.seed,
      settings: this.config.optimizer.settings,
    });
  }

  /**
   * Reserves up to `n` trials with a lease: retries first (pending, stale),
   * then new proposals. Returns fewer than `n` only when the optimiser has
   * nothing more to propose.
   */
  ask(n = 1, options: AskOptions = {}): TrialRecord[] {
    const { space } = this;
    let used: { opt: Optimizer; state: unknown; asks: number } | undefined;
    const out = this.store.ask(
      this.name,
      n,
      options.owner ?? defaultOwner(),
      (snap, want) => {
        const history = historyFromCurves(
          snap.config,
          snap.trials,
          this.ownCurves(() => snap.points),
        );
        const opt = this.current(snap.optimizerState, snap.asks);
        const proposals = opt.propose(history, want);
        const byId = new Map(snap.trials.map((t) => [String(t.id), t]));
        const trials = proposals.map((p) => {
          const parent = p.continues === undefined ? undefined : byId.get(p.continues);
          checkProposal(space, p, parent, `optimiser '${this.config.optimizer.method}' proposed`);
          return { proposal: p, cost: proposalCost(space.cost, p, parent?.steps) };
        });
        const optimizerState = opt.saveState?.();
        used = { opt, state: optimizerState, asks: snap.asks + 1 };
        return { trials, optimizerState };
      },
      options.leaseSeconds,
    );
    // Kept only once the ask is stored (a rejected one keeps nothing).
    if (used !== undefined && this.store instanceof MemoryStudyStore) this.kept = used;
    return out;
  }

  /**
   * The optimiser as of the last ask, given the saved `state` and the store's
   * count of `asks`: the kept instance when it saved exactly that state (see
   * the module comment), else one rebuilt and given the state.
   */
  private current(state: unknown, asks: number): Optimizer {
    const k = this.kept;
    if (k !== undefined && k.state === state && k.asks === asks) return k.opt;
    this.kept = undefined;
    const opt = this.optimizer();
    if (state !== undefined && opt.loadState !== undefined) opt.loadState(state);
    return opt;
  }

  /**
   * The optimiser as it stands after the last ask (for its `recommend`): the
   * kept instance over an in-memory store, else one rebuilt from the saved state.
   */
  optimizerNow(): Optimizer {
    const k = this.kept;
    if (k !== undefined && k.state === this.store.optimizerState(this.name)) return k.opt;
    return this.current(this.store.optimizerState(this.name), Number.NaN);
  }

  /**
   * Reports learning-curve points (tells may repeat a step: the last value
   * wins). With `owner`, refused unless that worker still holds the trial;
   * with `final`, also completes it, all or nothing.
   */
  tell(
    trial: number,
    points: PointInput | readonly PointInput[],
    owner?: string,
    options: { readonly final?: boolean } = {},
  ): TrialRecord {
    const list = Array.isArray(points) ? (points as readonly PointInput[]) : [points as PointInput];
    return this.store.tell(this.name, trial, list, owner, options);
  }

  /** Marks a trial completed (with `owner`: only while that worker holds it). */
  finish(trial: number, owner?: string): TrialRecord {
    return this.store.finish(this.name, trial, owner);
  }

  /**
   * The running trials the optimiser would stop now: its optional `stop`
   * decision (core/interfaces.ts) given the history (default: the study's
   * history now; the benchmark harness passes its launched runs) and its
   * saved state. Reads only: the optimiser state is not saved.
   * @throws ValidationError when the optimiser names a trial that is not running.
   */
  stops(history?: History): number[] {
    const opt = this.optimizerNow();
    if (opt.stop === undefined) return [];
    history ??= this.history();
    const running = new Set(history.runs.filter((r) => r.state === 'running').map((r) => r.id));
    if (running.size === 0) return [];
    const ids = opt.stop(history);
    for (const id of ids) {
      if (!running.has(id))
        throw new ValidationError(
          `optimiser '${this.config.optimizer.method}' asked to stop trial ${id}, which is not running; stop only trials whose state is running`,
          { trial: id },
        );
    }
    return ids.map(Number);
  }

  /** Stops a trial early (after its job was cancelled): see {@link StudyStore.stop}. */
  stop(trial: number, owner?: string, options?: StopOptions): TrialRecord {
    return this.store.stop(this.name, trial, owner, options);
  }

  /** Records a failed attempt, retried while attempts are left (with `owner`: only while that worker holds it). */
  fail(trial: number, error: string, owner?: string, options?: FailOptions): TrialRecord {
    return this.store.fail(this.name, trial, error, owner, options);
  }

  heartbeat(trial: number, owner?: string): TrialRecord {
    return this.store.heartbeat(this.name, trial, owner);
  }

  release(trial: number, reason: string): TrialRecord {
    return this.store.release(this.name, trial, reason);
  }

  setJob(trial: number, job: JobHandle): TrialRecord {
    return this.store.setJob(this.name, trial, job);
  }

  trials(): TrialRecord[] {
    return this.store.trials(this.name);
  }

  /**
   * The trials as they stand now: a running trial whose lease has run out
   * shows as `stale` (or `failed` when out of attempts), as the next write
   * will record it. Reads only.
   */
  trialsNow(): TrialRecord[] {
    const now = this.store.now();
    const max = this.config.trials.maxAttempts;
    return this.trials().map((t) =>
      t.state === 'running' && t.leaseExpires !== undefined && t.leaseExpires < now
        ? { ...t, state: t.attempts >= max ? 'failed' : 'stale' }
        : t,
    );
  }

  trial(id: number): TrialRecord {
    return this.store.trial(this.name, id);
  }

  points(trial?: number): StoredPoint[] {
    return this.store.points(this.name, trial);
  }

  /**
   * The study metric's curve of each trial: kept per trial by an in-memory
   * store, else computed from `points` (default: the store's points now).
   */
  private ownCurves(points?: () => readonly StoredPoint[]): Map<number, CurvePoint[]> {
    if (this.store instanceof MemoryStudyStore) return this.store.metricCurves(this.name);
    return metricCurves(this.config, points?.() ?? this.points());
  }

  /** The history the optimiser sees now. */
  history(): History {
    return historyFromCurves(this.config, this.trials(), this.ownCurves());
  }

  /** What a job is told about a trial (the executor's input). */
  trialSpec(t: TrialRecord): TrialSpec {
    const scale = this.config.scales.find((s) => s.name === t.scale);
    const parent = t.parent === undefined ? undefined : this.trial(t.parent);
    return {
      study: this.name,
      trial: String(t.id),
      attempt: t.attempts,
      domains: this.config.domains.map((d) => d.name),
      mixture: t.mixture,
      scale: t.scale,
      params: scale?.params ?? 0,
      steps: t.steps,
      logEvery: this.config.steps.logEvery,
      metrics: reportableMetrics(this.config),
      ...(parent !== undefined
        ? { continues: { trial: String(parent.id), steps: parent.steps } }
        : {}),
      seed: new Rng(this.config.seed)
        .fork('trial')
        .fork(t.id)
        .int(2 ** 31 - 1),
    };
  }

  /** Trials by state, spend vs budget, and the best values so far. */
  status(): StudyStatus {
    const trials = this.trialsNow();
    const curves = metricCurves(this.config, this.points());
    const counts: Record<TrialState, number> = {
      pending: 0,
      running: 0,
      completed: 0,
      failed: 0,
      stale: 0,
    };
    for (const t of trials) counts[t.state]++;
    const { spent, committed } = studySpend(trials, curves);
    const dir = this.config.metric.direction;
    const { scale: tScale, steps: tSteps } = this.config.target;
    let bestAtTarget: StudyStatus['bestAtTarget'];
    let bestObserved: StudyStatus['bestObserved'];
    for (const t of trials) {
      for (const p of curves.get(t.id) ?? []) {
        if (bestObserved === undefined || isBetter(dir, p.value, bestObserved.value))
          bestObserved = { trial: t.id, value: p.value, scale: t.scale, step: p.step };
        if (
          t.scale === tScale &&
          p.step === tSteps &&
          (bestAtTarget === undefined || isBetter(dir, p.value, bestAtTarget.value))
        )
          bestAtTarget = { trial: t.id, value: p.value, mixture: t.mixture };
      }
    }
    return {
      study: this.name,
      counts,
      spent,
      committed,
      ...(this.config.budget !== undefined ? { budget: this.config.budget } : {}),
      ...(bestAtTarget !== undefined ? { bestAtTarget } : {}),
      ...(bestObserved !== undefined ? { bestObserved } : {}),
    };
  }
}
