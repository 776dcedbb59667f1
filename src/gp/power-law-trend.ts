/**
 * A scaling-law trend of a positive metric (a loss) in model size and steps,
 * fitted by least squares in log space: the prior mean that the MFMS surrogate
 * subtracts before its GP models how mixtures differ.
 *
 * Notation:
 * - `N` parameters, `D` steps; `n = N / N_ref`, `d = D / D_ref` (the target's);
 * - `L(n, d) = E + A n^-alpha + B d^-beta` (the usual form of a loss in model
 *   size and data, e.g. Hoffmann et al. 2022), all five parameters positive;
 * - fitted in `theta = log [E, A, alpha, B, beta]` by minimising
 *   `(1/m) sum_i (log L(n_i, d_i) - log y_i)^2 + lambda |log alpha - log 0.3|^2 + lambda |log beta - log 0.3|^2`
 *   (`lambda = 1e-7`: the exponents stay near 0.3 when the data do not identify them,
 *   e.g. a single size) with L-BFGS-B over a box, `E <= min y`, from three
 *   deterministic starts.
 */
import { ValidationError } from '../core/index.ts';
import { lbfgsb } from '../linalg/index.ts';

/** A fitted trend. */
export interface PowerLawTrend {
  readonly E: number;
  readonly A: number;
  readonly alpha: number;
  readonly B: number;
  readonly beta: number;
  readonly nRef: number;
  readonly dRef: number;
  /** Root mean squared residual in log space. */
  readonly rmsLog: number;
}

const LAMBDA = 1e-7;
const LOG_EXP0 = Math.log(0.3);

/** `L(N, D)` of a fitted trend. */
export function trendValue(t: PowerLawTrend, params: number, steps: number): number {
  return t.E + t.A * (params / t.nRef) ** -t.alpha + t.B * (steps / t.dRef) ** -t.beta;
}

/**
 * Fits the trend to `y[i]` observed at `params[i]`, `steps[i]` (all positive).
 * @throws ValidationError on non-positive or non-finite inputs or mismatched lengths.
 */
export function fitPowerLawTrend(
  params: ArrayLike<number>,
  steps: ArrayLike<number>,
  y: ArrayLike<number>,
  ref: { readonly params: number; readonly steps: number },
): PowerLawTrend {
  const m = y.length;
  if (params.length !== m || steps.length !== m || m === 0) {
    throw new ValidationError(
      `power-law trend: ${params.length} sizes, ${steps.length} step counts and ${m} values; pass one of each per observation`,
    );
  }
  const ln = new Float64Array(m);
  const ld = new Float64Array(m);
  const ly = new Float64Array(m);
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = 0;
  for (let i = 0; i < m; i++) {
    const p = params[i]!;
    const z = steps[i]!;
    const v = y[i]!;
    if (!(p > 0 && z > 0 && v > 0) || !Number.isFinite(p + z + v)) {
      throw new ValidationError(
        `power-law trend: observation ${i} has size ${p}, steps ${z}, value ${v}; all must be positive and finite`,
      );
    }
    ln[i] = Math.log(p / ref.params);
    ld[i] = Math.log(z / ref.steps);
    ly[i] = Math.log(v);
    yMin = Math.min(yMin, v);
    yMax = Math.max(yMax, v);
  }
  const lower = [
    Math.log(1e-6 * yMin),
    Math.log(1e-8),
    Math.log(0.01),
    Math.log(1e-8),
    Math.log(0.01),
  ];
  const upper = [
    Math.log(yMin),
    Math.log(10 * yMax),
    Math.log(2),
    Math.log(10 * yMax),
    Math.log(2),
  ];
  const fg = (th: Float64Array, g: Float64Array): number => {
    const E = Math.exp(th[0]!);
    const A = Math.exp(th[1]!);
    const al = Math.exp(th[2]!);
    const B = Math.exp(th[3]!);
    const be = Math.exp(th[4]!);
    g.fill(0);
    let f = 0;
    for (let i = 0; i < m; i++) {
      const a = A * Math.exp(-al * ln[i]!);
      const b = B * Math.exp(-be * ld[i]!);
      const L = E + a + b;
      const r = Math.log(L) - ly[i]!;
      f += r * r;
      const c = (2 * r) / (L * m);
      g[0]! += c * E;
      g[1]! += c * a;
      g[2]! += c * a * -al * ln[i]!;
      g[3]! += c * b;
      g[4]! += c * b * -be * ld[i]!;
    }
    f /= m;
    const ra = th[2]! - LOG_EXP0;
    const rb = th[4]! - LOG_EXP0;
    f += LAMBDA * (ra * ra + rb * rb);
    g[2]! += 2 * LAMBDA * ra;
    g[4]! += 2 * LAMBDA * rb;
    return f;
  };
  let best: { x: Float64Array; f: number } | undefined;
  for (const frac of [0.3, 0.6, 0.9]) {
    const E = frac * yMin;
    const rest = Math.max(yMin - E, 1e-6 * yMin);
    const x0 = [Math.log(E), Math.log(rest / 2), LOG_EXP0, Math.log(rest / 2), LOG_EXP0].map(
      (v, j) => Math.min(upper[j]!, Math.max(lower[j]!, v)),
    );
    const r = lbfgsb(fg, x0, { lower, upper, maxIter: 200 });
    if (best === undefined || r.f < best.f) best = { x: Float64Array.from(r.x), f: r.f };
  }
  const x = best!.x;
  const t: PowerLawTrend = {
    E: Math.exp(x[0]!),
    A: Math.exp(x[1]!),
    alpha: Math.exp(x[2]!),
    B: Math.exp(x[3]!),
    beta: Math.exp(x[4]!),
    nRef: ref.params,
    dRef: ref.steps,
    rmsLog: 0,
  };
  let ss = 0;
  for (let i = 0; i < m; i++) {
    const r = Math.log(trendValue(t, params[i]!, steps[i]!)) - ly[i]!;
    ss += r * r;
  }
  return { ...t, rmsLog: Math.sqrt(ss / m) };
}
