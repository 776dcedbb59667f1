/**
 * External peers in the benchmark: Optuna's TPE (`optuna-tpe`) and TPE with
 * `HyperbandPruner` (`optuna-hyperband`), run by the committed Python driver
 * `bench/peers/optuna_driver.py` against `mixopt testbed serve NAME` (the
 * same testbed and cost accounting as mixopt's methods, continuations charged
 * incrementally by the server).
 *
 * The driver writes one JSON line per job: its runs, each with the cost the
 * server charged, the cumulative `spent`, the mixture it would recommend now
 * and `confirm` (the recommendation is not a completed target run). This
 * module turns that log into the harness's trajectory format
 * (./trajectory.ts): `x = spent + (confirm ? c(m*, z*) : 0)` and `value` = the
 * TRUE target value of the recommendation, computed here from the same
 * testbed (the server has no oracle op, so a peer cannot peek at it).
 *
 * On simulated workers (`clock`, from `mixopt bench --workers-sim q`), `optuna-tpe`
 * runs asynchronously in the driver with Optuna's constant liar: the driver
 * simulates the harness's clock without jitter (./sim-clock.ts: a run launched
 * at t0 ends at `t0 + o_m + c`) and logs each run's `start`, `time` and
 * `worker`, in the order runs ended; this module checks those times.
 *
 * Notation: c(m, z) the testbed's cost of z steps at size m; (m*, z*) the target;
 * o_m the clock's start-up overhead of size m.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DataError,
  type Direction,
  NotFoundError,
  type Proposal,
  SIMPLEX_TOL,
  type Testbed,
  ValidationError,
  validateMixture,
} from '../core/index.ts';
import { formatNoiseSpec } from '../testbeds/index.ts';
import {
  type BenchOptions,
  type BenchProgress,
  defaultBudget,
  jobProgress,
  seedFor,
} from './run-benchmark.ts';
import { type ClockOptions, validateClock } from './sim-clock.ts';
import { resolveTestbed, serveArgument, type TestbedRef } from './testbed-ref.ts';
import type { Trajectory, TrajectoryPoint } from './trajectory.ts';

/** The peer methods `mixopt bench --methods` accepts besides registered optimisers. */
export const PEER_METHODS = ['optuna-tpe', 'optuna-hyperband'] as const;

/** Whether `name` is a peer method (run by the Optuna driver). */
export function isPeerMethod(name: string): boolean {
  return (PEER_METHODS as readonly string[]).includes(name);
}

/** The interpreter the driver runs under (Debian's, where python3-optuna installs). */
export const DEFAULT_PYTHON = '/usr/bin/python3';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Path of the committed driver. */
export const OPTUNA_DRIVER = `${ROOT}bench/peers/optuna_driver.py`;
/** The CLI the driver calls back: the compiled one, or the source launcher when this runs from src/. */
const MIXOPT_BIN = import.meta.url.endsWith('.ts')
  ? `${ROOT}scripts/mixopt-dev.mjs`
  : `${ROOT}bin/mixopt.mjs`;

/** Whether `python` can import optuna: `{ available, version }` or `{ available: false, reason }`. */
export function optunaStatus(python: string = DEFAULT_PYTHON): {
  readonly available: boolean;
  readonly version?: string;
  readonly reason?: string;
} {
  if (!existsSync(python)) {
    return { available: false, reason: `${python} does not exist` };
  }
  const r = spawnSync(python, ['-c', 'import optuna; print(optuna.__version__)'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    return {
      available: false,
      reason: `${python} cannot import optuna (${last || `exit ${String(r.status)}`}); install it with 'apt-get install python3-optuna'`,
    };
  }
  return { available: true, version: r.stdout.trim() };
}

/** One run of the driver's log. */
export interface PeerRun {
  readonly run: number;
  readonly proposal: { readonly mixture: number[]; readonly scale: string; readonly steps: number };
  readonly cost: number;
  readonly spent: number;
  /** The metric at the run's last step, as the peer saw it. */
  readonly observed: number;
  readonly recommended: number[];
  readonly confirm: boolean;
  /** Simulated clock only: when the run was launched. */
  readonly start?: number;
  /** Simulated clock only: when it ended. */
  readonly time?: number;
  /** Simulated clock only: the worker (0-based) that ran it. */
  readonly worker?: number;
}

/** One job of the driver's log (one JSON line). */
export interface PeerLog {
  readonly method: string;
  readonly testbed: string;
  readonly metric: string;
  readonly direction?: Direction;
  readonly seed: number;
  readonly optimizerSeed: number;
  readonly budget: number;
  readonly targetCost?: number;
  readonly optunaVersion?: string;
  /** The simulated workers the job ran on (absent: sequential). */
  readonly clock?: ClockOptions;
  readonly runs: readonly PeerRun[];
  readonly error?: string;
}

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new DataError(`peer log: ${what} must be a finite number, got ${JSON.stringify(v)}`);
  }
  return v;
};

