/**
 * L-BFGS-B: limited-memory quasi-Newton minimisation subject to bounds
 * l ≤ x ≤ u (Byrd, Lu, Nocedal, Zhu 1995; Zhu, Byrd, Lu, Nocedal 1997;
 * version 3.0 subspace step of Morales & Nocedal 2011).
 *
 * Notation:
 *   n            number of variables;  x, g = ∇f(x) (n)
 *   l, u         bounds (n; −∞ / +∞ where absent; lᵢ = uᵢ fixes xᵢ)
 *   P(v)         projection onto the box: clamp(vᵢ, lᵢ, uᵢ)
 *   ‖P(x − g) − x‖∞  the projected-gradient norm (the first-order optimality measure)
 *   m            memory: number of correction pairs (sᵢ, yᵢ) kept (k ≤ m in use)
 *   B            the limited-memory BFGS matrix θI − W M Wᵀ (lbfgsb-memory.ts)
 *   xᶜ           generalized Cauchy point (lbfgsb-cauchy.ts)
 *   Z            the free variables at xᶜ (not held at a bound)
 *   r̂ᶜ           reduced gradient of the model at xᶜ: Zᵀ(g + B(xᶜ − x))
 *   x̄            result of the subspace step; d = x̄ − x is the search direction
 *   α            line-search step (lbfgsb-line-search.ts); x₊ = x + α d
 *   ε            machine epsilon (2.2e-16)
 *
 * One iteration:
 *   1. xᶜ: minimise the quadratic model along the projected steepest-descent
 *      path x(t) = P(x − t g) up to its first local minimiser (skipped for an
 *      unconstrained problem once B has memory: xᶜ = x).
 *   2. Subspace step (direct primal method): with the variables held at bounds
 *      at xᶜ fixed, the free ones take the Newton step of the model,
 *      x̂ = xᶜ + Z dᶻ with dᶻ = −B̂⁻¹ r̂ᶜ. Then (v3.0) project x̂ onto the box;
 *      if that projection gives an ascent direction (gᵀ(P(x̂) − x) > 0), fall
 *      back to the v2.1 truncation x̄ = xᶜ + α* Z dᶻ, α* the largest feasible
 *      step ≤ 1.
 *   3. Moré–Thuente line search on f(x + α d), μ = 1e−3, η = 0.9, ξ = 0.1,
 *      α ≤ αmax where αmax keeps x + αd in the box; first step α = 1 except on
 *      the very first iteration (α = min(1/‖d‖, 1) unless every variable is
 *      boxed). At most 20 evaluations; a failed search restores x, forgets
 *      the memory and retries with steepest descent, and ends the run if
 *      the memory was already empty.
 *   4. Stop when ‖P(x − g) − x‖∞ ≤ pgtol, or (f_old − f) ≤ factr·ε·max(|f_old|, |f|, 1).
 *   5. Store (s, y) = (x₊ − x, g₊ − g) unless sᵀy ≤ ε yᵀy (curvature too weak).
 *
 * Non-finite values: if f or ∇f is NaN/±∞ at a trial point of the line
 * search, that point is rejected and the step is shrunk halfway towards the
 * best step of the search (the search restarts capped below the bad step), so
 * the optimiser never reports NaN. The factr test is not applied after such a
 * truncated step (its small reduction does not mean stagnation). A non-finite value at the starting point is
 * a {@link NumericsError}.
 *
 * References: R. H. Byrd, P. Lu, J. Nocedal, C. Zhu, "A limited memory
 * algorithm for bound constrained optimization", SIAM J. Sci. Comput.
 * 16(5):1190–1208, 1995; C. Zhu, R. H. Byrd, P. Lu, J. Nocedal, "Algorithm
 * 778: L-BFGS-B", ACM TOMS 23(4):550–560, 1997; J. L. Morales, J. Nocedal,
 * "Remark on Algorithm 778", ACM TOMS 38(1), 2011.
 */
import { NumericsError, ValidationError } from '../core/errors.ts';
import { CauchyWork, cauchyPoint, VarState } from './lbfgsb-cauchy.ts';
import { MoreThuenteSearch } from './lbfgsb-line-search.ts';
import { LbfgsMemory } from './lbfgsb-memory.ts';

