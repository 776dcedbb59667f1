/**
 * The simulated clock of the benchmark harness (./simulate.ts): how long a run
 * takes on one of `q` workers and when each point of its learning curve
 * becomes visible.
 *
 * Notation (time is in the clock's unit: by default one unit of time per cost
 * unit, so that one worker's clock reads the cost spent):
 * - `c`   the cost charged for the run (a continuation: only its extra steps);
 * - `τ`   time per cost unit (`timePerCost`, default 1);
 * - `j`   relative jitter (default 0): the run's factor `f = 1 + j (2u - 1)`,
 *         `u ~ U[0, 1)` drawn from `Rng(optimizerSeed).fork('clock').fork(i)`
 *         for the run with index `i`, so durations depend on the seed and the
 *         run's index only, not on the optimiser's own draws;
 * - `o_m` start-up overhead of scale `m` (default 0): time the worker is busy
 *         before training starts, charged no cost.
 *
 * A run launched at `t0` trains from `t0 + o_m` to
 * `t1 = t0 + o_m + τ f c`. The point at step `s` (above the parent's
 * `z_p` steps, or above 0 for a new run) is visible from
 * `t0 + o_m + τ f (c(m, s) - c(m, z_p))`; a continuation's inherited points
 * (steps <= `z_p`) are visible from `t0`.
 */
import { Rng, ValidationError } from '../core/index.ts';

/** The simulated workers and how long runs take (see the module comment). */
export interface ClockOptions {
  /** Simulated workers `q` (a positive integer). */
  readonly workers: number;
  /** Time per cost unit `τ` (> 0; default 1). */
  readonly timePerCost?: number;
  /** Relative jitter `j` of a run's training time, in [0, 1) (default 0). */
  readonly jitter?: number;
  /** Start-up overhead `o_m` per scale name, in time units (>= 0; default 0). */
  readonly overhead?: Readonly<Record<string, number>>;
}

/**
 * Checks clock options once, at the boundary.
 * @throws ValidationError naming the bad value and the accepted range.
 */
export function validateClock(c: ClockOptions): ClockOptions {
  if (!Number.isSafeInteger(c.workers) || c.workers < 1) {
    throw new ValidationError(
      `simulated workers must be a positive integer, got ${String(c.workers)}`,
      { workers: c.workers },
    );
  }
  const tau = c.timePerCost ?? 1;
  if (!(tau > 0) || !Number.isFinite(tau)) {
    throw new ValidationError(
      `timePerCost must be a positive number of time units per cost unit, got ${String(tau)}`,
    );
  }
  const j = c.jitter ?? 0;
  if (!(j >= 0 && j < 1)) {
    throw new ValidationError(
      `jitter must be in [0, 1) (a fraction of the run's duration), got ${String(j)}`,
    );
  }
  for (const [scale, o] of Object.entries(c.overhead ?? {})) {
    if (!(o >= 0) || !Number.isFinite(o)) {
      throw new ValidationError(
        `overhead of scale '${scale}' must be a non-negative time, got ${String(o)}`,
      );
    }
  }
  return c;
}

/** When a launched run starts training and ends. */
export interface RunTiming {
  /** Launch time `t0`. */
  readonly start: number;
  /** Training start `t0 + o_m`. */
  readonly trainStart: number;
  /** End `t1`. */
  readonly end: number;
}

/** The timing of run `index` (cost `c`, scale `m`) launched at `t0`. */
export function runTiming(
  clock: ClockOptions,
  optimizerSeed: number,
  index: number,
  scale: string,
  cost: number,
  t0: number,
): RunTiming {
  const j = clock.jitter ?? 0;
  const f =
    j === 0 ? 1 : 1 + j * (2 * new Rng(optimizerSeed).fork('clock').fork(index).uniform() - 1);
  const trainStart = t0 + (clock.overhead?.[scale] ?? 0);
  return { start: t0, trainStart, end: trainStart + (clock.timePerCost ?? 1) * f * cost };
}

/**
 * The time from which a point is visible, given the cost `c_s` of training up
 * to its step (beyond the parent's steps; `undefined` for an inherited point)
 * out of the run's cost `c`: `trainStart + (t1 - trainStart) c_s / c`.
 */
export function pointTime(timing: RunTiming, cost: number, costToStep: number | undefined): number {
  if (costToStep === undefined) return timing.start;
  const frac = cost > 0 ? Math.min(1, Math.max(0, costToStep / cost)) : 1;
  return frac >= 1 ? timing.end : timing.trainStart + (timing.end - timing.trainStart) * frac;
}

/** The fraction of a run's training done at time `t` (0 before training starts, 1 at its end). */
export function trainedFraction(timing: RunTiming, t: number): number {
  if (t >= timing.end) return 1;
  const span = timing.end - timing.trainStart;
  return span > 0 ? Math.min(1, Math.max(0, (t - timing.trainStart) / span)) : 0;
}