/** The running state of {@link peerLogToTrajectory} over a log's runs. */
interface LogCheck {
  readonly testbed: Testbed;
  readonly log: PeerLog;
  readonly budget: number;
  readonly eps: number;
  spent: number;
  /** Clock logs: the end of the latest run so far, and when each worker is free. */
  time: number;
  readonly busyUntil: Map<number, number>;
  readonly seenRuns: Set<number>;
}

/**
 * Converts one driver log into a trajectory: `x = spent + (confirm ? c(m*, z*) : 0)`,
 * `value = testbed.evaluate(recommended, m*, z*, metric)`. The log is checked:
 * each run's size, steps and mixture are valid, `spent` is the running sum of
 * the costs, never over the budget, and the costs are those of the testbed
 * (`c(m, z)` for a new run; a peer re-running a mixture pays only the extra steps,
 * so a cost may be lower, never higher). A log on simulated workers (`clock`) lists
 * its runs in the order they ended, each launched once; each run's `time` is
 * `start + o_m + cost`, no earlier than the run before it, on a worker of the clock that
 * was free from `start`.
 * @throws DataError for an inconsistent log; NotFoundError for an unknown metric.
 */
export function peerLogToTrajectory(testbed: Testbed, log: PeerLog): Trajectory {
  const spec = testbed.metrics.find((m) => m.name === log.metric);
  if (spec === undefined) {
    throw new NotFoundError(
      `peer log names metric '${log.metric}', which testbed '${testbed.name}' lacks; known: ${testbed.metrics.map((m) => m.name).join(', ')}`,
    );
  }
  const { target } = testbed;
  const targetCost = testbed.cost(target.scale, target.steps);
  const budget = num(log.budget, 'budget');
  if (!Array.isArray(log.runs)) throw new DataError('peer log: runs must be an array');
  const check: LogCheck = {
    testbed,
    log,
    budget,
    eps: 1e-9 * Math.max(1, budget),
    spent: 0,
    time: 0,
    busyUntil: new Map(),
    seenRuns: new Set(),
  };
  const points = log.runs.map((r, i) => peerPoint(check, r, i, targetCost));
  return {
    method: log.method,
    testbed: testbed.name,
    metric: log.metric,
    direction: spec.direction,
    seed: log.seed,
    optimizerSeed: log.optimizerSeed,
    budget,
    targetCost,
    ...(log.clock !== undefined ? { clock: log.clock } : {}),
    points,
    ...(log.error !== undefined ? { error: `peer: ${log.error}` } : {}),
  };
}

