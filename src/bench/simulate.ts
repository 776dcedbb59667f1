/**
 * One benchmark job: a method optimises one metric of a testbed from an empty
 * history until the budget is spent, on `q` simulated workers (./sim-clock.ts;
 * `q = 1` without a clock is the sequential loop), and every finished run is
 * recorded as a trajectory point (format: ./trajectory.ts).
 *
 * The loop is the users' loop: the method is driven through a
 * {@link Study} (study/study.ts) over a {@link MemoryStudyStore}, whose config
 * is the testbed's (its search space is `spaceFromTestbed`, with the
 * testbed's cost model), so a proposal is checked and costed once, by the
 * study (`checkProposal` and `proposalCost`, core/proposal.ts), as in a
 * user's study. The harness plays the workers and the clock:
 * 1. While a worker is free and launching goes on, take the next trial
 *    (`study.ask(batch)` when none is queued; the history the method sees
 *    holds the finished runs and the running ones, state `running`, with the
 *    part of their curves visible now, told to the study as the clock
 *    reveals them). Its cost is the study's: `c(m, z) - (continuation ?
 *    c(m, z_parent) : 0)`; if `spent + committed + cost` would exceed the
 *    budget (committed: the cost of the running runs), launching ends, the
 *    trials not launched are failed (charged nothing) and the running runs
 *    are drained. Otherwise the run is simulated by the simulator executor's
 *    testbed query (`simulatedCurve`, executors/simulator.ts: the whole
 *    learning curve, revealed point by point as the clock passes) and starts
 *    on the free worker with the lowest index.
 * 2. The clock jumps to the earliest end (ties: the earlier launched run);
 *    the rest of its curve is told and the trial finished (`tell` with
 *    `final`), its cost is charged, and the method's recommendation is
 *    scored at the target: `value = testbed.evaluate(w_rec, m*, z*,
 *    metric)`, charged at `x = spent + (w_rec is a completed target run ? 0 :
 *    c(m*, z*))`.
 * 3. A method with `stop` is then asked which running runs to stop
 *    (`study.stops`): each keeps the curve points visible now, is stopped in
 *    the study charged the fraction of its training done (`study.stop` with
 *    `trained = trainedFraction`: `cost · trainedFraction`) and is scored
 *    like a finished run (the point says `stopped`).
 * The method's `recommend` and `stop` see the launched runs only: trials of
 * a batch still waiting for a worker, and those never launched, are left out
 * of their history. The trajectory names a run by its launch index (`r0`,
 * `r1`, ...; a continuation's `continues` too), not by its trial id.
 * With one worker nothing is ever running when the method is asked, so `q = 1`
 * gives the sequential loop's trajectories exactly; time fields (`start`,
 * `time`, `worker`) are written only when the job has a clock.
 *
 * A proposal the testbed cannot answer (e.g. a replay asked for a step its
 * run never reached) is a failed run, like a failed training job: its trial
 * fails (`study.fail` with `charged: 0`: no run took place, so it is charged
 * nothing), takes no worker time and is listed in the trajectory's `failedProposals`. After
 * {@link MAX_CONSECUTIVE_FAILURES} failed proposals in a row the job ends with
 * an error.
 *
 * Noisy testbeds (those with `observe`): the method sees
 * `testbed.observe(w, m, z, metric, replicate)` instead of `curve`; a new run
 * gets `replicate = replicateFor(optimizerSeed, run index)` and a
 * continuation its parent's replicate, so it sees the parent's observed
 * values unchanged (the same noise realisation, extended). The score is
 * always the noise-free truth (`evaluate`). Without `observe` nothing changes.
 */
import {
  type CurvePoint,
  type History,
  InternalError,
  NumericsError,
  type Proposal,
  type RunRecord,
  StateError,
  type StudyConfig,
  spaceFromTestbed,
  type Testbed,
  type TrialRecord,
} from '../core/index.ts';
import { simulatedCurve } from '../executors/index.ts';
import { MemoryStudyStore, Study } from '../study/index.ts';
import { replicateFor } from '../testbeds/index.ts';
import {
  type ClockOptions,
  pointTime,
  type RunTiming,
  runTiming,
  trainedFraction,
  validateClock,
} from './sim-clock.ts';
import type { FailedProposal, Trajectory, TrajectoryPoint } from './trajectory.ts';

/** One job. */
export interface JobSpec {
  readonly method: string;
  readonly metric: string;
  /** Seed index within the benchmark. */
  readonly seed: number;
  /** Seed handed to the optimiser. */
  readonly optimizerSeed: number;
  /** Budget in the testbed's cost units. */
  readonly budget: number;
  /** Runs proposed per round (default 1). */
  readonly batch?: number;
  /** Method settings passed to the factory. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Safety cap on the number of runs (default 10,000). */
  readonly maxRuns?: number;
  /** Simulated workers and durations (./sim-clock.ts); absent: one worker, no time fields. */
  readonly clock?: ClockOptions;
}

