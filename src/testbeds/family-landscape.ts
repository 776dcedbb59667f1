/**
 * The mixture term of the family testbeds (./family.ts) and how its optimum
 * is planted.
 *
 * Notation (docs/testbeds.md, "Testbed families"):
 * - `k` domains j, `V = k` validation sets v; `w` a mixture;
 * - a *structure* `t⁰ = γ (-δ_vj + C_vj)` (V x k, row-major), log-weights
 *   `log π_v` and per-domain margins `m_j ∈ [0.3, 1]`;
 * - a *landscape* `(t, p)` and its mixture term
 *   `G(w) = Σ_v exp(p_v + Σ_j t_vj w_j)` (convex in `w`: a positive sum of
 *   exponentials of affine functions).
 *
 * Planting `w*` (support S) in a structure: with `e_v = exp(log π_v + t⁰_v·w*)`
 * the gradient of `Σ_v exp(log π_v + t⁰_v·w)` at `w*` is
 * `g_j = Σ_v e_v t⁰_vj`; adding a per-domain quality `c_j` to column j shifts
 * it to `K (g_j + c_j Σ_v e_v)` with the common factor `K = exp(c·w*) > 0`.
 * `c_j = -g_j / Σe` on S and `c_j = (γ m_j Σe / V - g_j) / Σe` off S make the
 * gradient 0 on S and positive off S: the KKT conditions of `min G` on the
 * simplex, so by convexity `w*` is the global minimum. Then `t = t⁰ + 1 cᵀ`
 * and `p = log π - ln G(w*)`, so that `G(w*) = 1`.
 */
import type { Rng } from '../core/index.ts';
import type { DriftKind, OptimumKind } from './family-params.ts';

/** A transfer structure with its weights and margins (see the module comment). */
export interface Structure {
  readonly k: number;
  readonly gamma: number;
  /** `t⁰`, V x k row-major, γ applied. */
  readonly t0: Float64Array;
  readonly logPi: Float64Array;
  readonly margins: Float64Array;
}

/** A landscape: `t` is V x k row-major, `p` has length V. */
export interface Landscape {
  readonly t: Float64Array;
  readonly p: Float64Array;
}

/** `G(w) = Σ_v exp(p_v + t_v·w)`. */
export function mixtureTerm(L: Landscape, w: ArrayLike<number>, k: number): number {
  let G = 0;
  for (let v = 0; v < k; v++) {
    let s = L.p[v] as number;
    for (let j = 0; j < k; j++) s += (L.t[v * k + j] as number) * (w[j] as number);
    G += Math.exp(s);
  }
  return G;
}

/** Plants `wStar` as the minimum of `G` in structure `S` (module comment). */
export function plant(S: Structure, wStar: ArrayLike<number>): Landscape {
  const k = S.k;
  const e = new Float64Array(k);
  let sum = 0;
  for (let v = 0; v < k; v++) {
    let s = S.logPi[v] as number;
    for (let j = 0; j < k; j++) s += (S.t0[v * k + j] as number) * (wStar[j] as number);
    e[v] = Math.exp(s);
    sum += e[v] as number;
  }
  const t = Float64Array.from(S.t0);
  for (let j = 0; j < k; j++) {
    let g = 0;
    for (let v = 0; v < k; v++) g += (e[v] as number) * (S.t0[v * k + j] as number);
    const want = (wStar[j] as number) > 0 ? 0 : (S.gamma * (S.margins[j] as number) * sum) / k;
    const c = (want - g) / sum;
    for (let v = 0; v < k; v++) t[v * k + j] = (t[v * k + j] as number) + c;
  }
  const p = Float64Array.from(S.logPi);
  const lnG = Math.log(mixtureTerm({ t, p }, wStar, k));
  for (let v = 0; v < k; v++) p[v] = (p[v] as number) - lnG;
  return { t, p };
}

/** Mean of `G(w) - 1` over the rows of `sample` (n x k), for a landscape with `G(w*) = 1`. */
function meanExcess(L: Landscape, sample: Float64Array, k: number): number {
  const n = sample.length / k;
  let s = 0;
  for (let r = 0; r < n; r++) s += mixtureTerm(L, sample.subarray(r * k, r * k + k), k);
  return s / n - 1;
}

/**
 * A random structure (`C_vj ~ N(0, 0.35²)`, `log π_v ~ N(0, 0.3²)`, margins
 * uniform on [0.3, 1]) whose `γ` is set by bisection in `ln γ` so that the
 * planting of `wStar` has mean excess `spread` over `sample`.
 */
