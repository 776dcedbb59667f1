/**
 * Speedups between methods, as docs/benchmarks.md (Definitions) defines them.
 *
 * Notation: `f_A`, `f_B` the curves (step functions of charged cost, see
 * ./step-function.ts) of methods A and B — the mean over seeds, or one seed's
 * curve; `H` the horizon (end of the budget plus one confirmation run);
 * `v_B = f_B(H)` B's own final value. For a threshold `v`,
 * `stay(f, v) = min { x : f(x') is at or better than v for every x' in [x, H] }`
 * ("stays at or better", not the first touch), undefined when `f(H)` is worse.
 *
 *   speedup(A over B) = stay(f_B, v_B) / stay(f_A, v_B)
 *
 * "Not reached" (A never stays at or better than `v_B` by `H`) is `null` with
 * the metric listed in `notReached`. The first-touch variant
 * `touch(f, v) = min { x : f(x) at or better than v }` is reported alongside,
 * never as the headline.
 */
import { type Direction, isBetter } from '../core/index.ts';
import type { StepFunction } from './step-function.ts';

/** Relative tolerance of "at or better" (absorbs rounding in means over seeds). */
const TIE_TOL = 1e-12;

/** Whether `a` is at or better than `v` under `direction`. */
export function atOrBetter(direction: Direction, a: number, v: number): boolean {
  return isBetter(direction, a, v) || Math.abs(a - v) <= TIE_TOL * Math.max(1, Math.abs(v));
}

/** The final value of a step function (its value from its last step on), or undefined. */
export function finalValue(f: StepFunction): number | undefined {
  return f.values[f.values.length - 1];
}

/** `stay(f, v)`: the cost from which `f` stays at or better than `v`; null when it ends worse. */
export function stayTime(f: StepFunction, v: number, direction: Direction): number | null {
  let t: number | null = null;
  for (let i = f.xs.length - 1; i >= 0; i--) {
    if (!atOrBetter(direction, f.values[i] as number, v)) break;
    t = f.xs[i] as number;
  }
  return t;
}

/** `touch(f, v)`: the first cost at which `f` is at or better than `v`; null when never. */
export function touchTime(f: StepFunction, v: number, direction: Direction): number | null {
  for (let i = 0; i < f.xs.length; i++) {
    if (atOrBetter(direction, f.values[i] as number, v)) return f.xs[i] as number;
  }
  return null;
}

/** Speedup of A over B and its parts. */
export interface PairSpeedup {
  /** `stay(f_B, v_B) / stay(f_A, v_B)`, or null when not reached (or B has no curve). */
  readonly speedup: number | null;
  /** First-touch variant: `touch(f_B, v_B) / touch(f_A, v_B)`. */
  readonly firstTouch: number | null;
  /** `v_B`. */
  readonly target: number | null;
  readonly costA: number | null;
  readonly costB: number | null;
}

/**
 * Speedup of curve `a` over curve `b` (see the module comment).
 * Both curves are taken as constant after their last step, up to the horizon.
 */
export function speedup(a: StepFunction, b: StepFunction, direction: Direction): PairSpeedup {
  const vB = finalValue(b);
  if (vB === undefined) {
    return { speedup: null, firstTouch: null, target: null, costA: null, costB: null };
  }
  const costB = stayTime(b, vB, direction);
  const costA = stayTime(a, vB, direction);
  const touchB = touchTime(b, vB, direction);
  const touchA = touchTime(a, vB, direction);
  return {
    speedup: costA === null || costB === null ? null : costB / costA,
    firstTouch: touchA === null || touchB === null ? null : touchB / touchA,
    target: vB,
    costA,
    costB,
  };
}
