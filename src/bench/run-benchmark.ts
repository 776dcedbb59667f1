/**
 * The benchmark: methods x metrics x seeds on one testbed, each job a
 * simulation from an empty history under a budget (./simulate.ts), run in
 * parallel on worker threads, then aggregated (./summary.ts).
 *
 * Reproducibility: job `(method, metric, s)` builds its optimiser with seed
 * `seedFor(seed, s)` (the same for every method and metric: common random
 * numbers across methods); each job is a pure function of its spec, and
 * results are ordered by job, so the output is identical for any number of
 * workers.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InternalError, NotFoundError, Rng, type Testbed, ValidationError } from '../core/index.ts';
import { hasOptimizer, listOptimizers } from '../optimizers/index.ts';
import { formatNoiseSpec, noiseOf } from '../testbeds/index.ts';
import { type ClockOptions, validateClock } from './sim-clock.ts';
import { type JobSpec, simulateJob } from './simulate.ts';
import { type BenchSummary, summarize } from './summary.ts';
import { resolveTestbed, type TestbedRef } from './testbed-ref.ts';
import type { Trajectory } from './trajectory.ts';

/**
 * The pool's worker module. Compiled (dist/), it is worker.js itself; run from
 * the TypeScript sources, worker-entry.mjs first registers the loader (tsx) in
 * the worker thread.
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./worker-entry.mjs', import.meta.url)
  : new URL('./worker.js', import.meta.url);

/** Options of {@link runBenchmark}. */
export interface BenchOptions {
  readonly testbed: TestbedRef;
  /** Registered optimiser names. */
  readonly methods: readonly string[];
  /** Metric names, or `'all'`. */
  readonly metrics: readonly string[] | 'all';
  /** Number of seeds (>= 1). */
  readonly seeds: number;
  /** Index of the first seed (default 0): seeds `firstSeed .. firstSeed + seeds - 1`, so a suite can run in chunks and be merged. */
  readonly firstSeed?: number;
  /** Budget in cost units (default: 1500/197 target runs, i.e. 1,500 on slimpajama-mlp). */
  readonly budget?: number;
  /** Root seed (default 0). */
  readonly seed?: number;
  /** Worker threads (default: available cores; 1 = run in this thread). */
  readonly workers?: number;
  /** Runs proposed per round (default 1). */
  readonly batch?: number;
  /**
   * Simulated workers and run durations (./sim-clock.ts): each job runs on
   * `clock.workers` simulated workers and records wall-clock times (not to be
   * confused with `workers`, the threads that run the jobs).
   */
  readonly clock?: ClockOptions;
  /** Per-method settings. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Extra modules to import (in every worker) that register optimisers. */
  readonly modules?: readonly string[];
  /** Trajectories from elsewhere (e.g. other tools) to merge into the summary. */
  readonly include?: readonly Trajectory[];
  /** Called after each finished job. */
  readonly onProgress?: (e: BenchProgress) => void;
}

/** Progress after one job. */
export interface BenchProgress {
  readonly done: number;
  readonly total: number;
  readonly method: string;
  readonly metric: string;
  readonly seed: number;
  readonly seconds: number;
  readonly error?: string;
}

/** The progress event of a finished job: the `done`-th of `total`, trajectory `t`, in `seconds`. */
export function jobProgress(
  done: number,
  total: number,
  t: Trajectory,
  seconds: number,
): BenchProgress {
  return {
    done,
    total,
    method: t.method,
    metric: t.metric,
    seed: t.seed,
    seconds,
    ...(t.error !== undefined ? { error: t.error } : {}),
  };
}

/** A finished benchmark. */
export interface BenchResult {
  readonly trajectories: Trajectory[];
  readonly summary: BenchSummary;
  readonly meta: {
    readonly seed: number;
    readonly workers: number;
    readonly wallSeconds: number;
    /** Total job seconds per method (CPU time inside workers). */
    readonly jobSeconds: Record<string, number>;
    /** The observation noise methods saw (docs/testbeds.md), when the testbed had any. */
    readonly noise?: string;
  };
}

/** The optimiser seed of seed index `s` under root seed `seed`. */
export function seedFor(seed: number, s: number): number {
  return Math.floor(new Rng(seed).fork('bench').fork(s).uniform() * 2 ** 31);
}

/** The default budget for a testbed: 1500/197 target runs (1,500 units on slimpajama-mlp). */
export function defaultBudget(testbed: Testbed): number {
  const c = testbed.cost(testbed.target.scale, testbed.target.steps);
  return Math.round((1500 / 197) * c * 1e6) / 1e6;
}

/** Reference optimum values per metric, where the testbed can compute them. */
function references(testbed: Testbed, metrics: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (testbed.referenceOptimum === undefined) return out;
  for (const m of metrics) {
    try {
      const r = testbed.referenceOptimum(m);
      if (r !== undefined) out[m] = r.value;
    } catch {
      // No reference for this metric: regret is omitted for it.
    }
  }
  return out;
}

/**
 * Runs the benchmark (see the module comment).
 * @throws NotFoundError for an unknown method or metric; ValidationError for bad counts.
 */