export function structureWithSpread(
  rng: Rng,
  wStar: readonly number[],
  spread: number,
  sample: Float64Array,
): Structure {
  const k = wStar.length;
  const base = new Float64Array(k * k);
  for (let v = 0; v < k; v++)
    for (let j = 0; j < k; j++) base[v * k + j] = (v === j ? -1 : 0) + 0.35 * rng.normal();
  const logPi = new Float64Array(k);
  for (let v = 0; v < k; v++) logPi[v] = 0.3 * rng.normal();
  const margins = new Float64Array(k);
  for (let j = 0; j < k; j++) margins[j] = 0.3 + 0.7 * rng.uniform();
  const make = (gamma: number): Structure => ({
    k,
    gamma,
    t0: base.map((x) => gamma * x),
    logPi,
    margins,
  });
  let lo = Math.log(1e-4);
  let hi = Math.log(50);
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (meanExcess(plant(make(Math.exp(mid)), wStar), sample, k) > spread) hi = mid;
    else lo = mid;
  }
  return make(Math.exp((lo + hi) / 2));
}

/** A point of the asked kind on the simplex (docs: "How the optimum is put where the knobs say"). */
export function drawOptimum(rng: Rng, k: number, kind: OptimumKind): number[] {
  const w = new Array<number>(k).fill(0);
  if (kind === 'vertex') {
    w[rng.int(k)] = 1;
    return w;
  }
  if (kind === 'interior') return rng.dirichlet(2, k).map((x) => 0.5 / k + 0.5 * x);
  const s = Math.max(2, Math.min(k - 1, Math.round(k * rng.uniformIn(0.3, 0.6))));
  const support = rng.shuffle([...Array(k).keys()]).slice(0, s);
  const d = rng.dirichlet(2, s);
  support.forEach((j, i) => {
    w[j] = 0.4 / s + 0.6 * (d[i] as number);
  });
  return w;
}

/** L1 distance. */
export function l1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s;
}

/** L1 distance a drifting optimum is drawn at (the closest of 64 draws; vertices: another vertex). */
export const DRIFT_DISTANCE = 0.8;

/** An optimum of the same kind at L1 distance near {@link DRIFT_DISTANCE} (and at least 0.4) from `from`. */
export function drawDriftOptimum(rng: Rng, from: readonly number[], kind: OptimumKind): number[] {
  let best: number[] | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 64; i++) {
    const w = drawOptimum(rng, from.length, kind);
    const d = l1(w, from);
    const gap = d < 0.4 ? 10 + (0.4 - d) : Math.abs(d - DRIFT_DISTANCE);
    if (gap < bestGap) {
      best = w;
      bestGap = gap;
    }
  }
  return best as number[];
}

/**
 * The landscape at the small end of one axis: the target's (`fixed`); the
 * same structure planted at another optimum of the same kind (`drift`: only
 * the per-domain qualities differ); or the target's reversed,
 * `t = -t¹ + 0.3 R` with `R` a fresh planted landscape, its `p` shifted so
 * that the mean of `G` over `sample` equals the target's (`reverse`).
 */
export function endLandscape(
  rng: Rng,
  kind: DriftKind,
  S: Structure,
  target: Landscape,
  wTarget: readonly number[],
  optimum: OptimumKind,
  spread: number,
  sample: Float64Array,
): { L: Landscape; planted?: number[] } {
  const k = S.k;
  if (kind === 'fixed') return { L: target };
  if (kind === 'drift') {
    const w = drawDriftOptimum(rng.fork('optimum'), wTarget, optimum);
    return { L: plant(S, w), planted: w };
  }
  const wR = drawOptimum(rng.fork('optimum'), k, optimum);
  const R = plant(structureWithSpread(rng.fork('plant'), wR, spread, sample), wR);
  const t = target.t.map((x, i) => -x + 0.3 * (R.t[i] as number));
  const p = Float64Array.from(target.p);
  const n = sample.length / k;
  let mT = 0;
  let mR = 0;
  for (let r = 0; r < n; r++) {
    const w = sample.subarray(r * k, r * k + k);
    mT += mixtureTerm(target, w, k);
    mR += mixtureTerm({ t, p }, w, k);
  }
  const shift = Math.log(mT / mR);
  for (let v = 0; v < k; v++) p[v] = (p[v] as number) + shift;
  return { L: { t, p } };
}

/**
 * Moves `Lx` towards `L1` until `|Δp_v + Δt_vj| <= cap` for every set v and
 * domain j (then `|∂ ln G / ∂u| <= cap` everywhere on the simplex, the
 * blend's exponents being affine in `w` and `u`). Returns the landscape and
 * the factor applied (1 = unchanged).
 */
export function limitDifference(
  L1: Landscape,
  Lx: Landscape,
  k: number,
  cap: number,
): { L: Landscape; factor: number } {
  let M = 0;
  for (let v = 0; v < k; v++)
    for (let j = 0; j < k; j++) {
      const d =
        (Lx.p[v] as number) -
        (L1.p[v] as number) +
        (Lx.t[v * k + j] as number) -
        (L1.t[v * k + j] as number);
      M = Math.max(M, Math.abs(d));
    }
  if (M <= cap) return { L: Lx, factor: 1 };
  const f = cap / M;
  return {
    L: {
      t: L1.t.map((x, i) => x + f * ((Lx.t[i] as number) - x)),
      p: L1.p.map((x, i) => x + f * ((Lx.p[i] as number) - x)),
    },
    factor: f,
  };
}