/** Options of {@link lbfgsb}. */
export interface LbfgsbOptions {
  /** Per-coordinate lower bounds (−Infinity allowed); omitted = unbounded below. */
  lower?: ArrayLike<number>;
  /** Per-coordinate upper bounds (+Infinity allowed); omitted = unbounded above. */
  upper?: ArrayLike<number>;
  /** Memory: number of correction pairs kept (default 10). */
  m?: number;
  /** Maximum number of iterations (default 15000). */
  maxIter?: number;
  /** Maximum number of evaluations of fg, never exceeded (default 15000). */
  maxEval?: number;
  /** Stop when the projected gradient's inf-norm is ≤ pgtol (default 1e-5). */
  pgtol?: number;
  /** Stop when the relative reduction of f is ≤ factr × machine eps (default 1e7). */
  factr?: number;
}

/** Result of {@link lbfgsb}. */
export interface LbfgsbResult {
  /** The final (best accepted) point. */
  x: Float64Array;
  /** f(x). */
  f: number;
  /** ∇f(x). */
  grad: Float64Array;
  /** Completed iterations (accepted line searches). */
  iterations: number;
  /** Calls of fg, including the one at the start point. */
  evaluations: number;
  /** True when a convergence test (pgtol or factr) ended the run. */
  converged: boolean;
  /** Why the run ended; one of {@link LBFGSB_MESSAGES} (scipy's wording). */
  message: string;
}

/** The messages {@link LbfgsbResult.message} can take (as in scipy's `fmin_l_bfgs_b`). */
export const LBFGSB_MESSAGES = {
  pgtol: 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL',
  factr: 'CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH',
  maxIter: 'STOP: TOTAL NO. of ITERATIONS REACHED LIMIT',
  maxEval: 'STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT',
  abnormal: 'ABNORMAL_TERMINATION_IN_LNSRCH',
} as const;

const EPS = Number.EPSILON;
const FTOL = 1e-3; // sufficient decrease μ
const GTOL = 0.9; // curvature η
const XTOL = 0.1; // relative interval width ξ
const MAX_LS = 20; // finite evaluations per line search
const MAX_NONFINITE = 60; // step halvings after non-finite trial values, per line search
const BIG = 1e10; // step cap for unconstrained problems

function boundsArray(
  b: ArrayLike<number> | undefined,
  n: number,
  fill: number,
  name: string,
): Float64Array {
  const out = new Float64Array(n).fill(fill);
  if (b === undefined) return out;
  if (b.length !== n) {
    throw new ValidationError(
      `lbfgsb: options.${name} has length ${b.length} but x0 has length ${n}; pass one bound per coordinate (use ${fill} for none)`,
      { length: b.length, expected: n },
    );
  }
  for (let i = 0; i < n; i++) {
    const v = b[i]!;
    if (typeof v !== 'number' || Number.isNaN(v) || v === -fill) {
      throw new ValidationError(
        `lbfgsb: options.${name}[${i}] = ${String(v)} is not a valid ${name} bound; use a number or ${fill} for none`,
        { index: i, value: String(v) },
      );
    }
    out[i] = v;
  }
  return out;
}

function positiveInt(v: number | undefined, def: number, name: string, min: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min) {
    throw new ValidationError(
      `lbfgsb: options.${name} = ${String(v)} must be an integer ≥ ${min}`,
      { value: String(v) },
    );
  }
  return v;
}

function nonNegative(v: number | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
    throw new ValidationError(
      `lbfgsb: options.${name} = ${String(v)} must be a finite number ≥ 0`,
      { value: String(v) },
    );
  }
  return v;
}

/** ‖P(x − g) − x‖∞: the inf-norm of the projected gradient. */
function projectedGradientNorm(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): number {
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    let gi = g[i]!;
    if (gi < 0) gi = Math.max(x[i]! - upper[i]!, gi);
    else gi = Math.min(x[i]! - lower[i]!, gi);
    norm = Math.max(norm, Math.abs(gi));
  }
  return norm;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/** The checked inputs of {@link lbfgsb}. */
interface Inputs {
  readonly n: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly m: number;
  readonly maxIter: number;
  readonly maxEval: number;
  readonly pgtol: number;
  readonly factr: number;
}