/** Run i of the log, checked (see {@link peerLogToTrajectory}), as a trajectory point. */
function peerPoint(check: LogCheck, r: PeerRun, i: number, targetCost: number): TrajectoryPoint {
  const { testbed, log, eps } = check;
  const { target } = testbed;
  const where = `peer log ${log.method}/${log.metric}/seed ${log.seed}, run ${i}`;
  const p = r.proposal;
  let mixture: number[];
  let recommended: number[];
  try {
    mixture = validateMixture(p.mixture, testbed.domains.length, `${where} mixture`) as number[];
    recommended = validateMixture(
      r.recommended,
      testbed.domains.length,
      `${where} recommended`,
    ) as number[];
  } catch (err) {
    throw new DataError((err as Error).message);
  }
  if (!testbed.scales.some((s) => s.name === p.scale)) {
    throw new DataError(`${where}: unknown size '${p.scale}'`);
  }
  if (!Number.isInteger(p.steps) || p.steps < testbed.steps.min || p.steps > testbed.steps.max) {
    throw new DataError(
      `${where}: steps ${String(p.steps)} outside ${testbed.steps.min}..${testbed.steps.max}`,
    );
  }
  const cost = num(r.cost, `${where} cost`);
  const full = testbed.cost(p.scale, p.steps);
  if (cost < -eps || cost > full + eps) {
    throw new DataError(
      `${where}: cost ${cost} is not within 0..c(${p.scale}, ${p.steps}) = ${full}`,
    );
  }
  check.spent += cost;
  const spent = check.spent;
  if (Math.abs(spent - num(r.spent, `${where} spent`)) > eps) {
    throw new DataError(`${where}: spent ${r.spent} is not the running sum of costs (${spent})`);
  }
  if (spent > check.budget + eps) {
    throw new DataError(`${where}: spent ${spent} exceeds the budget ${check.budget}`);
  }
  checkRunIndex(check, r, i, where);
  // The confirmation rule of the harness: free only when the recommendation is a completed target run.
  const isTargetRun = log.runs
    .slice(0, i + 1)
    .some(
      (q) =>
        q.proposal.scale === target.scale &&
        q.proposal.steps === target.steps &&
        q.proposal.mixture.every((x, j) => Math.abs(x - (recommended[j] as number)) <= SIMPLEX_TOL),
    );
  const confirm = !isTargetRun;
  if (r.confirm !== confirm) {
    throw new DataError(
      `${where}: confirm is ${String(r.confirm)} but the recommendation ${isTargetRun ? 'is' : 'is not'} a completed target run`,
    );
  }
  const value = testbed.evaluate(recommended, target.scale, target.steps, log.metric);
  const proposal: Proposal = { mixture, scale: p.scale, steps: p.steps };
  return {
    run: r.run,
    proposal,
    cost,
    spent,
    x: spent + (confirm ? targetCost : 0),
    confirm,
    recommended,
    value,
    ...(log.clock !== undefined ? runTimes(check, r, log.clock, cost, where) : {}),
  };
}

/** Sequential logs: run i is the i-th; clock logs: each run index in 0..n−1 once. */
function checkRunIndex(check: LogCheck, r: PeerRun, i: number, where: string): void {
  if (check.log.clock === undefined) {
    if (r.run !== i) throw new DataError(`${where}: run index ${String(r.run)}, expected ${i}`);
    return;
  }
  const n = check.log.runs.length;
  if (!Number.isInteger(r.run) || r.run < 0 || r.run >= n || check.seenRuns.has(r.run)) {
    throw new DataError(
      `${where}: run index ${String(r.run)} is not a new index in 0..${n - 1} (each run ends once)`,
    );
  }
  check.seenRuns.add(r.run);
}

/** A clock log's `start`, `time` and `worker` of one run, checked against the clock. */
function runTimes(
  check: LogCheck,
  r: PeerRun,
  clock: ClockOptions,
  cost: number,
  where: string,
): { start: number; time: number; worker: number } {
  const start = num(r.start, `${where} start`);
  const time = num(r.time, `${where} time`);
  const worker = r.worker;
  if (!Number.isInteger(worker) || (worker as number) < 0 || (worker as number) >= clock.workers) {
    throw new DataError(
      `${where}: worker ${String(worker)} is not one of the clock's ${clock.workers} workers (0..${clock.workers - 1})`,
    );
  }
  const w = worker as number;
  const end = start + (clock.overhead?.[r.proposal.scale] ?? 0) + cost;
  const tol = 1e-9 * Math.max(1, Math.abs(end));
  if (Math.abs(time - end) > tol) {
    throw new DataError(
      `${where}: time ${time} is not start + overhead + cost = ${end} (a run of cost c takes c time units)`,
    );
  }
  if (time < check.time - tol) {
    throw new DataError(`${where}: time ${time} is before the previous run's end ${check.time}`);
  }
  if (start < (check.busyUntil.get(w) ?? 0) - tol) {
    throw new DataError(
      `${where}: starts at ${start} on worker ${w}, which is busy until ${check.busyUntil.get(w)}`,
    );
  }
  check.time = time;
  check.busyUntil.set(w, time);
  return { start, time, worker: w };
}