export async function runBenchmark(opts: BenchOptions): Promise<BenchResult> {
  const t0 = performance.now();
  for (const m of opts.modules ?? []) await import(m);
  const testbed = await resolveTestbed(opts.testbed);
  for (const method of opts.methods) {
    if (!hasOptimizer(method)) {
      throw new NotFoundError(
        `unknown method '${method}'; known methods: ${listOptimizers()
          .map((e) => e.name)
          .join(', ')}`,
        { method },
      );
    }
  }
  const known = testbed.metrics.map((m) => m.name);
  const metrics = opts.metrics === 'all' ? known : [...opts.metrics];
  for (const m of metrics) {
    if (!known.includes(m)) {
      throw new NotFoundError(
        `testbed '${testbed.name}' has no metric '${m}'; known metrics: ${known.join(', ')} (or 'all')`,
        { metric: m },
      );
    }
  }
  if (!Number.isInteger(opts.seeds) || opts.seeds < 1) {
    throw new ValidationError(`seeds must be a positive integer, got ${String(opts.seeds)}`);
  }
  const budget = opts.budget ?? defaultBudget(testbed);
  if (!(budget > 0) || !Number.isFinite(budget)) {
    throw new ValidationError(
      `budget must be a positive number of cost units, got ${String(budget)}`,
    );
  }
  if (opts.clock !== undefined) validateClock(opts.clock);
  const seed = opts.seed ?? 0;
  const firstSeed = opts.firstSeed ?? 0;
  if (!Number.isInteger(firstSeed) || firstSeed < 0) {
    throw new ValidationError(`firstSeed must be a non-negative integer, got ${String(firstSeed)}`);
  }
  // Seed-major order, so that a suite stopped early has every method on the first seeds.
  const jobs: JobSpec[] = [];
  for (let s = firstSeed; s < firstSeed + opts.seeds; s++) {
    for (const metric of metrics) {
      for (const method of opts.methods) {
        const settings = opts.settings?.[method];
        jobs.push({
          method,
          metric,
          seed: s,
          optimizerSeed: seedFor(seed, s),
          budget,
          ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
          ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
          ...(settings !== undefined ? { settings } : {}),
        });
      }
    }
  }
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), jobs.length));
  const results: Trajectory[] = new Array(jobs.length);
  const seconds: number[] = new Array(jobs.length).fill(0);
  let done = 0;
  const report = (i: number, t: Trajectory, sec: number): void => {
    results[i] = t;
    seconds[i] = sec;
    done++;
    opts.onProgress?.(jobProgress(done, jobs.length, t, sec));
  };
  if (workers === 1) {
    for (let i = 0; i < jobs.length; i++) {
      const s0 = performance.now();
      const t = simulateJob(testbed, jobs[i] as JobSpec);
      report(i, t, (performance.now() - s0) / 1000);
    }
  } else {
    await runPool(opts, jobs, workers, report);
  }
  const noise = noiseOf(testbed);
  const jobSeconds: Record<string, number> = {};
  jobs.forEach((j, i) => {
    jobSeconds[j.method] = (jobSeconds[j.method] ?? 0) + (seconds[i] ?? 0);
  });
  const trajectories = [...results, ...(opts.include ?? [])];
  const summary = summarize(trajectories, { reference: references(testbed, metrics) });
  return {
    trajectories,
    summary,
    meta: {
      seed,
      workers,
      wallSeconds: (performance.now() - t0) / 1000,
      jobSeconds,
      ...(noise !== undefined ? { noise: formatNoiseSpec(noise) } : {}),
    },
  };
}

/** Runs `jobs` on `n` worker threads, handing out one job at a time. */
function runPool(
  opts: BenchOptions,
  jobs: readonly JobSpec[],
  n: number,
  report: (i: number, t: Trajectory, seconds: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let failed = false;
    const pool: Worker[] = [];
    const stop = (err?: Error): void => {
      for (const w of pool) void w.terminate();
      if (err !== undefined) {
        failed = true;
        reject(err);
      } else resolve();
    };
    const feed = (w: Worker): void => {
      if (next < jobs.length) {
        const index = next++;
        w.postMessage({ index, job: jobs[index] });
      }
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(WORKER_URL, {
        workerData: { testbed: opts.testbed, modules: opts.modules ?? [] },
      });
      pool.push(w);
      w.on(
        'message',
        (msg: {
          ready?: boolean;
          fatal?: string;
          index?: number;
          trajectory?: Trajectory;
          seconds?: number;
        }) => {
          if (failed) return;
          if (msg.fatal !== undefined) {
            stop(new InternalError(`benchmark worker failed to start: ${msg.fatal}`));
            return;
          }
          if (msg.ready === true) {
            feed(w);
            return;
          }
          report(msg.index as number, msg.trajectory as Trajectory, msg.seconds ?? 0);
          finished++;
          if (finished === jobs.length) stop();
          else feed(w);
        },
      );
      w.on('error', (err) => {
        if (!failed) stop(new InternalError(`benchmark worker crashed: ${err.message}`));
      });
    }
  });
}