/** Validates the arguments of {@link lbfgsb} (see its `@throws`). */
function checkInputs(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  options: LbfgsbOptions,
): Inputs {
  if (typeof fg !== 'function') {
    throw new ValidationError('lbfgsb: fg must be a function (x, grad) => f(x)');
  }
  if (x0 === null || typeof x0 !== 'object' || !Number.isInteger(x0.length)) {
    throw new ValidationError(
      `lbfgsb: x0 must be an array of numbers, got ${String(x0)}; pass the start point as number[] or Float64Array`,
    );
  }
  const n = x0.length;
  const lower = boundsArray(options.lower, n, -Infinity, 'lower');
  const upper = boundsArray(options.upper, n, Infinity, 'upper');
  for (let i = 0; i < n; i++) {
    if (lower[i]! > upper[i]!) {
      throw new ValidationError(
        `lbfgsb: lower[${i}] = ${lower[i]} exceeds upper[${i}] = ${upper[i]}; each lower bound must be ≤ its upper bound`,
        { index: i, lower: lower[i], upper: upper[i] },
      );
    }
    const v = x0[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValidationError(
        `lbfgsb: x0[${i}] = ${String(v)} is not finite; start from a finite point`,
        { index: i, value: String(v) },
      );
    }
  }
  return {
    n,
    lower,
    upper,
    m: positiveInt(options.m, 10, 'm', 1),
    maxIter: positiveInt(options.maxIter, 15000, 'maxIter', 0),
    maxEval: positiveInt(options.maxEval, 15000, 'maxEval', 1),
    pgtol: nonNegative(options.pgtol, 1e-5, 'pgtol'),
    factr: nonNegative(options.factr, 1e7, 'factr'),
  };
}

/**
 * One run's state: the iterate (x, f, g), the counters, the L-BFGS memory and the scratch arrays
 * of the steps (names as in the module comment). The steps below read and write it.
 */
interface Run extends Inputs {
  readonly fg: (x: Float64Array, grad: Float64Array) => number;
  /** Static classification of the coordinates (unbounded, fixed, free). */
  readonly staticState: Int8Array;
  /** Some coordinate has a bound; every coordinate has both. */
  readonly constrained: boolean;
  readonly boxed: boolean;
  readonly x: Float64Array;
  readonly g: Float64Array;
  f: number;
  nfev: number;
  iter: number;
  /** Whether the last line search met a non-finite value. */
  truncated: boolean;
  /** Scratch copy handed to fg. */
  readonly xe: Float64Array;
  readonly mem: LbfgsMemory;
  readonly work: CauchyWork;
  readonly state: Int8Array;
  /** xᶜ, then x̄. */
  readonly z: Float64Array;
  readonly c: Float64Array;
  readonly mc: Float64Array;
  readonly free: Int32Array;
  readonly isFree: Uint8Array;
  readonly r: Float64Array;
  readonly dz: Float64Array;
  readonly xsub: Float64Array;
  readonly d: Float64Array;
  readonly xold: Float64Array;
  readonly gold: Float64Array;
  readonly xt: Float64Array;
  readonly gt: Float64Array;
  readonly sv: Float64Array;
  readonly yv: Float64Array;
  readonly ls: MoreThuenteSearch;
}

/** f(pt), ∇f(pt) into grad, counted. */
function evaluate(run: Run, pt: Float64Array, grad: Float64Array): number {
  run.xe.set(pt);
  run.nfev++;
  return run.fg(run.xe, grad);
}

/**
 * The run's state at x0 projected into the box, with f and ∇f evaluated there.
 * @throws NumericsError when f or ∇f is not finite there.
 */
