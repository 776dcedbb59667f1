/**
 * Maximising a function of the mixture over the (bounded) simplex:
 * multi-start L-BFGS-B in a box parameterisation of the simplex.
 *
 * Notation:
 * - `k`        number of domains; `w` a mixture; `f(w)` the objective (e.g. log EI),
 *              `g_w = df/dw` its gradient, filled by the caller's callback.
 * - `theta`    the box parameter moved by L-BFGS-B, `w = w(theta)` (see simplex.ts);
 *              the chain rule `df/dtheta = J(theta)^T g_w` is applied here.
 * - pool       the candidate starting points: given `initial` points, plus
 *              (when `rawSamples > 0`) scrambled Sobol mixtures and the k vertices,
 *              all projected into the bounds. With `rawSamples = 0` the starts are
 *              the `initial` points followed by Dirichlet(1) draws (the paper's
 *              "random gradient starts").
 */
import { type Mixture, type Rng, sobolSimplex, ValidationError } from '../core/index.ts';
import { lbfgsb } from '../linalg/index.ts';
import {
  boxBounds,
  type DomainBounds,
  makeSimplexMap,
  projectOntoBoundedSimplex,
  type SimplexParameterization,
} from './simplex.ts';

/** Objective on the simplex: returns `f(w)` and writes `df/dw` into `grad` (length k, zeroed). */
export type SimplexObjective = (w: Float64Array, grad: Float64Array) => number;

/** Options of {@link maximizeOverSimplex}. */
export interface MaximizeOverSimplexOptions {
  /** Number of L-BFGS-B runs (0: evaluate the pool only). */
  readonly starts: number;
  /** Source of the random starts / Sobol scramble. */
  readonly rng: Rng;
  /** Per-domain bounds (respected by construction). */
  readonly bounds?: DomainBounds;
  /** Evaluate this many Sobol mixtures plus the vertices and start from the best (default 0). */
  readonly rawSamples?: number;
  /** Extra starting points (e.g. incumbents), tried first. */
  readonly initial?: readonly (readonly number[])[];
  /** Default `'normalized'` (reaches vertices and faces exactly). */
  readonly parameterization?: SimplexParameterization;
  /** L-BFGS-B iteration limit per start (default 60). */
  readonly maxIter?: number;
  /** When set, the search is discrete over these mixtures (replay spaces). */
  readonly candidates?: readonly Mixture[];
}

/** What {@link maximizeOverSimplex} returns. */
export interface SimplexMaximum {
  readonly w: number[];
  readonly value: number;
  /** Objective evaluations spent. */
  readonly evaluations: number;
  /** The local optima found from each start (best first), for diversity-aware callers. */
  readonly local: readonly { readonly w: number[]; readonly value: number }[];
}

/** Large finite stand-in for a non-finite objective (keeps L-BFGS-B away from it). */
const BAD = 1e100;

/**
 * Maximises `f` over `C = {w : sum w = 1, lo <= w <= hi}` by multi-start
 * L-BFGS-B on a box parameterisation with the exact chain rule (see simplex.ts).
 * Non-finite objective values count as `-infinity` (never returned as the maximum
 * unless nothing else was finite).
 *
 * @throws ValidationError for bad options (k < 1, negative starts, infeasible bounds, empty candidates).
 * @example
 * // maximise -(w - c)^2 on the simplex
 * maximizeOverSimplex((w, g) => { ... }, 3, { starts: 5, rng: new Rng(0) });
 */
export function maximizeOverSimplex(
  f: SimplexObjective,
  k: number,
  options: MaximizeOverSimplexOptions,
): SimplexMaximum {
  if (!Number.isInteger(options.starts) || options.starts < 0) {
    throw new ValidationError(`starts must be a non-negative integer, got ${options.starts}`);
  }
  let evaluations = 0;
  const evalAt = (w: Float64Array): number => {
    const g = new Float64Array(k);
    evaluations++;
    const v = f(w, g);
    return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
  };
  if (options.candidates !== undefined) {
    if (options.candidates.length === 0) throw new ValidationError('candidates is empty');
    const local = options.candidates.map((c) => ({
      w: [...c],
      value: evalAt(Float64Array.from(c)),
    }));
    local.sort((a, b) => b.value - a.value);
    const best = local[0]!;
    return { w: best.w, value: best.value, evaluations, local };
  }
  const b = boxBounds(k, options.bounds);
  const map = makeSimplexMap(k, {
    parameterization: options.parameterization ?? 'normalized',
    ...(options.bounds !== undefined ? { bounds: options.bounds } : {}),
  });
  const project = (w: ArrayLike<number>): Float64Array => projectOntoBoundedSimplex(w, b).w;

  // Starting points.
  const rawSamples = options.rawSamples ?? 0;
  const pool: Float64Array[] = (options.initial ?? []).map((w) => {
    if (w.length !== k) {
      throw new ValidationError(`initial point has ${w.length} weights, expected ${k}`);
    }
    return project(w);
  });
  let starts: Float64Array[];
  let bestW: Float64Array | undefined;
  let bestV = Number.NEGATIVE_INFINITY;
  if (rawSamples > 0) {
    for (const w of sobolSimplex(rawSamples, k, { scramble: options.rng })) pool.push(project(w));
    for (let i = 0; i < k; i++) {
      const e = new Float64Array(k);
      e[i] = 1;
      pool.push(project(e));
    }
    const scored = pool.map((w) => ({ w, v: evalAt(w) }));
    // Stable sort: ties keep pool order (determinism).
    scored.sort((p, q) => q.v - p.v);
    if (scored[0] !== undefined) {
      bestW = scored[0].w;
      bestV = scored[0].v;
    }
    starts = scored.slice(0, options.starts).map((s) => s.w);
  } else {
    starts = pool.slice(0, options.starts);
    while (starts.length < options.starts) starts.push(project(options.rng.dirichlet(1, k)));
  }

  const local: { w: number[]; value: number }[] = [];
  const maxIter = options.maxIter ?? 60;
  for (const w0 of starts) {
    const fg = (theta: Float64Array, grad: Float64Array): number => {
      const w = map.toSimplex(theta);
      const gw = new Float64Array(k);
      evaluations++;
      const v = f(w, gw);
      if (!Number.isFinite(v)) {
        grad.fill(0);
        return BAD;
      }
      const gt = map.pullback(theta, gw);
      for (let i = 0; i < k; i++) grad[i] = -gt[i]!;
      return -v;
    };
    const res = lbfgsb(fg, map.fromSimplex(w0), {
      lower: map.lower,
      upper: map.upper,
      maxIter,
    });
    const w = map.toSimplex(res.x);
    const v = res.f >= BAD ? Number.NEGATIVE_INFINITY : -res.f;
    local.push({ w: [...w], value: v });
    if (bestW === undefined || v > bestV) {
      bestW = w;
      bestV = v;
    }
  }
  if (bestW === undefined) {
    // No starts and no pool: evaluate one random point so the result is defined.
    bestW = project(options.rng.dirichlet(1, k));
    bestV = evalAt(bestW);
  }
  local.sort((p, q) => q.value - p.value);
  return { w: [...bestW], value: bestV, evaluations, local };
}
