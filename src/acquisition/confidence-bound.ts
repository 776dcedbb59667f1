/**
 * Confidence-bound acquisition for minimisation.
 *
 * Notation: μ posterior mean, σ posterior standard deviation, β ≥ 0 exploration weight.
 *
 * Sign convention: the objective is MINIMISED, so the optimistic bound is the LOWER confidence
 * bound LCB = μ − √β σ (small is promising). This module returns its NEGATION as a score to
 * MAXIMISE, like EI:
 *
 *   score = −(μ − √β σ) = √β σ − μ,   ∂score/∂μ = −1,   ∂score/∂σ = √β.
 *
 * (For a metric to maximise, negate μ first; the score is then the usual UCB with sign flipped
 * back by the caller.)
 * Reference: N. Srinivas et al., "Gaussian process optimization in the bandit setting",
 * ICML 2010 (GP-UCB); BoTorch `UpperConfidenceBound(maximize=False)`.
 */
import { NumericsError, ValidationError } from '../core/index.ts';
import type { AcquisitionValue } from './expected-improvement.ts';

/**
 * Negated lower confidence bound √β σ − μ (a score to maximise for a minimisation problem).
 *
 * @param mu posterior mean μ
 * @param sigma posterior standard deviation σ ≥ 0
 * @param beta exploration weight β ≥ 0 (the bound is μ − √β σ)
 * @returns `{ value: √β σ − μ, dMu: −1, dSigma: √β }`
 * @throws ValidationError when β is negative or not finite
 * @throws NumericsError when μ or σ is NaN/infinite, or σ < 0
 * @example
 * upperConfidenceBound(1, 0.5, 4); // value = 2·0.5 − 1 = 0, dMu = −1, dSigma = 2
 */
export function upperConfidenceBound(mu: number, sigma: number, beta: number): AcquisitionValue {
  if (!(beta >= 0) || !Number.isFinite(beta)) {
    throw new ValidationError(
      `upperConfidenceBound: beta must be finite and >= 0, got ${String(beta)}; try beta = 2`,
      { beta },
    );
  }
  if (!Number.isFinite(mu) || !(sigma >= 0) || !Number.isFinite(sigma)) {
    throw new NumericsError(
      `upperConfidenceBound: needs a finite μ and a finite σ >= 0, got μ = ${String(mu)}, σ = ${String(sigma)}; check the posterior for NaN or a negative variance`,
      { mu: String(mu), sigma: String(sigma) },
    );
  }
  const sb = Math.sqrt(beta);
  return { value: sb * sigma - mu, dMu: -1, dSigma: sb };
}