/** Failed proposals in a row after which a job ends with an error. */
export const MAX_CONSECUTIVE_FAILURES = 20;

/** The lease owner of the harness's trials. */
const OWNER = 'bench';

/** A run on a worker. */
interface Launched {
  /** Launch index: the trajectory's run number. */
  readonly index: number;
  readonly trial: TrialRecord;
  /** The proposal as the trajectory writes it (runs named by launch index). */
  readonly proposal: Proposal;
  /** Steps of the run it continues (0 for a new run). */
  readonly parentSteps: number;
  /** The whole simulated curve. */
  readonly curve: readonly CurvePoint[];
  readonly timing: RunTiming;
  readonly worker: number;
  /** Which points of `curve` the study has been told. */
  readonly told: boolean[];
  /** When each point of `curve` becomes visible (computed on first use). */
  visibleAt?: number[];
}

/** What a job knows that does not change while it runs. */
interface JobContext {
  readonly testbed: Testbed;
  readonly job: JobSpec;
  readonly study: Study;
  readonly clock: ClockOptions;
  readonly targetCost: number;
  readonly eps: number;
}

/** The loop's mutable state (one object, owned by {@link simulateJob}). */
interface SimState {
  /** Launch index of each launched trial (by trial id). */
  readonly indexOf: Map<number, number>;
  /** Running runs by trial id, in launch order. */
  readonly running: Map<number, Launched>;
  /** Free workers, ascending. */
  readonly free: number[];
  /** Trials asked for but not launched yet (batch > 1). */
  queue: TrialRecord[];
  /** Noise replicate of each run by trial id (noisy testbeds only). */
  readonly replicates: Map<number, number>;
  readonly points: TrajectoryPoint[];
  readonly failed: FailedProposal[];
  time: number;
  spent: number;
  failedInRow: number;
  launching: boolean;
  /** Whether some trial of the study was never launched (queued, or left when launching ended). */
  unlaunched: boolean;
  /** {@link historyNow}'s answer, until the harness next changes the study. */
  history: History | undefined;
}