function startRun(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  inputs: Inputs,
): Run {
  const { n, lower, upper, m } = inputs;
  const staticState = new Int8Array(n);
  let constrained = false;
  let boxed = true;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hasL = lower[i]! > -Infinity;
    const hasU = upper[i]! < Infinity;
    if (hasL || hasU) constrained = true;
    if (!(hasL && hasU)) boxed = false;
    if (!hasL && !hasU) staticState[i] = VarState.Unbounded;
    else if (hasL && hasU && upper[i]! - lower[i]! <= 0) staticState[i] = VarState.Fixed;
    else staticState[i] = VarState.Free;
    x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x0[i]!));
  }
  const run: Run = {
    ...inputs,
    fg,
    staticState,
    constrained,
    boxed,
    x,
    g: new Float64Array(n),
    f: 0,
    nfev: 0,
    iter: 0,
    truncated: false,
    xe: new Float64Array(n),
    mem: new LbfgsMemory(n, m),
    work: new CauchyWork(n, m),
    state: new Int8Array(n),
    z: new Float64Array(n),
    c: new Float64Array(2 * m),
    mc: new Float64Array(2 * m),
    free: new Int32Array(n),
    isFree: new Uint8Array(n),
    r: new Float64Array(n),
    dz: new Float64Array(n),
    xsub: new Float64Array(n),
    d: new Float64Array(n),
    xold: new Float64Array(n),
    gold: new Float64Array(n),
    xt: new Float64Array(n),
    gt: new Float64Array(n),
    sv: new Float64Array(n),
    yv: new Float64Array(n),
    ls: new MoreThuenteSearch(FTOL, GTOL, XTOL),
  };
  const g = run.g;
  const f = evaluate(run, x, g);
  run.f = f;
  if (!Number.isFinite(f) || !allFinite(g)) {
    const bad = Array.from(g).findIndex((v) => !Number.isFinite(v));
    throw new NumericsError(
      `lbfgsb: the objective is not finite at the starting point (f = ${f}${
        bad >= 0 ? `, grad[${bad}] = ${g[bad]}` : ''
      }, n = ${n}); start from a point where f and its gradient are finite`,
      { f: String(f), badGradientIndex: bad },
    );
  }
  return run;
}

/**
 * Steps 1–2: the generalised Cauchy point and the subspace step, z = x̄. Returns the number of
 * free variables, or −1 when the reduced system is singular (the caller resets the memory).
 */
function cauchyAndSubspace(run: Run): number {
  const { n, x, z, free, isFree, state, mem } = run;
  let nfree = 0;
  if (!run.constrained && mem.col > 0) {
    z.set(x);
    for (let i = 0; i < n; i++) {
      free[nfree++] = i;
      isFree[i] = 1;
    }
    run.c.fill(0);
  } else {
    state.set(run.staticState);
    cauchyPoint(x, run.g, run.lower, run.upper, mem, state, z, run.c, run.work);
    for (let i = 0; i < n; i++) {
      const fr = state[i]! <= 0;
      isFree[i] = fr ? 1 : 0;
      if (fr) free[nfree++] = i;
    }
  }
  if (nfree > 0 && mem.col > 0 && !subspaceStep(run, nfree)) return -1;
  return nfree;
}

/** Step 5: the memory update, skipped when the curvature sᵀy is too weak. */
function updateMemory(run: Run): void {
  const { n, x, g, xold, gold, sv, yv } = run;
  let sty = 0;
  let yty = 0;
  for (let i = 0; i < n; i++) {
    const si = x[i]! - xold[i]!;
    const yi = g[i]! - gold[i]!;
    sv[i] = si;
    yv[i] = yi;
    sty += si * yi;
    yty += yi * yi;
  }
  if (sty > EPS * yty) {
    if (!run.mem.push(sv, yv, sty, yty)) run.mem.reset();
  }
}

/** The iterations, until a stopping rule; returns the message and whether it converged. */
function iterate(run: Run): { message: string; converged: boolean } {
  const { n, x, g, lower, upper, z, d, xold, gold, mem } = run;
  const tol = run.factr * EPS;
  for (;;) {
    if (run.iter >= run.maxIter) return { message: LBFGSB_MESSAGES.maxIter, converged: false };
    if (run.nfev >= run.maxEval) return { message: LBFGSB_MESSAGES.maxEval, converged: false };

    // 1–2. Cauchy point and subspace step: z = x̄.
    if (cauchyAndSubspace(run) < 0) {
      mem.reset();
      continue;
    }

    // 3. Line search along d = x̄ − x.
    xold.set(x);
    gold.set(g);
    const fold = run.f;
    let dnorm2 = 0;
    let gd = 0;
    for (let i = 0; i < n; i++) {
      const di = z[i]! - x[i]!;
      d[i] = di;
      dnorm2 += di * di;
      gd += g[i]! * di;
    }
    const outcome = gd < 0 ? lineSearch(run, fold, gd, Math.sqrt(dnorm2)) : 'failed';
    if (outcome === 'failed') {
      x.set(xold);
      g.set(gold);
      run.f = fold;
      if (mem.col === 0) return { message: LBFGSB_MESSAGES.abnormal, converged: false };
      mem.reset();
      continue;
    }
    if (outcome === 'budget') {
      if (run.f < fold) run.iter++;
      return { message: LBFGSB_MESSAGES.maxEval, converged: false };
    }
    run.iter++;

    // 4. Convergence tests.
    if (projectedGradientNorm(x, g, lower, upper) <= run.pgtol) {
      return { message: LBFGSB_MESSAGES.pgtol, converged: true };
    }
    // (Not after a step that non-finite values cut short: its small
    // reduction says nothing about stagnation.)
    const f = run.f;
    if (!run.truncated && fold - f <= tol * Math.max(Math.abs(fold), Math.abs(f), 1)) {
      return { message: LBFGSB_MESSAGES.factr, converged: true };
    }

    // 5. Memory update.
    updateMemory(run);
  }
}

