/**
 * Prediction-quality measures for held-out values.
 *
 * Notation:
 * - `y_i`      held-out (true) values, `i = 1..n`; `ȳ` their mean.
 * - `ŷ_i`      predicted means; `σ_i²` predictive variances (of a new observation).
 * - `R²`       coefficient of determination `1 - Σ(y_i - ŷ_i)² / Σ(y_i - ȳ)²`
 *              (can be negative: worse than predicting `ȳ`).
 * - `q`        two-sided level of a central interval; `z_q = Φ⁻¹((1 + q)/2)`
 *              (`z_0.9 = 1.6448536269514722`).
 */
import { ValidationError } from '../core/index.ts';

/** `Φ⁻¹(0.95)`: the half-width, in standard deviations, of the central 90% normal interval. */
export const Z90 = 1.6448536269514722;

function checkPaired(y: ArrayLike<number>, yHat: ArrayLike<number>, what: string): void {
  if (y.length !== yHat.length) {
    throw new ValidationError(
      `${what}: ${y.length} true values but ${yHat.length} predictions; pass one prediction per value`,
    );
  }
  if (y.length < 2) {
    throw new ValidationError(`${what} needs at least 2 held-out values, got ${y.length}`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]) || !Number.isFinite(yHat[i])) {
      throw new ValidationError(
        `${what}: value ${i} is not finite (true ${String(y[i])}, predicted ${String(yHat[i])})`,
        { index: i },
      );
    }
  }
}

/**
 * Coefficient of determination `R² = 1 - Σ(y_i - ŷ_i)² / Σ(y_i - ȳ)²`.
 * @throws ValidationError on mismatched lengths, fewer than 2 values, a
 *   non-finite value, or constant `y` (R² undefined).
 */
export function rSquared(y: ArrayLike<number>, yHat: ArrayLike<number>): number {
  checkPaired(y, yHat, 'R²');
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] as number;
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    ssRes += (yi - (yHat[i] as number)) ** 2;
    ssTot += (yi - mean) ** 2;
  }
  if (!(ssTot > 0)) {
    throw new ValidationError(
      `R² is undefined when all ${n} held-out values are equal (${mean}); hold out runs with different values`,
    );
  }
  return 1 - ssRes / ssTot;
}

/**
 * R² on log values: `R²(log y, log ŷ)`. Returns `undefined` when some true or
 * predicted value is not positive (the log does not exist) — never NaN.
 */
export function rSquaredLog(y: ArrayLike<number>, yHat: ArrayLike<number>): number | undefined {
  checkPaired(y, yHat, 'R² on log values');
  const ly: number[] = [];
  const lh: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const a = y[i] as number;
    const b = yHat[i] as number;
    if (!(a > 0) || !(b > 0)) return undefined;
    ly.push(Math.log(a));
    lh.push(Math.log(b));
  }
  return rSquared(ly, lh);
}

/**
 * Share of `y_i` inside the central `level` normal interval
 * `ŷ_i ± z_q σ_i`, `σ_i = sqrt(variance_i)`. A well-calibrated predictor
 * gives about `level`.
 * @throws ValidationError on mismatched lengths, a negative or non-finite
 *   variance, or `level` outside (0, 1).
 */
export function intervalCoverage(
  y: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  level = 0.9,
): number {
  checkPaired(y, mean, 'interval coverage');
  if (variance.length !== y.length) {
    throw new ValidationError(
      `interval coverage: ${y.length} values but ${variance.length} variances`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new ValidationError(`interval level must be in (0, 1), got ${String(level)}`);
  }
  const z = level === 0.9 ? Z90 : normalQuantile((1 + level) / 2);
  let inside = 0;
  for (let i = 0; i < y.length; i++) {
    const v = variance[i] as number;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new ValidationError(`interval coverage: variance ${i} is ${String(v)}; need >= 0`);
    }
    const half = z * Math.sqrt(v);
    if (Math.abs((y[i] as number) - (mean[i] as number)) <= half) inside++;
  }
  return inside / y.length;
}

/**
 * Standard normal quantile `Φ⁻¹(p)` (Acklam's rational approximation,
 * relative error below 1.2e-9 on (0, 1)).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new ValidationError(`normalQuantile needs p in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

/** Mean and sample standard deviation (`n - 1` denominator; 0 for one value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) throw new ValidationError('meanStd of an empty list');
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  if (xs.length === 1) return { mean: m, std: 0 };
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return { mean: m, std: Math.sqrt(s / (xs.length - 1)) };
}
