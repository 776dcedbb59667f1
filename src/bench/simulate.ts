/**
 * One benchmark job: a method optimises one metric of a testbed from an empty
 * history until the budget is spent, on `q` simulated workers (./sim-clock.ts;
 * `q = 1` without a clock is the sequential loop), and every finished run is
 * recorded as a trajectory point (format: ./trajectory.ts).
 *
 * The loop (the same ask/tell contract as a study, study/study.ts: one
 * proposal check and one cost rule, core/proposal.ts):
 * 1. While a worker is free and launching goes on, take the next proposal
 *    (asking `propose(history, batch)` when none is queued; the history holds
 *    the finished runs and the running ones, state `running`, with the part
 *    of their curves visible now). Its cost is `c(m, z) - (continuation ?
 *    c(m, z_parent) : 0)`; if `spent + committed + cost` would exceed the
 *    budget (committed: the cost of the running runs), launching ends and the
 *    running runs are drained. Otherwise the run is simulated
 *    (`curve = testbed.curve(w, m, z, metric)`, the whole learning curve,
 *    revealed point by point as the clock passes) and starts on the free
 *    worker with the lowest index.
 * 2. The clock jumps to the earliest end (ties: the earlier launched run);
 *    the run completes, its cost is charged, and the method's recommendation
 *    is scored at the target: `value = testbed.evaluate(w_rec, m*, z*,
 *    metric)`, charged at `x = spent + (w_rec is a completed target run ? 0 :
 *    c(m*, z*))`.
 * 3. A method with `stop` is then asked which running runs to stop: each
 *    keeps the curve points visible now, is charged the fraction of its
 *    training done (`cost · trainedFraction`) and is scored like a finished
 *    run (the point says `stopped`).
 * With one worker nothing is ever running when the method is asked, so `q = 1`
 * gives the sequential loop's trajectories exactly; time fields (`start`,
 * `time`, `worker`) are written only when the job has a clock.
 *
 * A proposal the testbed cannot answer (e.g. a replay asked for a step its
 * run never reached) is a failed run, like a failed training job: it enters
 * the history as `failed`, is charged nothing (no run took place), takes no
 * worker time and is listed in the trajectory's `failedProposals`. After
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
  checkProposal,
  type History,
  InternalError,
  NumericsError,
  type Optimizer,
  type Proposal,
  proposalCost,
  type RunRecord,
  StateError,
  spaceFromTestbed,
  type Testbed,
  ValidationError,
} from '../core/index.ts';
import { createOptimizer } from '../optimizers/index.ts';
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

/** A run on a worker. */
interface Launched {
  readonly index: number;
  readonly proposal: Proposal;
  readonly parent: RunRecord | undefined;
  readonly cost: number;
  /** The whole simulated curve. */
  readonly curve: readonly CurvePoint[];
  readonly timing: RunTiming;
  readonly worker: number;
  /** When each point of `curve` becomes visible (computed on first use). */
  visibleAt?: number[];
}

/** What a job knows that does not change while it runs. */
interface JobContext {
  readonly testbed: Testbed;
  readonly job: JobSpec;
  readonly opt: Optimizer;
  readonly clock: ClockOptions;
  readonly targetCost: number;
  readonly eps: number;
}

/** The loop's mutable state (one object, owned by {@link simulateJob}). */
interface SimState {
  /** Every run in launch order; a running one is a placeholder with state `running`. */
  readonly runs: RunRecord[];
  readonly running: Map<string, Launched>;
  /** Free workers, ascending. */
  readonly free: number[];
  /** Proposals asked for but not launched yet (batch > 1). */
  queue: Proposal[];
  /** Noise replicate of each run (noisy testbeds only). */
  readonly replicates: Map<string, number>;
  readonly points: TrajectoryPoint[];
  readonly failed: FailedProposal[];
  time: number;
  spent: number;
  failedInRow: number;
  launching: boolean;
}

