/**
 * Parameterisations of the (bounded) simplex for gradient-based search, with
 * their exact chain rules.
 *
 * Notation:
 * - `k`            number of domains; `w` (length k) a mixture.
 * - `lo`, `hi`     per-domain bounds, `0 <= lo_i <= hi_i <= 1`, `sum lo <= 1 <= sum hi`
 *                  (defaults 0 and 1); `C = {w : sum w = 1, lo <= w <= hi}`.
 * - `theta`        the unconstrained-in-a-box parameter (length k) that L-BFGS-B moves.
 * - `P(v)`         Euclidean projection of `v` onto `C`:
 *                  `P(v)_i = clip(v_i - tau, lo_i, hi_i)` with `tau` such that `sum = 1`.
 *                  On the free set `F = {i : lo_i < P(v)_i < hi_i}` its Jacobian is
 *                  `J_P = I_F - 1_F 1_F^T / |F|` (zero rows/columns off `F`).
 * - `softmax(theta)_i = exp(theta_i) / sum_j exp(theta_j)`, Jacobian
 *                  `J_sm = diag(w) - w w^T`, so `g_theta = w * (g_w - <w, g_w>)`.
 *
 * - `normalize(u) = u / S`, `S = sum_j u_j`, Jacobian `(e_j - w) / S` in column j, so
 *                  `g_u = (g_w - <w, g_w>) / S`.
 *
 * Two parameterisations (P omitted when there are no bounds):
 * - `'normalized'` (default): `w = P(u / sum u)`, `u in [0, 1]^k`. Every
 *   vertex and face is reached exactly at a box bound (`u = e_i`, `u_i = 0`),
 *   which L-BFGS-B handles natively, and the gradient of a coordinate at
 *   `u_i = 0` is not zero, so the search can leave a face again. (Plain
 *   projection `w = P(theta)` was tried first and rejected: a coordinate
 *   clamped at 0 gets a zero gradient and the search sticks on faces.)
 * - `'softmax'`: `w = P(softmax(theta))`, `theta in [-B, B]`. Smooth, but a
 *   vertex is reached only in the limit (`w_i >= 1 - (k-1) e^{-2B}`), and
 *   gradients vanish there.
 *
 * With bounds, `P` is piecewise linear; a coordinate clamped at a bound gets a
 * zero gradient through `P` (the objective is flat there to first order).
 *
 * The authors' reference code passed `dEI/dw` where `dEI/dtheta` was needed;
 * {@link SimplexMap.pullback} applies the full Jacobian transpose.
 */
import { ValidationError } from '../core/index.ts';

/** Per-domain bounds as a space declares them. */
export type DomainBounds = readonly { readonly min: number; readonly max: number }[];

/** Which parameterisation {@link makeSimplexMap} builds. */
export type SimplexParameterization = 'normalized' | 'softmax';

/** Below this `sum u` the normalised map returns the barycentre (and a zero gradient). */
const TINY_SUM = 1e-12;

/** Validated bounds as two arrays. */
export interface BoxBounds {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** False when every bound is the default [0, 1]. */
  readonly active: boolean;
}

/**
 * Validates per-domain bounds (or defaults to [0, 1]).
 * @throws ValidationError when a bound is outside [0, 1], min > max, or the bounds admit no mixture.
 */
export function boxBounds(k: number, bounds?: DomainBounds): BoxBounds {
  const lo = new Float64Array(k);
  const hi = new Float64Array(k).fill(1);
  let active = false;
  if (bounds !== undefined) {
    if (bounds.length !== k) {
      throw new ValidationError(
        `bounds must have ${k} entries (one per domain), got ${bounds.length}`,
      );
    }
    for (let i = 0; i < k; i++) {
      const b = bounds[i]!;
      if (!(b.min >= 0 && b.max <= 1 && b.min <= b.max)) {
        throw new ValidationError(
          `bounds[${i}] = [${b.min}, ${b.max}] is invalid; need 0 <= min <= max <= 1`,
          { index: i, min: b.min, max: b.max },
        );
      }
      lo[i] = b.min;
      hi[i] = b.max;
      if (b.min > 0 || b.max < 1) active = true;
    }
  }
  let sLo = 0;
  let sHi = 0;
  for (let i = 0; i < k; i++) {
    sLo += lo[i]!;
    sHi += hi[i]!;
  }
  if (sLo > 1 + 1e-12 || sHi < 1 - 1e-12) {
    throw new ValidationError(
      `per-domain bounds admit no mixture: the minima sum to ${+sLo.toPrecision(12)} and the maxima to ${+sHi.toPrecision(12)}; need sum(min) <= 1 <= sum(max)`,
      { sumMin: sLo, sumMax: sHi },
    );
  }
  return { lo, hi, active };
}

