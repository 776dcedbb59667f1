/**
 * The simulator executor: a testbed stands in for training. A job "trains"
 * by revealing the testbed's learning curve, instantly or at a set pace
 * (`secondsPer1000Steps`), so that the whole study loop — leases, polling,
 * Ctrl-C, resume — can be exercised without a cluster.
 *
 * The handle's metadata holds the whole job (mixture, scale, steps, metrics,
 * start time), so any process can poll it: re-attaching after a restart
 * simply continues the clock from the recorded start.
 */

import { z } from 'zod';
import type {
  CurvePoint,
  Executor,
  JobHandle,
  JobReport,
  MetricPoint,
  Testbed,
  TrialSpec,
} from '../core/index.ts';
import { ExecutorError, NotFoundError, readBackMeta } from '../core/index.ts';

/** What the simulator trains: a mixture at a scale, for a number of steps. */
export interface SimulatedRun {
  readonly mixture: readonly number[];
  readonly scale: string;
  readonly steps: number;
}

/**
 * The learning curve of one metric the simulator reports for `run`: the
 * testbed's `curve(w, m, z, metric)`; on a noisy testbed (one with
 * `observe`) given a noise `replicate`, `observe(w, m, z, metric, replicate)`
 * instead (the same replicate extends the same noise realisation, so a
 * continuation given its parent's replicate sees the parent's values
 * unchanged). Shared by this executor and the benchmark harness
 * (bench/simulate.ts), so a testbed answers both the same way.
 * @throws whatever the testbed throws for a query it cannot answer (e.g. a
 *   replay asked for a step its run never reached).
 */
export function simulatedCurve(
  testbed: Testbed,
  run: SimulatedRun,
  metric: string,
  replicate?: number,
): CurvePoint[] {
  const w = run.mixture as number[];
  return replicate !== undefined && testbed.observe !== undefined
    ? testbed.observe(w, run.scale, run.steps, metric, replicate)
    : testbed.curve(w, run.scale, run.steps, metric);
}

/** Options of {@link createSimulatorExecutor}. */
export interface SimulatorExecutorOptions {
  readonly testbed: Testbed;
  /** Wall-clock seconds per 1000 simulated steps (0 = the whole curve at once). */
  readonly secondsPer1000Steps?: number;
  /** Milliseconds since the epoch (injectable for tests). */
  readonly clock?: () => number;
}

const SimMetaSchema = z.object({
  mixture: z.array(z.number()),
  scale: z.string(),
  steps: z.number().int().positive(),
  metrics: z.array(z.string()),
  startedAt: z.number(),
  msPerStep: z.number(),
});

/** What a simulator handle's `meta` holds (plain JSON). */
type SimMeta = Readonly<z.infer<typeof SimMetaSchema>>;

/** The meta of a stored simulator handle, checked. @throws DataError naming the bad field. */
function simMeta(handle: JobHandle): SimMeta {
  return readBackMeta(
    SimMetaSchema,
    handle,
    'simulator',
    'fail the trial (mixopt tell --trial ID --failed MESSAGE)',
  );
}

/** Builds the simulator executor over `testbed`. @throws NotFoundError when a study metric is not a testbed metric (at run time). */
export function createSimulatorExecutor(opts: SimulatorExecutorOptions): Executor {
  const { testbed } = opts;
  const clock = opts.clock ?? Date.now;
  // seconds per 1000 steps = milliseconds per step
  const msPerStep = opts.secondsPer1000Steps ?? 0;
  const cancelled = new Set<string>();
  return {
    name: 'simulator',
    async run(trial: TrialSpec): Promise<JobHandle> {
      for (const m of trial.metrics) {
        if (!testbed.metrics.some((x) => x.name === m)) {
          throw new NotFoundError(
            `testbed '${testbed.name}' has no metric '${m}'; its metrics: ${testbed.metrics.map((x) => x.name).join(', ')}`,
          );
        }
      }
      if (trial.domains.join(',') !== testbed.domains.join(',')) {
        throw new ExecutorError(
          `the study's domains (${trial.domains.join(', ')}) differ from testbed '${testbed.name}''s (${testbed.domains.join(', ')}); list the testbed's domains in the same order`,
        );
      }
      const meta: SimMeta = {
        mixture: [...trial.mixture],
        scale: trial.scale,
        steps: trial.steps,
        metrics: [...trial.metrics],
        startedAt: clock(),
        msPerStep,
      };
      return {
        executor: 'simulator',
        jobId: `sim-${trial.study}-${trial.trial}-${trial.attempt}`,
        meta: meta as unknown as JobHandle['meta'],
      };
    },
    async poll(handle: JobHandle): Promise<JobReport> {
      const m = simMeta(handle);
      if (cancelled.has(handle.jobId)) return { phase: 'failed', points: [], error: 'cancelled' };
      const elapsed = clock() - m.startedAt;
      // Steps trained so far, rounded down to the testbed's logging grid (a real run logs on it too).
      const log = testbed.steps.logEvery;
      const trained = m.msPerStep <= 0 ? m.steps : Math.floor(elapsed / m.msPerStep);
      const reached = trained >= m.steps ? m.steps : Math.floor(trained / log) * log;
      const points: MetricPoint[] = [];
      if (reached >= testbed.steps.min) {
        for (const metric of m.metrics) {
          let curve: { step: number; value: number }[];
          try {
            curve = simulatedCurve(testbed, { ...m, steps: reached }, metric);
          } catch (err) {
            return { phase: 'failed', points, error: `simulator: ${(err as Error).message}` };
          }
          for (const p of curve) points.push({ step: p.step, metric, value: p.value });
        }
      }
      return { phase: reached >= m.steps ? 'completed' : 'running', points };
    },
    async cancel(handle: JobHandle): Promise<void> {
      const m = simMeta(handle);
      const done = m.msPerStep <= 0 || clock() - m.startedAt >= m.msPerStep * m.steps;
      if (!done) cancelled.add(handle.jobId); // a finished job is left alone
    },
  };
}