/** Runs one job to the end of its budget (see the module comment). Never throws for optimiser failures: they end the trajectory with `error`. */
export function simulateJob(testbed: Testbed, job: JobSpec): Trajectory {
  const spec = testbed.metrics.find((m) => m.name === job.metric);
  const direction = spec?.direction ?? 'minimize';
  const { target } = testbed;
  const targetCost = testbed.cost(target.scale, target.steps);
  const state: SimState = {
    runs: [],
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
  };
  let error: string | undefined;
  try {
    const clock = validateClock(job.clock ?? { workers: 1 });
    for (let w = 0; w < clock.workers; w++) state.free.push(w);
    const opt = createOptimizer(job.method, {
      space: spaceFromTestbed(testbed, job.metric),
      seed: job.optimizerSeed,
      ...(job.settings !== undefined ? { settings: job.settings } : {}),
    });
    const ctx: JobContext = {
      testbed,
      job,
      opt,
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

/** The history the method sees now: finished runs, and running ones with their visible curves. */
function historyAt(ctx: JobContext, state: SimState): History {
  const runs =
    state.running.size === 0
      ? state.runs.slice()
      : state.runs.map((r) => {
          const l = state.running.get(r.id);
          return l === undefined ? r : { ...r, curve: visibleCurve(ctx, l, state.time) };
        });
  return { runs, spent: state.spent, budget: ctx.job.budget };
}

/** The points of a running run's curve visible at time `t`. */
function visibleCurve(ctx: JobContext, l: Launched, t: number): CurvePoint[] {
  if (l.visibleAt === undefined) {
    const { testbed } = ctx;
    const { scale } = l.proposal;
    const parentSteps = l.parent?.steps ?? 0;
    const base = l.parent === undefined ? 0 : testbed.cost(scale, parentSteps);
    const total = l.proposal.steps - parentSteps;
    l.visibleAt = l.curve.map((p) => {
      if (p.step <= parentSteps) return pointTime(l.timing, l.cost, undefined);
      let c: number;
      try {
        c = testbed.cost(scale, p.step) - base;
      } catch {
        // A cost model defined only on the declared step range: progress in steps instead.
        c = (l.cost * (p.step - parentSteps)) / Math.max(1, total);
      }
      return pointTime(l.timing, l.cost, c);
    });
  }
  const at = l.visibleAt;
  return l.curve.filter((_p, i) => (at[i] as number) <= t);
}

/** Launches proposals on free workers while launching goes on (step 1 of the loop). */
function fill(ctx: JobContext, state: SimState): void {
  while (state.launching && state.free.length > 0) {
    if (state.queue.length === 0) {
      const proposals = ctx.opt.propose(historyAt(ctx, state), ctx.job.batch ?? 1);
      if (proposals.length === 0) {
        // Nothing to propose: wait for a running run to finish, or end.
        if (state.running.size === 0) state.launching = false;
        return;
      }
      state.queue = proposals.slice();
    }
    launch(ctx, state, state.queue.shift() as Proposal);
  }
}

/** Checks, charges and starts one proposal, or records it as failed, or ends launching. */
function launch(ctx: JobContext, state: SimState, p: Proposal): void {
  const { testbed, job } = ctx;
  const parent =
    p.continues === undefined ? undefined : state.runs.find((r) => r.id === p.continues);
  checkProposal(testbed, p, parent, `optimiser '${job.method}' proposed`);
  const cost = proposalCost((m, z) => testbed.cost(m, z), p, parent?.steps);
  let committed = 0;
  for (const l of state.running.values()) committed += l.cost;
  if (
    state.spent + committed + cost > job.budget + ctx.eps ||
    state.runs.length >= (job.maxRuns ?? 10_000)
  ) {
    state.launching = false;
    state.queue = [];
    return;
  }
  const index = state.runs.length;
  const id = `r${index}`;
  let curve: CurvePoint[];
  try {
    if (testbed.observe !== undefined) {
      const replicate =
        parent !== undefined
          ? (state.replicates.get(parent.id) as number)
          : replicateFor(job.optimizerSeed, index);
      state.replicates.set(id, replicate);
      curve = testbed.observe(p.mixture, p.scale, p.steps, job.metric, replicate);
    } else curve = testbed.curve(p.mixture, p.scale, p.steps, job.metric);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    state.failed.push({ run: index, proposal: p, error: message });
    state.runs.push(runRecord(id, p, p.steps, [], 'failed', 0, undefined));
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
      `testbed '${testbed.name}' returned ${bad.value} for ${job.metric} at ${p.scale}, step ${bad.step} of mixture ${JSON.stringify(p.mixture)}; the testbed is broken for this query`,
    );
  }
  const worker = state.free.shift() as number;
  const timing = runTiming(ctx.clock, job.optimizerSeed, index, p.scale, cost, state.time);
  state.running.set(id, { index, proposal: p, parent, cost, curve, timing, worker });
  state.runs.push(runRecord(id, p, p.steps, [], 'running', cost, parent?.id));
}

/** What the method sees of a run (the key order of the sequential loop's records). */
function runRecord(
  id: string,
  p: Proposal,
  steps: number,
  curve: readonly CurvePoint[],
  runState: RunRecord['state'],
  cost: number,
  parent: string | undefined,
): RunRecord {
  return {
    id,
    mixture: p.mixture,
    scale: p.scale,
    steps,
    curve,
    state: runState,
    cost,
    ...(parent !== undefined ? { parent } : {}),
  };
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
  const p = l.proposal;
  const id = `r${l.index}`;
  const parentSteps = l.parent?.steps ?? 0;
  let curve: readonly CurvePoint[] = l.curve;
  let cost = l.cost;
  let steps = p.steps;
  let done = true;
  if (stopped) {
    curve = visibleCurve(ctx, l, state.time);
    cost = l.cost * trainedFraction(l.timing, state.time);
    const last = curve[curve.length - 1];
    done = last !== undefined && last.step > parentSteps;
    steps = done ? (last as CurvePoint).step : p.steps;
  }
  state.runs[l.index] = runRecord(
    id,
    p,
    steps,
    curve,
    done ? 'completed' : 'failed',
    cost,
    l.parent?.id,
  );
  state.running.delete(id);
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
  const { testbed, job, opt } = ctx;
  const { target } = testbed;
  const runs = state.runs;
  const rec = opt.recommend(historyAt(ctx, state));
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

/** Asks a method with `stop` which running runs to stop now, and stops them (step 3 of the loop). */
function applyStops(ctx: JobContext, state: SimState): void {
  if (ctx.opt.stop === undefined || state.running.size === 0) return;
  const ids = ctx.opt.stop(historyAt(ctx, state));
  for (const id of ids) {
    const l = state.running.get(id);
    if (l === undefined) {
      throw new ValidationError(
        `optimiser '${ctx.job.method}' asked to stop run '${id}', which is not running; stop only runs whose state is running`,
        { id },
      );
    }
    finish(ctx, state, l, true);
  }
}