/**
 * Euclidean projection of `v` onto `C = {w : sum w = 1, lo <= w <= hi}`.
 * `tau` is found by bisection on the monotone `g(tau) = sum clip(v - tau, lo, hi) - 1`,
 * then solved exactly on the free set.
 * @returns the projection and its free set (`free[i]` true when `lo_i < w_i < hi_i`).
 */
export function projectOntoBoundedSimplex(
  v: ArrayLike<number>,
  b: BoxBounds,
): { w: Float64Array; free: Uint8Array } {
  const k = v.length;
  const { lo, hi } = b;
  const sum = (tau: number): number => {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.min(hi[i]!, Math.max(lo[i]!, (v[i] as number) - tau));
    return s;
  };
  let a = Number.POSITIVE_INFINITY;
  let c = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < k; i++) {
    const vi = v[i] as number;
    a = Math.min(a, vi - hi[i]!);
    c = Math.max(c, vi - lo[i]!);
  }
  // sum(a) = sum hi >= 1, sum(c) = sum lo <= 1.
  for (let it = 0; it < 200 && c - a > 1e-15 * (1 + Math.abs(a) + Math.abs(c)); it++) {
    const mid = 0.5 * (a + c);
    if (sum(mid) >= 1) a = mid;
    else c = mid;
  }
  let tau = 0.5 * (a + c);
  const free = new Uint8Array(k);
  // Exact tau on the free set at the bisected tau.
  let nFree = 0;
  let fixedSum = 0;
  let freeV = 0;
  for (let i = 0; i < k; i++) {
    const u = (v[i] as number) - tau;
    if (u > lo[i]! && u < hi[i]!) {
      free[i] = 1;
      nFree++;
      freeV += v[i] as number;
    } else fixedSum += u <= lo[i]! ? lo[i]! : hi[i]!;
  }
  if (nFree > 0) {
    const t2 = (freeV + fixedSum - 1) / nFree;
    // Keep the exact tau only when it leaves the free set unchanged.
    let ok = true;
    for (let i = 0; i < k && ok; i++) {
      const u = (v[i] as number) - t2;
      if (free[i] === 1 && !(u > lo[i]! && u < hi[i]!)) ok = false;
    }
    if (ok) tau = t2;
  }
  const w = new Float64Array(k);
  let s = 0;
  for (let i = 0; i < k; i++) {
    w[i] = Math.min(hi[i]!, Math.max(lo[i]!, (v[i] as number) - tau));
    s += w[i]!;
  }
  // Remove the last rounding error on the free coordinates.
  if (nFree > 0 && s !== 1) {
    const corr = (1 - s) / nFree;
    for (let i = 0; i < k; i++) if (free[i] === 1) w[i] = w[i]! + corr;
  }
  return { w, free };
}

/** `g_v = J_P^T g_w` for the projection with free set `free` (in place into `out`). */
function projectionPullback(gw: ArrayLike<number>, free: Uint8Array, out: Float64Array): void {
  const k = free.length;
  let n = 0;
  let s = 0;
  for (let i = 0; i < k; i++) {
    if (free[i] === 1) {
      n++;
      s += gw[i] as number;
    }
  }
  const mean = n > 0 ? s / n : 0;
  for (let i = 0; i < k; i++) out[i] = free[i] === 1 ? (gw[i] as number) - mean : 0;
}

/** A map from a box-constrained parameter `theta` to the bounded simplex, with its chain rule. */
export interface SimplexMap {
  readonly k: number;
  /** Box bounds on `theta` for L-BFGS-B. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** `w(theta)`. */
  toSimplex(theta: ArrayLike<number>): Float64Array;
  /** `dF/dtheta = J(theta)^T dF/dw`. */
  pullback(theta: ArrayLike<number>, gradW: ArrayLike<number>): Float64Array;
  /** A `theta` with `w(theta)` equal (or, for softmax, close) to `w`. */
  fromSimplex(w: ArrayLike<number>): Float64Array;
}

