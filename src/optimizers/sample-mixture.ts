/**
 * Drawing mixtures inside a search space, and projecting onto it.
 *
 * Notation: `k` domains; `w` a mixture (length k, `w_i >= 0`, `sum w = 1`);
 * `lo_i <= w_i <= hi_i` the optional per-domain bounds of the space.
 */
import {
  type Mixture,
  type Rng,
  type SearchSpace,
  SIMPLEX_TOL,
  ValidationError,
} from '../core/index.ts';

/** Attempts of rejection sampling before falling back to projection. */
const MAX_REJECTIONS = 200;

/**
 * Euclidean projection of `v` onto `{w : sum w = 1, lo <= w <= hi}`:
 * `w_i = clip(v_i - tau, lo_i, hi_i)` with `tau` found by bisection so that
 * the weights sum to 1.
 * @throws ValidationError when the bounds admit no mixture (`sum lo > 1` or `sum hi < 1`).
 */
export function projectToSpace(
  v: readonly number[],
  bounds: readonly { readonly min: number; readonly max: number }[],
): number[] {
  const k = v.length;
  let sumLo = 0;
  let sumHi = 0;
  for (const b of bounds) {
    sumLo += b.min;
    sumHi += b.max;
  }
  if (bounds.length !== k || sumLo > 1 + SIMPLEX_TOL || sumHi < 1 - SIMPLEX_TOL) {
    throw new ValidationError(
      `bounds admit no mixture of ${k} domains (sum of minima ${sumLo}, sum of maxima ${sumHi}); make the minima sum to <= 1 and the maxima to >= 1`,
      { bounds },
    );
  }
  const at = (tau: number): number[] =>
    v.map((x, i) => {
      const b = bounds[i] as { min: number; max: number };
      return Math.min(b.max, Math.max(b.min, x - tau));
    });
  const sum = (w: number[]): number => w.reduce((a, b) => a + b, 0);
  let lo = Math.min(...v) - 2;
  let hi = Math.max(...v) + 2;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (sum(at(mid)) > 1) lo = mid;
    else hi = mid;
  }
  const w = at(0.5 * (lo + hi));
  // Remove the last rounding error on a free coordinate so the sum is 1 to machine precision.
  const err = 1 - sum(w);
  for (let i = 0; i < k; i++) {
    const b = bounds[i] as { min: number; max: number };
    const x = (w[i] as number) + err;
    if (x >= b.min && x <= b.max) {
      w[i] = x;
      break;
    }
  }
  return w;
}

/** Whether `w` satisfies the bounds of `space` (within {@link SIMPLEX_TOL}). */
export function withinBounds(w: Mixture, space: SearchSpace): boolean {
  if (space.bounds === undefined) return true;
  return space.bounds.every((b, i) => {
    const x = w[i] as number;
    return x >= b.min - SIMPLEX_TOL && x <= b.max + SIMPLEX_TOL;
  });
}

/**
 * A random mixture of `space`: uniform on the simplex (Dirichlet(1)); with
 * bounds, uniform on the bounded part by rejection, falling back to the
 * projection of a Dirichlet draw after {@link MAX_REJECTIONS} attempts (tight
 * bounds); for replay spaces, a uniformly chosen candidate.
 */
export function sampleMixture(rng: Rng, space: SearchSpace): number[] {
  if (space.candidates !== undefined && space.candidates.length > 0) {
    return [...rng.choice(space.candidates)];
  }
  const k = space.domains.length;
  let w = rng.dirichlet(1, k);
  if (space.bounds === undefined) return w;
  for (let t = 0; t < MAX_REJECTIONS; t++) {
    if (withinBounds(w, space)) return w;
    w = rng.dirichlet(1, k);
  }
  return projectToSpace(w, space.bounds);
}
