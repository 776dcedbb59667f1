/**
 * Expected improvement (EI) and its logarithm, with derivatives with respect to the posterior
 * mean and standard deviation.
 *
 * Convention: the objective is MINIMISED (smaller y is better); improvement is max(best − y, 0).
 * For a metric to maximise, negate μ and `best` before calling. The returned EI / log EI is a
 * score to MAXIMISE.
 *
 * Notation (one candidate point; all scalars):
 *   μ      posterior mean at the point
 *   σ      posterior standard deviation (σ ≥ 0)
 *   best   incumbent value f* (the best observed, or the best posterior mean)
 *   u      (best − μ)/σ, the standardised improvement
 *   φ, Φ   standard normal density and cdf
 *   h(u)   φ(u) + u Φ(u)  (so that EI = σ h(u); h' = Φ, h > 0)
 *
 *   EI(μ, σ)      = σ h(u)
 *   ∂EI/∂μ        = −Φ(u)
 *   ∂EI/∂σ        = φ(u)
 *   log EI        = log σ + log h(u)
 *   ∂log EI/∂μ    = −Φ(u) / (σ h(u))
 *   ∂log EI/∂σ    = φ(u) / (σ h(u))
 *
 * log h(u) is computed without cancellation or underflow (BoTorch's `_log_ei_helper` idea):
 *   u ≥ −1:        log(φ(u) + u Φ(u)) directly;
 *   −10 ≤ u < −1:  log φ(u) + log(1 − t R(t)), t = −u, with the Mills ratio
 *                  R(t) = Φ(−t)/φ(t) = √(π/2) erfcx(t/√2);
 *   u < −10:       log φ(u) − 2 log t + log(Σₙ (−1)ⁿ (2n+1)!! t^{−2n}), the asymptotic series of
 *                  1 − t R(t) = t^{−2} (1 − 3t^{−2} + 15t^{−4} − …), summed to double precision.
 * Reference: S. Ament et al., "Unexpected improvements to expected improvement for Bayesian
 * optimization", NeurIPS 2023 (LogEI); BoTorch `botorch/acquisition/analytic.py`. EI: D. R. Jones,
 * M. Schonlau, W. J. Welch, "Efficient global optimization of expensive black-box functions",
 * J. Global Optim. 13 (1998), eq. (15).
 */
import { NumericsError } from '../core/index.ts';
import { erfcx, normCdf, normLogPdf, normPdf } from '../linalg/index.ts';

/** A scalar acquisition value and its partial derivatives w.r.t. μ and σ. */
export interface AcquisitionValue {
  readonly value: number;
  /** ∂value/∂μ */
  readonly dMu: number;
  /** ∂value/∂σ */
  readonly dSigma: number;
}

const SQRT_HALF_PI = 1.2533141373155003;
const INV_SQRT_2PI = 0.3989422804014327;
/** Below u = −ASYMPTOTIC_T the asymptotic series of 1 − tR(t) is used. */
const ASYMPTOTIC_T = 10;

/** log h(u) and the ratios φ(u)/h(u), Φ(u)/h(u) (all finite for finite u). */
interface LogH {
  readonly logH: number;
  readonly phiOverH: number;
  readonly cdfOverH: number;
}

function logHelper(u: number): LogH {
  if (u >= -1) {
    const phi = normPdf(u);
    const cdf = normCdf(u);
    const h = phi + u * cdf;
    return { logH: Math.log(h), phiOverH: phi / h, cdfOverH: cdf / h };
  }
  const t = -u;
  // Mills ratio R(t) = Φ(−t)/φ(t); accurate for all t through erfcx.
  const R = SQRT_HALF_PI * erfcx(t / Math.SQRT2);
  if (t <= ASYMPTOTIC_T) {
    const g = 1 - t * R; // g = h(u)/φ(u) = 1 − t R(t)
    return { logH: normLogPdf(u) + Math.log(g), phiOverH: 1 / g, cdfOverH: R / g };
  }
  // Asymptotic series of g = t^{-2} Σₙ (−1)ⁿ (2n+1)!! t^{−2n}, summed to double precision.
  const invT2 = 1 / (t * t);
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 60; k++) {
    term *= -(2 * k + 1) * invT2;
    sum += term;
    if (Math.abs(term) < 1e-17 * sum) break;
  }
  // log g = log Σ − 2 log t; 1/g = t²/Σ and R/g = (tR)·t/Σ, so that nothing overflows before the
  // true value does.
  return {
    logH: normLogPdf(u) + Math.log(sum) - 2 * Math.log(t),
    phiOverH: (t * t) / sum,
    cdfOverH: (R * t * t) / sum,
  };
}

