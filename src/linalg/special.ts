/**
 * Special functions: the error function family and the standard normal distribution,
 * accurate deep in the tails.
 *
 * Notation:
 *   φ(x) = exp(−x²/2)/√(2π)          standard normal density
 *   Φ(x) = ½ erfc(−x/√2)              standard normal cdf
 *   erfc(x) = 1 − erf(x) = (2/√π) ∫ₓ^∞ e^{−t²} dt
 *   erfcx(x) = exp(x²) erfc(x)        scaled complementary error function (≈ 1/(x√π) for x → +∞)
 *
 * erf/erfc/erfcx use W. J. Cody's rational Chebyshev approximations (relative error below
 * ~1e-16 on each of the three intervals |x| ≤ 0.46875, ≤ 4, > 4):
 * W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Math. Comp. 23 (1969) 631–637, and the CALERF routine of Netlib specfun (1990).
 * The exp(±x²) factors are evaluated as exp(±r²)·exp(±(x−r)(x+r)) with r = trunc(16x)/16,
 * which keeps full relative accuracy for large |x|.
 */

const SQRT2 = Math.SQRT2;
const INV_SQRT_PI = 0.5641895835477563;
const INV_SQRT_2PI = 0.3989422804014327;
/** log(√(2π)) */
/** √(π/2) */
const SQRT_HALF_PI = 1.2533141373155003;
const LOG_SQRT_2PI = 0.9189385332046728;

// Cody's coefficients. Interval 1 (|x| ≤ 0.46875): erf(x) ≈ x·P(x²)/Q(x²).
const A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315,
];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
// Interval 2 (0.46875 < |x| ≤ 4): erfcx(x) ≈ P(x)/Q(x).
const C = [
  0.5641884969886701, 8.883149794388375, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037493,
];
// Interval 3 (|x| > 4): erfcx(x) ≈ (1/√π − R(1/x²)/x²)/x.
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.01608378514874228,
  0.0006587491615298378, 0.016315387137302097,
];
const Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132,
  0.0023352049762686918,
];

const THRESH = 0.46875;
/** Beyond this, erfcx(x) = 1/(x√π) to double precision. */
const XHUGE = 6.71e7;

/** erf(x)/x·… on |x| ≤ 0.46875: returns erf(x). */
function erfSmall(x: number): number {
  const y = Math.abs(x);
  const z = y > 1.11e-16 ? y * y : 0;
  let num = (A[4] as number) * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + (A[i] as number)) * z;
    den = (den + (B[i] as number)) * z;
  }
  return (x * (num + (A[3] as number))) / (den + (B[3] as number));
}

/** erfcx(y) for y > 0.46875 (Cody intervals 2 and 3). */
function erfcxPositive(y: number): number {
  if (y <= 4) {
    let num = (C[8] as number) * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + (C[i] as number)) * y;
      den = (den + (D[i] as number)) * y;
    }
    return (num + (C[7] as number)) / (den + (D[7] as number));
  }
  if (y >= XHUGE) return INV_SQRT_PI / y;
  const z = 1 / (y * y);
  let num = (P[5] as number) * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + (P[i] as number)) * z;
    den = (den + (Q[i] as number)) * z;
  }
  const r = (z * (num + (P[4] as number))) / (den + (Q[4] as number));
  return (INV_SQRT_PI - r) / y;
}

/** exp(−y²) with full relative accuracy for large y (y ≥ 0). */
function expNegSquare(y: number): number {
  const r = Math.trunc(y * 16) / 16;
  const del = (y - r) * (y + r);
  return Math.exp(-r * r) * Math.exp(-del);
}

/** exp(y²) with full relative accuracy for large y. */
function expSquare(y: number): number {
  const r = Math.trunc(y * 16) / 16;
  const del = (y - r) * (y + r);
  return Math.exp(r * r) * Math.exp(del);
}

/**
 * The error function erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt.
 * NaN in, NaN out (callers validate their inputs).
 * Reference: Cody (1969), Netlib specfun CALERF.
 */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= THRESH) return erfSmall(x);
  const e = erfc(y);
  return x > 0 ? 1 - e : e - 1;
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), with full relative accuracy for
 * large positive x (down to the underflow at x ≈ 26.55).
 * Reference: Cody (1969), Netlib specfun CALERF.
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= THRESH) return 1 - erfSmall(x);
  if (Number.isNaN(x)) return Number.NaN;
  const pos = y >= 27 ? 0 : erfcxPositive(y) * expNegSquare(y);
  return x > 0 ? pos : 2 - pos;
}

