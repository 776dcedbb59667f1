/**
 * Reference optimum of a simulator metric at a fidelity: a dense scan of the
 * simplex followed by gradient polishing of the best few points.
 *
 * Notation:
 * - `k`  number of domains; `w` a mixture on the simplex Δ_k;
 * - `f`  the metric at a fixed fidelity; `s = +1` to minimise, `-1` to maximise;
 *        the search minimises `F(w) = s f(w)`;
 * - `P`  Euclidean projection onto Δ_k (Duchi et al. 2008, sort-based).
 *
 * Scan: every vertex, every pairwise midpoint, the centroid, `nUniform`
 * scrambled Sobol points mapped to the simplex (`sobolSimplex`, uniform on
 * Δ_k) and `nSparse` Dirichlet(0.2) draws (which crowd near the faces and
 * vertices, where several slimpajama optima lie).
 *
 * Polish, from each of the `starts` best distinct scan points:
 * 1. L-BFGS-B on the normalised box `v ∈ [0, 1]^k`, `w = v / Σv` (vertices
 *    and faces reachable with `v_j = 0`), with the exact chain rule
 *    `∂F/∂v_j = (g_j - <g, w>) / Σv` where `g = ∇_w F`;
 * 2. then projected gradient descent `w <- P(w - t g)` with Armijo
 *    backtracking (exact on the simplex; cleans up the flat radial direction
 *    of the box parameterisation).
 * The best point seen (scan included) is returned.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Direction,
  type Fidelity,
  NotFoundError,
  type ReferenceOptimum,
  Rng,
  sobolSimplex,
  type Testbed,
  UnsupportedError,
} from '../core/index.ts';
import { lbfgsb } from '../linalg/index.ts';
import { resolveCacheDir, type TestbedDirOptions } from './data-dir.ts';
import { isSimulatorTestbed, type MixtureObjective } from './simulator.ts';

/** Bump when the search changes, so cached optima are recomputed. */
export const OPTIMUM_SEARCH_VERSION = 2;

/** Settings of {@link searchOptimum}. */
export interface OptimumSearchOptions {
  readonly seed?: number;
  /** Sobol scan points, uniform on the simplex (default 16,384). */
  readonly nUniform?: number;
  /** Dirichlet(0.2) scan points (default 8,192). */
  readonly nSparse?: number;
  /** Distinct scan points polished (default 8). */
  readonly starts?: number;
  /** Iterations per polish (default 300). */
  readonly maxIter?: number;
}

/** Result of {@link searchOptimum}. */
export interface OptimumSearchResult {
  readonly mixture: number[];
  readonly value: number;
  /** Best scan value (before polishing). */
  readonly scanValue: number;
  readonly evaluations: number;
  readonly method: string;
}

/** Euclidean projection of `v` onto the simplex, in place. */
export function projectOntoSimplex(v: Float64Array): Float64Array {
  const k = v.length;
  const u = Float64Array.from(v).sort().reverse();
  let css = 0;
  let theta = 0;
  for (let i = 0; i < k; i++) {
    css += u[i] as number;
    const t = (css - 1) / (i + 1);
    if ((u[i] as number) - t > 0) theta = t;
  }
  for (let i = 0; i < k; i++) v[i] = Math.max((v[i] as number) - theta, 0);
  return v;
}

function centralGradient(f: MixtureObjective, w: Float64Array, grad: Float64Array): number {
  // Central differences on the unconstrained extension, h = 1e-6 (error O(h^2)
  // for smooth f; used only for testbeds without an analytic gradient).
  const h = 1e-6;
  const v = f.value(w);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i] as number;
    w[i] = wi + h;
    const fp = f.value(w);
    w[i] = wi - h;
    const fm = f.value(w);
    w[i] = wi;
    grad[i] = (fp - fm) / (2 * h);
  }
  return v;
}

/**
 * Minimises `s f` over the simplex by projected gradient with Armijo backtracking.
 * Returns the final point (in `w`) and its value `f`.
 */