function checkInputs(fn: string, mu: number, sigma: number, best: number): void {
  if (!Number.isFinite(mu) || !Number.isFinite(best) || !(sigma >= 0) || !Number.isFinite(sigma)) {
    throw new NumericsError(
      `${fn}: needs finite μ and best and a finite σ >= 0, got μ = ${String(mu)}, σ = ${String(sigma)}, best = ${String(best)}; check the posterior for NaN or a negative variance`,
      { mu: String(mu), sigma: String(sigma), best: String(best) },
    );
  }
}

/**
 * Expected improvement below `best` of a normal posterior N(μ, σ²), for minimisation:
 *
 *   EI = E[max(best − Y, 0)] = σ [u Φ(u) + φ(u)],  u = (best − μ)/σ,
 *   ∂EI/∂μ = −Φ(u),  ∂EI/∂σ = φ(u).
 *
 * For u < −1 the value is exp(log EI) (see {@link logExpectedImprovement}), so it keeps its
 * relative accuracy until it underflows (u ≈ −38). σ = 0 gives the limit max(best − μ, 0).
 *
 * Shapes: scalars in, scalars out (call once per candidate; combine with {@link chainToInputs}
 * for gradients w.r.t. the inputs).
 *
 * @param mu posterior mean μ
 * @param sigma posterior standard deviation σ ≥ 0
 * @param best incumbent (smallest) value
 * @returns `{ value: EI, dMu: ∂EI/∂μ, dSigma: ∂EI/∂σ }`
 * @throws NumericsError when μ, σ or best is NaN/infinite, or σ < 0
 * @example
 * expectedImprovement(0, 1, 0); // value = φ(0) = 0.3989…, dMu = −0.5, dSigma = 0.3989…
 */
export function expectedImprovement(mu: number, sigma: number, best: number): AcquisitionValue {
  checkInputs('expectedImprovement', mu, sigma, best);
  if (sigma === 0) {
    const imp = best - mu;
    return {
      value: Math.max(imp, 0),
      dMu: imp > 0 ? -1 : imp === 0 ? -0.5 : 0,
      dSigma: imp === 0 ? INV_SQRT_2PI : 0,
    };
  }
  const u = (best - mu) / sigma;
  // σ so small (subnormal) that u overflows: the σ → 0 limit.
  if (!Number.isFinite(u)) return expectedImprovement(mu, 0, best);
  const phi = normPdf(u);
  const cdf = normCdf(u);
  const value = u >= -1 ? sigma * (phi + u * cdf) : sigma * Math.exp(logHelper(u).logH);
  return { value, dMu: -cdf, dSigma: phi };
}

/**
 * Logarithm of the expected improvement, accurate where EI underflows (LogEI, Ament et al. 2023):
 *
 *   log EI = log σ + log h(u),  h(u) = φ(u) + u Φ(u),  u = (best − μ)/σ,
 *   ∂log EI/∂μ = −Φ(u)/(σ h(u)),  ∂log EI/∂σ = φ(u)/(σ h(u)).
 *
 * Finite for every finite u with σ > 0 (e.g. u = −1000 gives ≈ −500,014.73); the derivatives
 * behave like ∂/∂μ ≈ u/σ for u ≪ 0, so a gradient-based maximiser is not stranded on a plateau.
 * Only σ = 0 with μ ≥ best gives −Infinity (EI is exactly zero there).
 *
 * @param mu posterior mean μ
 * @param sigma posterior standard deviation σ ≥ 0
 * @param best incumbent (smallest) value
 * @returns `{ value: log EI, dMu, dSigma }`
 * @throws NumericsError when μ, σ or best is NaN/infinite, or σ < 0
 * @example
 * logExpectedImprovement(30, 1, 0).value; // ≈ −457.7246 (EI itself ≈ 1.63e-199)
 */
export function logExpectedImprovement(mu: number, sigma: number, best: number): AcquisitionValue {
  checkInputs('logExpectedImprovement', mu, sigma, best);
  if (sigma === 0) {
    const imp = best - mu;
    return imp > 0
      ? { value: Math.log(imp), dMu: -1 / imp, dSigma: 0 }
      : { value: Number.NEGATIVE_INFINITY, dMu: 0, dSigma: 0 };
  }
  const u = (best - mu) / sigma;
  // σ so small (subnormal) that u overflows: the σ → 0 limit.
  if (!Number.isFinite(u)) return logExpectedImprovement(mu, 0, best);
  const { logH, phiOverH, cdfOverH } = logHelper(u);
  return {
    value: Math.log(sigma) + logH,
    dMu: -cdfOverH / sigma,
    dSigma: phiOverH / sigma,
  };
}