/** The driver's command line for a testbed served as `serveAs`. */
function driverArgs(serveAs: string, ref: TestbedRef): string[] {
  return [
    OPTUNA_DRIVER,
    '--testbed',
    serveAs,
    '--jobs',
    '-',
    '--mixopt',
    `${process.execPath} ${MIXOPT_BIN}`,
    ...('name' in ref && ref.dataDir !== undefined ? ['--data-dir', ref.dataDir] : []),
    ...('name' in ref && ref.cacheDir !== undefined ? ['--cache-dir', ref.cacheDir] : []),
    ...('name' in ref && ref.fit === true ? ['--fit'] : []),
    ...(ref.noise !== undefined
      ? ['--noise', ref.noise === null ? 'off' : formatNoiseSpec(ref.noise)]
      : []),
  ];
}

/**
 * Runs one driver process over `jobs` (written to its stdin as JSON) and hands each log line
 * to `onLog`, with the seconds since the previous line (or the start); rejects with the first error `onLog` throws (the driver is then killed), or a
 * DataError when the driver cannot start or exits non-zero (with the end of its stderr).
 */
function runDriver(
  python: string,
  args: readonly string[],
  jobs: readonly object[],
  onLog: (log: PeerLog, seconds: number) => void,
): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = '';
    let err = '';
    let failure: Error | undefined;
    let t0 = performance.now();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (line.trim() === '' || failure !== undefined) continue;
        try {
          const log = JSON.parse(line) as PeerLog;
          const seconds = (performance.now() - t0) / 1000;
          t0 = performance.now();
          onLog(log, seconds);
        } catch (e) {
          failure = e instanceof Error ? e : new Error(String(e));
          child.kill();
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', (e) => reject(new DataError(`cannot start ${python}: ${e.message}`)));
    child.on('close', (code) => {
      if (failure !== undefined) reject(failure);
      else if (code !== 0) {
        reject(
          new DataError(
            `the Optuna driver exited with ${String(code)}: ${err.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
      } else resolvePromise();
    });
    child.stdin.end(JSON.stringify(jobs));
  });
}

/**
 * Options of {@link runPeers}: those of the harness ({@link BenchOptions}) for the testbed (the
 * server is `mixopt testbed serve NAME`, NAME from {@link serveArgument}), metrics and seeds
 * (job seed `seedFor(seed, s)`, as for mixopt's methods), and the peer's own.
 */
export interface PeerOptions
  extends Pick<BenchOptions, 'testbed' | 'metrics' | 'seeds' | 'firstSeed' | 'seed' | 'budget'> {
  /** Peer methods (of {@link PEER_METHODS}). */
  readonly methods: readonly string[];
  /** Driver processes in parallel (default 1). */
  readonly workers?: number;
  /**
   * Simulated workers (`mixopt bench --workers-sim q`): `optuna-tpe` only, without jitter and
   * at one time unit per cost unit (absent: sequential).
   */
  readonly clock?: ClockOptions;
  readonly python?: string;
  /** Called after each finished job. */
  readonly onProgress?: (e: BenchProgress) => void;
}

/**
 * The clock the driver simulates: checked, `{ workers, overhead? }`.
 * @throws ValidationError for jitter, a time per cost unit other than 1, or a peer other than
 *   `optuna-tpe` (the driver runs only TPE asynchronously).
 */
function peerClock(clock: ClockOptions, methods: readonly string[]): ClockOptions {
  const c = validateClock(clock);
  const sequential = methods.filter((m) => m !== 'optuna-tpe');
  if (sequential.length > 0) {
    throw new ValidationError(
      `on simulated workers the Optuna driver runs optuna-tpe only (with the constant liar); ${sequential.join(', ')} runs sequentially: drop it from --methods or drop --workers-sim`,
    );
  }
  if ((c.jitter ?? 0) !== 0 || (c.timePerCost ?? 1) !== 1) {
    throw new ValidationError(
      `the Optuna driver simulates workers without jitter at one time unit per cost unit, got jitter ${String(c.jitter ?? 0)} and timePerCost ${String(c.timePerCost ?? 1)}: drop --sim-jitter with optuna-tpe`,
    );
  }
  return { workers: c.workers, ...(c.overhead !== undefined ? { overhead: c.overhead } : {}) };
}

/** What {@link runPeers} returns: the trajectories, or why the peers were skipped. */
export interface PeerResult {
  readonly trajectories: Trajectory[];
  /** Set when nothing ran (e.g. optuna is not installed): the message to show. */
  readonly skipped?: string;
  readonly optunaVersion?: string;
}

/**
 * Runs the peer jobs (methods x metrics x seeds, seed-major like the harness)
 * on `workers` driver processes, each with its own testbed server.
 * Skips (returns `skipped`) when the interpreter cannot import optuna.
 * @throws ValidationError for a non-peer method or a module the server cannot name; NotFoundError for an unknown metric;
 *   DataError when a driver fails or writes an inconsistent log.
 */
export async function runPeers(opts: PeerOptions): Promise<PeerResult> {
  for (const m of opts.methods) {
    if (!isPeerMethod(m)) {
      throw new ValidationError(`'${m}' is not a peer method; peers: ${PEER_METHODS.join(', ')}`);
    }
  }
  const clock = opts.clock === undefined ? undefined : peerClock(opts.clock, opts.methods);
  const serveAs = serveArgument(opts.testbed);
  const python = opts.python ?? DEFAULT_PYTHON;
  const status = optunaStatus(python);
  if (!status.available) {
    return {
      trajectories: [],
      skipped: `skipping ${opts.methods.join(', ')}: ${status.reason ?? 'optuna unavailable'}`,
    };
  }
  const testbed = await resolveTestbed(opts.testbed);
  const known = testbed.metrics.map((m) => m.name);
  const metrics = opts.metrics === 'all' ? known : [...opts.metrics];
  for (const m of metrics) {
    if (!known.includes(m)) {
      throw new NotFoundError(
        `testbed '${testbed.name}' has no metric '${m}'; known: ${known.join(', ')}`,
      );
    }
  }
  const budget = opts.budget ?? defaultBudget(testbed);
  const first = opts.firstSeed ?? 0;
  const jobs: {
    method: string;
    metric: string;
    seed: number;
    optimizerSeed: number;
    budget: number;
    clock?: ClockOptions;
  }[] = [];
  for (let s = first; s < first + opts.seeds; s++) {
    for (const metric of metrics) {
      for (const method of opts.methods) {
        const optimizerSeed = seedFor(opts.seed ?? 0, s);
        jobs.push({ method, metric, seed: s, optimizerSeed, budget, ...(clock ? { clock } : {}) });
      }
    }
  }
  const n = Math.max(1, Math.min(opts.workers ?? 1, jobs.length));
  const chunks: (typeof jobs)[] = Array.from({ length: n }, () => []);
  for (let i = 0; i < jobs.length; i++) chunks[i % n]?.push(jobs[i] as (typeof jobs)[number]);
  const byKey = new Map<string, Trajectory>();
  let done = 0;
  const onLog = (log: PeerLog, seconds: number): void => {
    const t = peerLogToTrajectory(testbed, log);
    byKey.set(`${t.method}|${t.metric}|${t.seed}`, t);
    done++;
    opts.onProgress?.(jobProgress(done, jobs.length, t, seconds));
  };
  const args = driverArgs(serveAs, opts.testbed);
  await Promise.all(chunks.map((chunk) => runDriver(python, args, chunk, onLog)));
  const trajectories = jobs.map((j) => {
    const t = byKey.get(`${j.method}|${j.metric}|${j.seed}`);
    if (t === undefined) {
      throw new DataError(
        `the Optuna driver wrote no result for ${j.method}/${j.metric}/seed ${j.seed}`,
      );
    }
    return t;
  });
  return {
    trajectories,
    ...(status.version !== undefined ? { optunaVersion: status.version } : {}),
  };
}