/**
 * Minimises f over the box l ≤ x ≤ u with L-BFGS-B (see the module comment
 * for the algorithm and notation).
 *
 * `fg(x, grad)` must write ∇f(x) into `grad` and return f(x); `x` is a
 * scratch copy (changing it does not affect the run; it is reused, so copy it
 * to keep it). Starting points outside the box are projected in.
 * Runs are deterministic: the same inputs give bit-identical results.
 *
 * Stops with `converged = true` when ‖P(x − ∇f) − x‖∞ ≤ pgtol or when
 * (f_k − f_{k+1}) ≤ factr·ε·max(|f_k|, |f_{k+1}|, 1); otherwise on the
 * iteration or evaluation limit, or when a line search fails with an empty
 * memory (`ABNORMAL_TERMINATION_IN_LNSRCH`). The returned point is always one
 * where f and ∇f were finite.
 *
 * @throws {ValidationError} on bad lengths, NaN or crossed bounds (l > u), a
 *   non-finite x0 entry, or bad option values.
 * @throws {NumericsError} when f or ∇f is not finite at the (projected) x0.
 * @see Byrd, Lu, Nocedal, Zhu (1995); Zhu et al., ACM TOMS 23 (1997);
 *   Morales & Nocedal, ACM TOMS 38 (2011).
 */
export function lbfgsb(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  options: LbfgsbOptions = {},
): LbfgsbResult {
  const run = startRun(fg, x0, checkInputs(fg, x0, options));
  const end =
    projectedGradientNorm(run.x, run.g, run.lower, run.upper) <= run.pgtol
      ? { message: LBFGSB_MESSAGES.pgtol as string, converged: true }
      : iterate(run);
  return {
    x: Float64Array.from(run.x),
    f: run.f,
    grad: Float64Array.from(run.g),
    iterations: run.iter,
    evaluations: run.nfev,
    converged: end.converged,
    message: end.message,
  };
}

/**
 * Subspace step from xᶜ (in z) over the `nfree` free variables; writes x̄
 * into z. Returns false when the reduced system is numerically singular.
 */
function subspaceStep(run: Run, nfree: number): boolean {
  const { n, x, g, z, r, c, mc, free, isFree, dz, xsub, lower, upper, mem } = run;
  const k = mem.col;
  // r̂ᶜ = Zᵀ(g + θ(xᶜ − x) − W M c), with W M c = Y (Mc)₁ + θ S (Mc)₂.
  const theta = mem.theta;
  for (let q = 0; q < nfree; q++) {
    const i = free[q]!;
    r[q] = g[i]! + theta * (z[i]! - x[i]!);
  }
  let cZero = true;
  for (let j = 0; j < 2 * k; j++) if (c[j] !== 0) cZero = false;
  if (!cZero) {
    mem.applyM(c, mc);
    for (let j = 0; j < k; j++) {
      const yj = mem.y[j]!;
      const sj = mem.s[j]!;
      const a = mc[j]!;
      const b = theta * mc[k + j]!;
      for (let q = 0; q < nfree; q++) {
        const i = free[q]!;
        r[q] = r[q]! - (yj[i]! * a + sj[i]! * b);
      }
    }
  }
  if (!mem.subspaceStep(free, nfree, isFree, r, dz)) return false;

  // v3.0: project xᶜ + Z dᶻ onto the box; keep it if some bound was not hit
  // or the projected direction is still a descent direction.
  xsub.set(z);
  let hit = false;
  for (let q = 0; q < nfree; q++) {
    const i = free[q]!;
    const v = Math.min(upper[i]!, Math.max(lower[i]!, z[i]! + dz[q]!));
    if (v === lower[i]! || v === upper[i]!) hit = true;
    xsub[i] = v;
  }
  if (hit) {
    let ddp = 0;
    for (let i = 0; i < n; i++) ddp += (xsub[i]! - x[i]!) * g[i]!;
    if (ddp > 0) {
      // v2.1 fallback: largest α ≤ 1 keeping xᶜ + α Z dᶻ feasible.
      let alpha = 1;
      let ibd = -1;
      for (let q = 0; q < nfree; q++) {
        const i = free[q]!;
        const dk = dz[q]!;
        let t = alpha;
        if (dk < 0 && lower[i]! > -Infinity) {
          const gap = lower[i]! - z[i]!;
          if (gap >= 0) t = 0;
          else if (dk * alpha < gap) t = gap / dk;
        } else if (dk > 0 && upper[i]! < Infinity) {
          const gap = upper[i]! - z[i]!;
          if (gap <= 0) t = 0;
          else if (dk * alpha > gap) t = gap / dk;
        }
        if (t < alpha) {
          alpha = t;
          ibd = q;
        }
      }
      for (let q = 0; q < nfree; q++) {
        const i = free[q]!;
        if (q === ibd) {
          z[i] = dz[q]! > 0 ? upper[i]! : lower[i]!;
        } else {
          z[i] = Math.min(upper[i]!, Math.max(lower[i]!, z[i]! + alpha * dz[q]!));
        }
      }
      return true;
    }
  }
  z.set(xsub);
  return true;
}