/** Options of {@link makeSimplexMap}. */
export interface SimplexMapOptions {
  readonly parameterization?: SimplexParameterization;
  readonly bounds?: DomainBounds;
  /** Softmax logit bound `B` (default 20: off-vertex weights down to ~4e-18). */
  readonly logitBound?: number;
}

/**
 * Builds a parameterisation of the bounded simplex (see the module glossary).
 * @throws ValidationError for infeasible bounds.
 */
export function makeSimplexMap(k: number, options: SimplexMapOptions = {}): SimplexMap {
  if (!Number.isInteger(k) || k < 1) {
    throw new ValidationError(`the number of domains must be a positive integer, got ${k}`);
  }
  const b = boxBounds(k, options.bounds);
  const kind = options.parameterization ?? 'normalized';
  if (kind === 'normalized') {
    // w = P(u / S), S = sum u, u in [0, 1]^k; dw/du_j = (e_j - w) / S before P.
    const normalize = (u: ArrayLike<number>): { v: Float64Array; S: number } => {
      let S = 0;
      for (let i = 0; i < k; i++) S += u[i] as number;
      const v = new Float64Array(k);
      if (!(S > TINY_SUM)) {
        v.fill(1 / k);
        return { v, S: Number.POSITIVE_INFINITY };
      }
      for (let i = 0; i < k; i++) v[i] = (u[i] as number) / S;
      return { v, S };
    };
    return {
      k,
      lower: new Float64Array(k),
      upper: new Float64Array(k).fill(1),
      toSimplex: (u) => {
        const { v } = normalize(u);
        return b.active ? projectOntoBoundedSimplex(v, b).w : v;
      },
      pullback: (u, gw) => {
        const { v, S } = normalize(u);
        let gv: ArrayLike<number> = gw;
        if (b.active) {
          const g = new Float64Array(k);
          projectionPullback(gw, projectOntoBoundedSimplex(v, b).free, g);
          gv = g;
        }
        let dot = 0;
        for (let i = 0; i < k; i++) dot += v[i]! * (gv[i] as number);
        const out = new Float64Array(k);
        for (let j = 0; j < k; j++) out[j] = ((gv[j] as number) - dot) / S;
        return out;
      },
      fromSimplex: (w) => {
        const p = b.active ? projectOntoBoundedSimplex(w, b).w : Float64Array.from(w);
        let mx = 0;
        for (let i = 0; i < k; i++) mx = Math.max(mx, p[i]!);
        for (let i = 0; i < k; i++) p[i] = mx > 0 ? p[i]! / mx : 1;
        return p;
      },
    };
  }
  const B = options.logitBound ?? 20;
  if (!(B > 0)) throw new ValidationError(`logitBound must be positive, got ${B}`);
  const softmax = (theta: ArrayLike<number>): Float64Array => {
    let mx = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < k; i++) mx = Math.max(mx, theta[i] as number);
    const e = new Float64Array(k);
    let s = 0;
    for (let i = 0; i < k; i++) {
      e[i] = Math.exp((theta[i] as number) - mx);
      s += e[i]!;
    }
    for (let i = 0; i < k; i++) e[i] = e[i]! / s;
    return e;
  };
  return {
    k,
    lower: new Float64Array(k).fill(-B),
    upper: new Float64Array(k).fill(B),
    toSimplex: (theta) => {
      const u = softmax(theta);
      return b.active ? projectOntoBoundedSimplex(u, b).w : u;
    },
    pullback: (theta, gw) => {
      const u = softmax(theta);
      let gu: ArrayLike<number> = gw;
      if (b.active) {
        const g = new Float64Array(k);
        projectionPullback(gw, projectOntoBoundedSimplex(u, b).free, g);
        gu = g;
      }
      let dot = 0;
      for (let i = 0; i < k; i++) dot += u[i]! * (gu[i] as number);
      const out = new Float64Array(k);
      for (let i = 0; i < k; i++) out[i] = u[i]! * ((gu[i] as number) - dot);
      return out;
    },
    fromSimplex: (w) => {
      const out = new Float64Array(k);
      let mean = 0;
      for (let i = 0; i < k; i++) {
        out[i] = Math.log(Math.max(w[i] as number, Math.exp(-2 * B)));
        mean += out[i]! / k;
      }
      for (let i = 0; i < k; i++) out[i] = Math.min(B, Math.max(-B, out[i]! - mean));
      return out;
    },
  };
}