export function polishOnSimplex(
  f: MixtureObjective,
  w: Float64Array,
  sign: 1 | -1,
  maxIter = 300,
): { value: number; evaluations: number } {
  const k = w.length;
  const g = new Float64Array(k);
  const y = new Float64Array(k);
  let evals = 0;
  const fg = (x: Float64Array): number => {
    evals += 1;
    const v =
      f.valueAndGradient !== undefined ? f.valueAndGradient(x, g) : centralGradient(f, x, g);
    for (let i = 0; i < k; i++) g[i] = sign * (g[i] as number);
    return sign * v;
  };
  let fx = fg(w);
  let t = 0.1;
  for (let it = 0; it < maxIter; it++) {
    let accepted = false;
    let fy = fx;
    const gSaved = Float64Array.from(g);
    for (let bt = 0; bt < 40; bt++) {
      for (let i = 0; i < k; i++) y[i] = (w[i] as number) - t * (gSaved[i] as number);
      projectOntoSimplex(y);
      let dec = 0;
      for (let i = 0; i < k; i++)
        dec += (gSaved[i] as number) * ((w[i] as number) - (y[i] as number));
      evals += 1;
      fy = sign * f.value(y);
      if (fy <= fx - 1e-4 * dec && dec > 0) {
        accepted = true;
        break;
      }
      t *= 0.5;
      if (t < 1e-14) break;
    }
    if (!accepted) break;
    let moved = 0;
    for (let i = 0; i < k; i++)
      moved = Math.max(moved, Math.abs((y[i] as number) - (w[i] as number)));
    w.set(y);
    const prev = fx;
    fx = fg(w);
    t = Math.min(t * 2, 10);
    if (prev - fx < 1e-14 * Math.max(1, Math.abs(fx)) && moved < 1e-12) break;
  }
  // Re-evaluate exactly at the final point (fg may have left g for a trial point).
  return { value: f.value(w), evaluations: evals };
}

/**
 * L-BFGS-B on `v ∈ [0, 1]^k` with `w = v / Σv`; returns the final mixture.
 * Chain rule: `∂F/∂v_j = (g_j - Σ_i w_i g_i) / Σv`.
 */
export function polishWithLbfgsb(
  f: MixtureObjective,
  w0: ArrayLike<number>,
  sign: 1 | -1,
  maxIter = 300,
): { w: Float64Array; value: number; evaluations: number } {
  const k = w0.length;
  const w = new Float64Array(k);
  const g = new Float64Array(k);
  const fg = (v: Float64Array, grad: Float64Array): number => {
    let S = 0;
    for (let i = 0; i < k; i++) S += v[i] as number;
    if (!(S > 1e-12)) {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    for (let i = 0; i < k; i++) w[i] = (v[i] as number) / S;
    const val =
      f.valueAndGradient !== undefined ? f.valueAndGradient(w, g) : centralGradient(f, w, g);
    let gw = 0;
    for (let i = 0; i < k; i++) gw += (w[i] as number) * (g[i] as number);
    for (let i = 0; i < k; i++) grad[i] = (sign * ((g[i] as number) - gw)) / S;
    return sign * val;
  };
  const r = lbfgsb(fg, w0, {
    lower: new Float64Array(k),
    upper: new Float64Array(k).fill(1),
    maxIter,
    pgtol: 1e-10,
    factr: 10,
  });
  let S = 0;
  for (let i = 0; i < k; i++) S += r.x[i] as number;
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) out[i] = (r.x[i] as number) / S;
  return { w: out, value: f.value(out), evaluations: r.evaluations };
}

/**
 * Searches the simplex for the best value of `f` (see the module comment).
 * Deterministic for a seed.
 */
