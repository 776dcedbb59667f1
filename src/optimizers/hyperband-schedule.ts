/**
 * Hyperband bracket arithmetic (Li et al., "Hyperband: A Novel Bandit-Based
 * Approach to Hyperparameter Optimization", JMLR 2018, Algorithm 1), with the
 * resource being training steps at the target scale.
 *
 * Notation:
 * - `R`     maximum resource: the target's steps (19,700 on slimpajama-mlp).
 * - `eta`   reduction factor (3).
 * - `rMin`  smallest admissible resource: `max(steps.min, logEvery)`.
 * - `sMax = floor(log_eta(R / rMin))`, the most aggressive bracket.
 * - level `l = 0..sMax`: budget `b_l = min(R, ceil(R * eta^-l / logEvery) * logEvery)`
 *   (rounded UP to the logging interval so a run's last logged point is its budget).
 * - bracket `s = sMax..0`: `n_s = ceil((sMax + 1) * eta^s / (s + 1))` configurations;
 *   rung `i = 0..s` trains `n_{s,i} = floor(n_s / eta^i)` of them to `b_{s-i}` steps,
 *   keeping the best `n_{s,i+1}` for rung `i + 1`.
 *
 * On slimpajama-mlp (R = 19,700, logEvery = 100, min 100): sMax = 4, budgets
 * 300, 800, 2,200, 6,600, 19,700 (the paper quotes "about 300, 800, 2200,
 * 6600, 19600"; we end at the target's 19,700 so the last rung is a target run),
 * and brackets 81/27/9/3/1, 34/11/3/1, 15/5/1, 8/2, 5.
 */
import { ValidationError } from '../core/index.ts';

/** Inputs of {@link hyperbandSchedule}. */
export interface HyperbandScheduleOptions {
  /** Maximum resource in steps (the target's steps). */
  readonly maxSteps: number;
  /** Smallest admissible run length in steps. */
  readonly minSteps: number;
  /** Logging interval; budgets are rounded up to a multiple of it. */
  readonly logEvery: number;
  /** Reduction factor (default 3). */
  readonly eta?: number;
}

/** One rung of a bracket: how many configurations are trained to how many steps. */
export interface Rung {
  readonly n: number;
  readonly steps: number;
}

/** One bracket `s`: its rungs, in order. */
export interface Bracket {
  readonly s: number;
  readonly rungs: readonly Rung[];
}

/** The full schedule: level budgets and the brackets `sMax..0`. */
export interface HyperbandSchedule {
  readonly eta: number;
  readonly sMax: number;
  /** `budgets[l]` = steps at level `l` (level 0 = the full `R`). */
  readonly budgets: readonly number[];
  readonly brackets: readonly Bracket[];
}

/**
 * The Hyperband schedule for a step range (see the module comment for the arithmetic).
 * @throws ValidationError for non-positive steps, `maxSteps < minSteps`, or `eta < 2`.
 */
export function hyperbandSchedule(opts: HyperbandScheduleOptions): HyperbandSchedule {
  const eta = opts.eta ?? 3;
  const { maxSteps: R, logEvery } = opts;
  if (!Number.isInteger(eta) || eta < 2) {
    throw new ValidationError(`hyperband eta must be an integer >= 2, got ${String(eta)}`, {
      eta,
    });
  }
  if (!(logEvery > 0) || !(R > 0) || !(opts.minSteps > 0) || R < opts.minSteps) {
    throw new ValidationError(
      `hyperband needs 0 < minSteps <= maxSteps and logEvery > 0, got minSteps=${opts.minSteps}, maxSteps=${R}, logEvery=${logEvery}`,
      { ...opts },
    );
  }
  const rMin = Math.max(opts.minSteps, logEvery);
  let sMax = 0;
  while (R / eta ** (sMax + 1) >= rMin - 1e-9) sMax++;
  const budgets: number[] = [];
  for (let l = 0; l <= sMax; l++) {
    const raw = R / eta ** l;
    budgets.push(Math.min(R, Math.ceil(raw / logEvery - 1e-9) * logEvery));
  }
  // Rounding may merge the smallest levels when R is small: drop levels that collide.
  while (sMax > 0 && budgets[sMax] === budgets[sMax - 1]) {
    budgets.pop();
    sMax--;
  }
  const brackets: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((sMax + 1) * eta ** s) / (s + 1));
    const rungs: Rung[] = [];
    for (let i = 0; i <= s; i++) {
      rungs.push({ n: Math.floor(n / eta ** i), steps: budgets[s - i] as number });
    }
    brackets.push({ s, rungs });
  }
  return { eta, sMax, budgets, brackets };
}