/**
 * Moré–Thuente search from x (= xold, f = fold, slope gd < 0) along d.
 * On 'ok' x, f, g hold the accepted point; on 'budget' they hold the best
 * finite trial if it improved on fold (else the start); 'failed' leaves
 * them to the caller to restore.
 */
function lineSearch(run: Run, fold: number, gd: number, dnorm: number): 'ok' | 'failed' | 'budget' {
  const { n, x, g, d, z, xold, gold, xt, gt, lower, upper, ls } = run;
  let stpmax = BIG;
  if (run.constrained) {
    if (run.iter === 0) {
      stpmax = 1;
    } else {
      for (let i = 0; i < n; i++) {
        const a1 = d[i]!;
        if (a1 < 0 && lower[i]! > -Infinity) {
          const a2 = lower[i]! - x[i]!;
          if (a2 >= 0) stpmax = 0;
          else if (a1 * stpmax < a2) stpmax = a2 / a1;
        } else if (a1 > 0 && upper[i]! < Infinity) {
          const a2 = upper[i]! - x[i]!;
          if (a2 <= 0) stpmax = 0;
          else if (a1 * stpmax > a2) stpmax = a2 / a1;
        }
      }
    }
  }
  let stp = run.iter === 0 && !run.boxed ? Math.min(1 / dnorm, stpmax) : 1;
  stp = Math.min(stp, stpmax);
  if (!(stp > 0)) return 'failed';
  ls.start(fold, gd, stp, 0, stpmax);
  let nls = 0;
  let nonfinite = 0;
  run.truncated = false;
  let bestF = fold;
  for (;;) {
    if (nls >= MAX_LS) return 'failed';
    if (run.nfev >= run.maxEval) {
      if (bestF < fold) return 'budget';
      x.set(xold);
      g.set(gold);
      run.f = fold;
      return 'budget';
    }
    stp = ls.stp;
    if (stp === 1) {
      xt.set(z);
    } else {
      for (let i = 0; i < n; i++) {
        xt[i] = Math.min(upper[i]!, Math.max(lower[i]!, xold[i]! + stp * d[i]!));
      }
    }
    const ft = evaluate(run, xt, gt);
    if (!Number.isFinite(ft) || !allFinite(gt)) {
      // Reject the point: restart the search capped halfway to it.
      nonfinite++;
      run.truncated = true;
      const stx = ls.stx;
      const cap = stx + 0.5 * (stp - stx);
      if (nonfinite > MAX_NONFINITE || !(cap > 0) || cap >= stp) return 'failed';
      ls.start(fold, gd, cap, 0, cap);
      continue;
    }
    nls++;
    let gdt = 0;
    for (let i = 0; i < n; i++) gdt += gt[i]! * d[i]!;
    if (ft < bestF) {
      bestF = ft;
      x.set(xt);
      g.set(gt);
      run.f = ft;
    }
    const status = ls.update(ft, gdt);
    if (status === 'evaluate') continue;
    // Accept the step that ended the search, unless it is worse than the start.
    if (!(ft <= fold)) return 'failed';
    x.set(xt);
    g.set(gt);
    run.f = ft;
    return 'ok';
  }
}
