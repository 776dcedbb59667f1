/**
 * One benchmark job: a method optimises one metric of a testbed from an empty
 * history until the budget is spent, and every run is recorded as a
 * trajectory point (format: ./trajectory.ts).
 *
 * Loop: `propose(history, batch)`; for each proposal in turn, its cost is
 * `c(m, z) - (continuation ? c(m, z_parent) : 0)`; if `spent + cost` would
 * exceed the budget the job ends; otherwise the run is simulated
 * (`curve = testbed.curve(w, m, z, metric)`, the whole learning curve), added
 * to the history, and the method's recommendation is scored at the target:
 * `value = testbed.evaluate(w_rec, m*, z*, metric)`, charged at
 * `x = spent + (w_rec is a completed target run ? 0 : c(m*, z*))`.
 *
 * A proposal the testbed cannot answer (e.g. a replay asked for a step its
 * run never reached) is a failed run, like a failed training job: it enters
 * the history as `failed`, is charged nothing (no run took place), and is
 * listed in the trajectory's `failedProposals`. After
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
  SIMPLEX_TOL,
  StateError,
  spaceFromTestbed,
  type Testbed,
  validateMixture,
} from '../core/index.ts';
import { createOptimizer } from '../optimizers/index.ts';
import { replicateFor } from '../testbeds/index.ts';
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
}

/**
 * Checks a proposal against the testbed's space and the history.
 * @throws InternalError (an optimiser bug) naming the bad field.
 */
export function checkProposal(testbed: Testbed, p: Proposal, runs: readonly RunRecord[]): void {
  try {
    validateMixture(p.mixture, testbed.domains.length, 'proposal mixture');
  } catch (err) {
    throw new InternalError(`optimiser proposed an invalid mixture: ${(err as Error).message}`);
  }
  if (!testbed.scales.some((s) => s.name === p.scale)) {
    throw new InternalError(`optimiser proposed unknown scale '${p.scale}'`, { proposal: p });
  }
  if (!Number.isInteger(p.steps) || p.steps < testbed.steps.min || p.steps > testbed.steps.max) {
    throw new InternalError(
      `optimiser proposed ${p.steps} steps, outside ${testbed.steps.min}..${testbed.steps.max}`,
      { proposal: p },
    );
  }
  if (p.continues !== undefined) {
    const parent = runs.find((r) => r.id === p.continues);
    const same =
      parent !== undefined &&
      parent.scale === p.scale &&
      parent.steps < p.steps &&
      parent.mixture.every((x, i) => Math.abs(x - (p.mixture[i] as number)) <= SIMPLEX_TOL);
    if (!same) {
      throw new InternalError(
        `optimiser proposed to continue run '${p.continues}' with a different mixture or scale, or fewer steps`,
        { proposal: p },
      );
    }
  }
}

/** Failed proposals in a row after which a job ends with an error. */
export const MAX_CONSECUTIVE_FAILURES = 20;

/** Runs one job to the end of its budget (see the module comment). Never throws for optimiser failures: they end the trajectory with `error`. */
export function simulateJob(testbed: Testbed, job: JobSpec): Trajectory {
  const spec = testbed.metrics.find((m) => m.name === job.metric);
  const space = spaceFromTestbed(testbed, job.metric);
  const direction = spec?.direction ?? 'minimize';
  const { target } = testbed;
  const targetCost = testbed.cost(target.scale, target.steps);
  const batch = job.batch ?? 1;
  const maxRuns = job.maxRuns ?? 10_000;
  const eps = 1e-9 * Math.max(1, job.budget);
  const runs: RunRecord[] = [];
  /** Noise replicate of each run (noisy testbeds only). */
  const replicates = new Map<string, number>();
  const points: TrajectoryPoint[] = [];
  let spent = 0;
  let error: string | undefined;
  const failed: FailedProposal[] = [];
  let failedInRow = 0;
  const history = (): History => ({ runs: runs.slice(), spent, budget: job.budget });
  try {
    const opt = createOptimizer(job.method, {
      space,
      seed: job.optimizerSeed,
      ...(job.settings !== undefined ? { settings: job.settings } : {}),
    });
    let done = false;
    while (!done) {
      const proposals = opt.propose(history(), batch);
      if (proposals.length === 0) break;
      for (const p of proposals) {
        checkProposal(testbed, p, runs);
        const parent =
          p.continues === undefined ? undefined : runs.find((r) => r.id === p.continues);
        const cost =
          testbed.cost(p.scale, p.steps) -
          (parent !== undefined ? testbed.cost(parent.scale, parent.steps) : 0);
        if (spent + cost > job.budget + eps || runs.length >= maxRuns) {
          done = true;
          break;
        }
        const id = `r${runs.length}`;
        let curve: CurvePoint[];
        try {
          if (testbed.observe !== undefined) {
            const replicate =
              parent !== undefined
                ? (replicates.get(parent.id) as number)
                : replicateFor(job.optimizerSeed, runs.length);
            replicates.set(id, replicate);
            curve = testbed.observe(p.mixture, p.scale, p.steps, job.metric, replicate);
          } else curve = testbed.curve(p.mixture, p.scale, p.steps, job.metric);
        } catch (err) {
          const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          failed.push({ run: runs.length, proposal: p, error: message });
          runs.push({
            id,
            mixture: p.mixture,
            scale: p.scale,
            steps: p.steps,
            curve: [],
            state: 'failed',
            cost: 0,
          });
          failedInRow++;
          if (failedInRow >= MAX_CONSECUTIVE_FAILURES) {
            throw new StateError(
              `${failedInRow} proposals in a row failed on testbed '${testbed.name}'; the last: ${message}`,
            );
          }
          continue;
        }
        failedInRow = 0;
        const bad = curve.find((c) => !Number.isFinite(c.value));
        if (bad !== undefined) {
          throw new NumericsError(
            `testbed '${testbed.name}' returned ${bad.value} for ${job.metric} at ${p.scale}, step ${bad.step} of mixture ${JSON.stringify(p.mixture)}; the testbed is broken for this query`,
          );
        }
        const run: RunRecord = {
          id,
          mixture: p.mixture,
          scale: p.scale,
          steps: p.steps,
          curve,
          state: 'completed',
          cost,
          ...(parent !== undefined ? { parent: parent.id } : {}),
        };
        runs.push(run);
        spent += cost;
        const rec = opt.recommend(history());
        if (rec === undefined) {
          throw new InternalError(
            `optimiser '${job.method}' gave no recommendation after ${runs.length} observed run(s)`,
          );
        }
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
        points.push({
          run: runs.length - 1,
          proposal: p,
          cost,
          spent,
          x: spent + (confirm ? targetCost : 0),
          confirm,
          recommended: rec.mixture,
          value,
        });
      }
    }
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  function isTarget(r: RunRecord): boolean {
    return r.state === 'completed' && r.scale === target.scale && r.steps === target.steps;
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
    points,
    ...(failed.length > 0 ? { failedProposals: failed } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}