/** Runs one job to the end of its budget (see the module comment). Never throws for optimiser failures: they end the trajectory with `error`. */
export function simulateJob(testbed: Testbed, job: JobSpec): Trajectory {
  const spec = testbed.metrics.find((m) => m.name === job.metric);
  const direction = spec?.direction ?? 'minimize';
  const { target } = testbed;
  const targetCost = testbed.cost(target.scale, target.steps);
  const state: SimState = {
    indexOf: new Map(),
    running: new Map(),
    free: [],
    queue: [],
    replicates: new Map(),
    points: [],
    failed: [],
    time: 0,
    spent: 0,
    failedInRow: 0,
    launching: true,
    unlaunched: false,
    history: undefined,
  };
  let error: string | undefined;
  try {
    const clock = validateClock(job.clock ?? { workers: 1 });
    for (let w = 0; w < clock.workers; w++) state.free.push(w);
    const ctx: JobContext = {
      testbed,
      job,
      study: benchStudy(testbed, job, direction),
      clock,
      targetCost,
      eps: 1e-9 * Math.max(1, job.budget),
    };
    for (;;) {
      fill(ctx, state);
      const next = earliest(state);
      if (next === undefined) break;
      state.time = next.timing.end;
      finish(ctx, state, next, false);
      applyStops(ctx, state);
    }
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return {
    method: job.method,
    testbed: testbed.name,
    metric: job.metric,
    direction,
    seed: job.seed,
    optimizerSeed: job.optimizerSeed,
    budget: job.budget,
    targetCost,
    ...(job.clock !== undefined ? { clock: job.clock } : {}),
    points: state.points,
    ...(state.failed.length > 0 ? { failedProposals: state.failed } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * The job's study: in memory, its config the testbed's (domains, scales,
 * steps, target, the job's metric, budget, method, settings and seed), its
 * search space `spaceFromTestbed`; one attempt per trial (a failed query is
 * not retried) and a clock that stands still (leases never expire).
 */
function benchStudy(testbed: Testbed, job: JobSpec, direction: 'minimize' | 'maximize'): Study {
  const config: StudyConfig = {
    name: 'bench',
    domains: testbed.domains.map((name) => ({ name, min: 0, max: 1 })),
    scales: testbed.scales.map((s) => ({ name: s.name, params: s.params })),
    steps: { min: testbed.steps.min, max: testbed.steps.max, logEvery: testbed.steps.logEvery },
    target: { scale: testbed.target.scale, steps: testbed.target.steps },
    metric: { name: job.metric, direction },
    // Unused: the study's search space carries the testbed's own cost model.
    cost: { kind: 'flops' },
    budget: job.budget,
    optimizer: {
      method: job.method,
      settings: (job.settings ?? {}) as StudyConfig['optimizer']['settings'],
    },
    seed: job.optimizerSeed,
    trials: { leaseSeconds: 600, maxAttempts: 1, maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES },
  };
  const store = new MemoryStudyStore({ clock: () => 0 });
  return Study.create(store, config, { space: spaceFromTestbed(testbed, job.metric) });
}

/** Tells the study the curve points of the running runs visible now. */
function tellVisible(ctx: JobContext, state: SimState): void {
  for (const l of state.running.values()) {
    const at = visibleAt(ctx, l);
    const news: CurvePoint[] = [];
    for (let i = 0; i < l.curve.length; i++) {
      if (!l.told[i] && (at[i] as number) <= state.time) {
        l.told[i] = true;
        news.push(l.curve[i] as CurvePoint);
      }
    }
    if (news.length > 0) {
      ctx.study.tell(l.trial.id, news, OWNER);
      state.history = undefined;
    }
  }
}

/** The history the method's `recommend` and `stop` see now: the launched runs, with the curves visible now. */
function historyNow(ctx: JobContext, state: SimState): History {
  tellVisible(ctx, state);
  if (state.history === undefined) {
    const h = ctx.study.history();
    state.history = state.unlaunched
      ? { ...h, runs: h.runs.filter((r) => state.indexOf.has(Number(r.id))) }
      : h;
  }
  return state.history;
}

/** When each point of a run's curve becomes visible (./sim-clock.ts). */
function visibleAt(ctx: JobContext, l: Launched): number[] {
  if (l.visibleAt === undefined) {
    const { testbed } = ctx;
    const { scale } = l.trial;
    const { parentSteps } = l;
    const cost = l.trial.cost;
    const base = parentSteps === 0 ? 0 : testbed.cost(scale, parentSteps);
    const total = l.trial.steps - parentSteps;
    l.visibleAt = l.curve.map((p) => {
      if (p.step <= parentSteps) return pointTime(l.timing, cost, undefined);
      let c: number;
      try {
        c = testbed.cost(scale, p.step) - base;
      } catch {
        // A cost model defined only on the declared step range: progress in steps instead.
        c = (cost * (p.step - parentSteps)) / Math.max(1, total);
      }
      return pointTime(l.timing, cost, c);
    });
  }
  return l.visibleAt;
}

/** Launches trials on free workers while launching goes on (step 1 of the loop). */
function fill(ctx: JobContext, state: SimState): void {
  while (state.launching && state.free.length > 0) {
    if (state.queue.length === 0) {
      tellVisible(ctx, state);
      const trials = ctx.study.ask(ctx.job.batch ?? 1, { owner: OWNER });
      state.history = undefined;
      if (trials.length === 0) {
        // Nothing to propose: wait for a running run to finish, or end.
        if (state.running.size === 0) state.launching = false;
        return;
      }
      state.queue = trials.slice();
      state.unlaunched ||= trials.length > 1;
    }
    launch(ctx, state, state.queue.shift() as TrialRecord);
  }
}

/** The proposal of trial `t` as the trajectory writes it: a continuation names its parent `r<launch index>`. */
function trajectoryProposal(state: SimState, t: TrialRecord): Proposal {
  const parent = t.parent === undefined ? undefined : state.indexOf.get(t.parent);
  return {
    mixture: t.mixture,
    scale: t.scale,
    steps: t.steps,
    ...(t.parent !== undefined ? { continues: `r${parent ?? `?${t.parent}`}` } : {}),
  };
}

/** Starts one trial, or records it as failed, or ends launching (the trials left are failed, charged nothing). */
function launch(ctx: JobContext, state: SimState, t: TrialRecord): void {
  const { testbed, job, study } = ctx;
  let committed = 0;
  for (const l of state.running.values()) committed += l.trial.cost;
  if (
    state.spent + committed + t.cost > job.budget + ctx.eps ||
    state.indexOf.size >= (job.maxRuns ?? 10_000)
  ) {
    state.launching = false;
    state.unlaunched = true;
    state.history = undefined;
    for (const left of [t, ...state.queue]) {
      study.fail(left.id, 'not launched: the budget or the run cap is reached', OWNER, {
        charged: 0,
      });
    }
    state.queue = [];
    return;
  }
  const index = state.indexOf.size;
  state.indexOf.set(t.id, index);
  const proposal = trajectoryProposal(state, t);
  let curve: CurvePoint[];
  try {
    let replicate: number | undefined;
    if (testbed.observe !== undefined) {
      replicate =
        t.parent !== undefined
          ? (state.replicates.get(t.parent) as number)
          : replicateFor(job.optimizerSeed, index);
      state.replicates.set(t.id, replicate);
    }
    curve = simulatedCurve(testbed, t, job.metric, replicate);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    state.failed.push({ run: index, proposal, error: message });
    study.fail(t.id, message, OWNER, { charged: 0 });
    state.history = undefined;
    state.failedInRow++;
    if (state.failedInRow >= MAX_CONSECUTIVE_FAILURES) {
      throw new StateError(
        `${state.failedInRow} proposals in a row failed on testbed '${testbed.name}'; the last: ${message}`,
      );
    }
    return;
  }
  state.failedInRow = 0;
  const bad = curve.find((c) => !Number.isFinite(c.value));
  if (bad !== undefined) {
    throw new NumericsError(
      `testbed '${testbed.name}' returned ${bad.value} for ${job.metric} at ${t.scale}, step ${bad.step} of mixture ${JSON.stringify(t.mixture)}; the testbed is broken for this query`,
    );
  }
  const worker = state.free.shift() as number;
  const timing = runTiming(ctx.clock, job.optimizerSeed, index, t.scale, t.cost, state.time);
  const parentSteps = t.parent === undefined ? 0 : study.trial(t.parent).steps;
  state.running.set(t.id, {
    index,
    trial: t,
    proposal,
    parentSteps,
    curve,
    timing,
    worker,
    told: curve.map(() => false),
  });
}

/** The running run that ends first (ties: the earlier launched). */
function earliest(state: SimState): Launched | undefined {
  let best: Launched | undefined;
  for (const l of state.running.values()) {
    if (best === undefined || l.timing.end < best.timing.end) best = l;
  }
  return best;
}

/**
 * Ends a run at the current time: completed (its whole curve, its whole cost)
 * or stopped (the visible curve, the trained fraction of its cost); frees its
 * worker and scores the recommendation.
 */
function finish(ctx: JobContext, state: SimState, l: Launched, stopped: boolean): void {
  const { study } = ctx;
  let cost: number;
  state.history = undefined;
  if (stopped) {
    tellVisible(ctx, state);
    const trained = trainedFraction(l.timing, state.time);
    cost = study.stop(l.trial.id, OWNER, { trained }).cost;
    state.history = undefined;
  } else {
    const rest = l.curve.filter((_p, i) => !l.told[i]);
    study.tell(l.trial.id, rest, OWNER, { final: true });
    cost = l.trial.cost;
  }
  state.running.delete(l.trial.id);
  state.free.push(l.worker);
  state.free.sort((a, b) => a - b);
  state.spent += cost;
  score(ctx, state, l, cost, stopped);
}

/** Scores the method's recommendation after run `l` ended (step 2 of the loop). */
function score(
  ctx: JobContext,
  state: SimState,
  l: Launched,
  cost: number,
  stopped: boolean,
): void {
  const { testbed, job } = ctx;
  const { target } = testbed;
  const history = historyNow(ctx, state);
  const { runs } = history;
  const rec = ctx.study.optimizerNow().recommend(history);
  if (rec === undefined) {
    throw new InternalError(
      `optimiser '${job.method}' gave no recommendation after run r${l.index} ended`,
    );
  }
  const isTarget = (r: RunRecord): boolean =>
    r.state === 'completed' && r.scale === target.scale && r.steps === target.steps;
  const recRun =
    (rec.runId !== undefined ? runs.find((r) => r.id === rec.runId) : undefined) ??
    runs.find((r) => r.mixture.every((x, i) => x === rec.mixture[i]) && isTarget(r));
  const confirm = !(
    recRun !== undefined &&
    isTarget(recRun) &&
    recRun.mixture.every((x, i) => x === rec.mixture[i])
  );
  const value = testbed.evaluate(rec.mixture, target.scale, target.steps, job.metric);
  if (!Number.isFinite(value)) {
    throw new NumericsError(
      `testbed '${testbed.name}' returned ${value} for ${job.metric} at the target for mixture ${JSON.stringify(rec.mixture)}`,
    );
  }
  state.points.push({
    run: l.index,
    proposal: l.proposal,
    cost,
    spent: state.spent,
    x: state.spent + (confirm ? ctx.targetCost : 0),
    confirm,
    recommended: rec.mixture,
    value,
    ...(job.clock !== undefined
      ? { start: l.timing.start, time: state.time, worker: l.worker }
      : {}),
    ...(stopped ? { stopped: true } : {}),
  });
}

/** Asks the method which running runs to stop now (`study.stops`), and stops them (step 3 of the loop). */
function applyStops(ctx: JobContext, state: SimState): void {
  if (state.running.size === 0 || ctx.study.optimizerNow().stop === undefined) return;
  const ids = ctx.study.stops(historyNow(ctx, state));
  for (const id of ids) finish(ctx, state, state.running.get(id) as Launched, true);
}