/**
 * The scaled complementary error function erfcx(x) = exp(x²) erfc(x).
 *
 * For x → +∞, erfcx(x) ≈ 1/(x√π) (no underflow, full relative accuracy for every x > 0).
 * For x < 0, erfcx(x) = 2 exp(x²) − erfcx(−x), which overflows to +Infinity below x ≈ −26.6
 * (the true value exceeds the double range).
 * Reference: Cody (1969), Netlib specfun CALERF (jint = 2).
 */
export function erfcx(x: number): number {
  const y = Math.abs(x);
  if (Number.isNaN(x)) return Number.NaN;
  let pos: number;
  if (y <= THRESH) {
    const z = x * x;
    return Math.exp(z) * (1 - erfSmall(x));
  }
  if (y === Number.POSITIVE_INFINITY) pos = 0;
  else pos = erfcxPositive(y);
  if (x > 0) return pos;
  if (x < -26.7) return Number.POSITIVE_INFINITY;
  const e = expSquare(y);
  return e + e - pos;
}

/**
 * Standard normal density φ(x) = exp(−x²/2)/√(2π), with full relative accuracy for large |x|
 * (exp(−x²/2) is split as exp(−r²/2)·exp(−(x−r)(x+r)/2), r = trunc(16x)/16, so x² is never rounded).
 */
export function normPdf(x: number): number {
  if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) return 0;
  const r = Math.trunc(x * 16) / 16;
  const del = (x - r) * (x + r);
  return INV_SQRT_2PI * Math.exp(-0.5 * r * r) * Math.exp(-0.5 * del);
}

/** log φ(x) = −x²/2 − log √(2π), finite for every finite x. */
export function normLogPdf(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/**
 * Standard normal cdf Φ(x), with full relative accuracy in the lower tail until Φ underflows
 * below x ≈ −38.5 (use {@link normLogCdf} there):
 *
 *   x < −1:   Φ(x) = φ(x) · √(π/2) · erfcx(−x/√2)   (no rounding of x² inside an exponential)
 *   else:     Φ(x) = ½ erfc(−x/√2)
 */
export function normCdf(x: number): number {
  if (x < -1) return normPdf(x) * SQRT_HALF_PI * erfcx(-x / SQRT2);
  return 0.5 * erfc(-x / SQRT2);
}

/**
 * log Φ(x), accurate for every x, including far in the lower tail where Φ underflows:
 *
 *   x < −1:        log Φ(x) = log(½ erfcx(−x/√2)) − x²/2
 *   −1 ≤ x ≤ 0:    log Φ(x)
 *   x > 0:         log1p(−Φ(−x))
 *
 * e.g. normLogCdf(−40) = −804.6084420137538…
 * Reference: the same split as SciPy's `log_ndtr` and BoTorch's `log_ndtr`.
 */
export function normLogCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -1) {
    const t = -x / SQRT2;
    return Math.log(0.5 * erfcx(t)) - 0.5 * x * x;
  }
  if (x <= 0) return Math.log(normCdf(x));
  return Math.log1p(-normCdf(-x));
}

// Acklam's rational approximation of the normal quantile (relative error < 1.15e-9), refined by
// one Halley step (then close to double precision).
const QA = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const QB = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
];
const QC = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const QD = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Horner evaluation c[0] xᵐ + c[1] xᵐ⁻¹ + … + c[m]. */
function horner(c: readonly number[], x: number): number {
  let s = c[0] as number;
  for (let i = 1; i < c.length; i++) s = s * x + (c[i] as number);
  return s;
}

function acklamTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return horner(QC, q) / (horner(QD, q) * q + 1);
}

/**
 * Inverse of the standard normal cdf: the x with Φ(x) = p.
 * normQuantile(0) = −Infinity, normQuantile(1) = +Infinity; NaN outside [0, 1].
 *
 * Acklam's algorithm (P. J. Acklam, "An algorithm for computing the inverse normal cumulative
 * distribution function", 2003) followed by one Halley step on Φ(x) − p, using the complement in
 * the upper tail so that p close to 1 keeps its accuracy.
 */
export function normQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  let x: number;
  if (p < P_LOW) x = acklamTail(p);
  else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = (horner(QA, r) * q) / (horner(QB, r) * r + 1);
  } else x = -acklamTail(1 - p);
  // Halley step on f(x) = Φ(x) − p (upper tail: on 1 − Φ(x) − (1 − p) = Φ(−x) − (1 − p)).
  const e = x <= 0 ? normCdf(x) - p : -(normCdf(-x) - (1 - p));
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
