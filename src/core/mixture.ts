/**
 * Mixture validation and history helpers shared by every component.
 */
import { ValidationError } from './errors.ts';
import type { History, Mixture, RunRecord } from './types.ts';

/** Tolerance on `|sum w - 1|` accepted from users. */
export const SIMPLEX_TOL = 1e-6;

/**
 * Checks that `w` is a mixture of `k` domains: right length, finite,
 * non-negative, summing to 1 within {@link SIMPLEX_TOL}.
 * @throws ValidationError naming the value and the accepted range.
 */
export function validateMixture(w: readonly number[], k: number, what = 'mixture'): Mixture {
  if (!Array.isArray(w) || w.length !== k) {
    throw new ValidationError(
      `${what} must have ${k} weights (one per domain), got ${Array.isArray(w) ? w.length : typeof w}: ${JSON.stringify(w)}`,
      { value: w, expectedLength: k },
    );
  }
  let s = 0;
  for (let i = 0; i < k; i++) {
    const x = w[i] as number;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new ValidationError(`${what}[${i}] must be a finite number, got ${String(x)}`, {
        value: w,
        index: i,
      });
    }
    if (x < 0) {
      throw new ValidationError(
        `${what}[${i}] = ${x} is negative; weights must be >= 0 and sum to 1`,
        { value: w, index: i },
      );
    }
    s += x;
  }
  if (Math.abs(s - 1) > SIMPLEX_TOL) {
    throw new ValidationError(
      `${what} weights sum to ${s}, not 1 (tolerance ${SIMPLEX_TOL}); normalise them, e.g. divide each by ${s}`,
      { value: w, sum: s },
    );
  }
  return w;
}

/**
 * The runs whose observations count: every run that has not been
 * superseded by a continuation (a child naming it as `parent`).
 */
export function activeRuns(history: History): RunRecord[] {
  const superseded = new Set<string>();
  for (const r of history.runs) if (r.parent !== undefined) superseded.add(r.parent);
  return history.runs.filter((r) => !superseded.has(r.id));
}