export function searchOptimum(
  f: MixtureObjective,
  k: number,
  direction: Direction,
  opts: OptimumSearchOptions = {},
): OptimumSearchResult {
  const sign: 1 | -1 = direction === 'minimize' ? 1 : -1;
  const rng = new Rng(opts.seed ?? 0);
  const nUniform = opts.nUniform ?? 16384;
  const nSparse = opts.nSparse ?? 8192;
  const starts = opts.starts ?? 8;
  const pts: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    const v = new Float64Array(k);
    v[i] = 1;
    pts.push(v);
    for (let j = i + 1; j < k; j++) {
      const m = new Float64Array(k);
      m[i] = 0.5;
      m[j] = 0.5;
      pts.push(m);
    }
  }
  pts.push(new Float64Array(k).fill(1 / k));
  for (const p of sobolSimplex(nUniform, k, { scramble: rng.fork('sobol') }))
    pts.push(Float64Array.from(p));
  const rs = rng.fork('sparse');
  for (let i = 0; i < nSparse; i++) pts.push(Float64Array.from(rs.dirichlet(0.2, k)));
  const vals = pts.map((p) => sign * f.value(p));
  const order = vals.map((_, i) => i).sort((a, b) => (vals[a] as number) - (vals[b] as number));
  const chosen: Float64Array[] = [];
  for (const i of order) {
    const p = pts[i] as Float64Array;
    if (chosen.every((c) => c.reduce((s, x, j) => s + Math.abs(x - (p[j] as number)), 0) > 0.05))
      chosen.push(p);
    if (chosen.length >= starts) break;
  }
  let evaluations = pts.length;
  let best: { w: Float64Array; v: number } | undefined;
  for (const c of chosen) {
    const lb = polishWithLbfgsb(f, c, sign, opts.maxIter ?? 300);
    evaluations += lb.evaluations;
    const w = lb.w;
    const r = polishOnSimplex(f, w, sign, opts.maxIter ?? 300);
    evaluations += r.evaluations;
    if (best === undefined || sign * r.value < sign * best.v) best = { w, v: r.value };
  }
  const scanBest = sign * (vals[order[0] as number] as number);
  const b = best as { w: Float64Array; v: number };
  // Never return worse than the scan (the polish only descends, but be explicit).
  if (sign * scanBest < sign * b.v) {
    b.w = Float64Array.from(pts[order[0] as number] as Float64Array);
    b.v = scanBest;
  }
  return {
    mixture: Array.from(b.w),
    value: b.v,
    scanValue: scanBest,
    evaluations,
    method: `scan (${k} vertices, ${(k * (k - 1)) / 2} edge midpoints, centroid, ${nUniform} scrambled Sobol on the simplex, ${nSparse} Dirichlet(0.2); seed ${opts.seed ?? 0}) + L-BFGS-B (w = v/sum v, v in [0,1]^k) and projected-gradient polish of the ${starts} best distinct points`,
  };
}

interface CacheFile {
  testbed: string;
  fingerprint: string;
  version: number;
  target: Fidelity;
  optima: Record<string, ReferenceOptimum>;
}

function cachePath(dir: string, name: string, fingerprint: string): string {
  return join(dir, 'reference-optima', `${name}-${fingerprint}-v${OPTIMUM_SEARCH_VERSION}.json`);
}

function readCache(path: string): CacheFile | undefined {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
    return c.version === OPTIMUM_SEARCH_VERSION && typeof c.optima === 'object' ? c : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reference optimum of `metric` at the testbed's target, computed by
 * {@link searchOptimum} once and cached in the cache directory
 * (`<cache>/reference-optima/<testbed>-<fingerprint>-v<version>.json`).
 * A cache that cannot be written (read-only disk) only costs recomputation.
 * @throws NotFoundError for an unknown metric; UnsupportedError when the
 *   testbed is not a simulator (e.g. replay testbeds: use their candidates).
 */
export function referenceOptimum(
  testbed: Testbed,
  metric: string,
  opts: TestbedDirOptions & { readonly noCache?: boolean } = {},
): ReferenceOptimum {
  const spec = testbed.metrics.find((m) => m.name === metric);
  if (spec === undefined) {
    throw new NotFoundError(
      `unknown metric '${metric}' for testbed '${testbed.name}'; accepted metrics: ${testbed.metrics.map((m) => m.name).join(', ')}`,
      { metric },
    );
  }
  if (!isSimulatorTestbed(testbed)) {
    if (testbed.referenceOptimum !== undefined) {
      const r = testbed.referenceOptimum(metric);
      if (r !== undefined) return r;
    }
    throw new UnsupportedError(
      `testbed '${testbed.name}' cannot compute a reference optimum (it is not a simulator); use a simulator testbed or implement referenceOptimum()`,
      { testbed: testbed.name },
    );
  }
  const path = cachePath(resolveCacheDir(opts), testbed.name, testbed.fingerprint);
  if (opts.noCache !== true) {
    const hit = readCache(path)?.optima[metric];
    if (hit !== undefined) return hit;
  }
  const { scale, steps } = testbed.target;
  const r = searchOptimum(
    testbed.objective(metric, scale, steps),
    testbed.domains.length,
    spec.direction,
  );
  const opt: ReferenceOptimum = { metric, mixture: r.mixture, value: r.value, method: r.method };
  if (opts.noCache !== true) {
    try {
      const c: CacheFile = readCache(path) ?? {
        testbed: testbed.name,
        fingerprint: testbed.fingerprint,
        version: OPTIMUM_SEARCH_VERSION,
        target: testbed.target,
        optima: {},
      };
      c.optima[metric] = opt;
      mkdirSync(join(path, '..'), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`);
      renameSync(tmp, path);
    } catch {
      // Caching is an optimisation: a read-only cache directory only costs recomputation.
    }
  }
  return opt;
}
