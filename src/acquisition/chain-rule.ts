/**
 * Chain rule from an acquisition's derivatives w.r.t. (μ, σ) to its gradient w.r.t. the inputs.
 *
 * Notation (one candidate x of dimension d):
 *   a(μ, σ)        the acquisition value; ∂a/∂μ and ∂a/∂σ from the acquisition function
 *   ∇μ(x), ∇v(x)   gradients of the posterior mean and VARIANCE v = σ², length d (from the GP)
 *
 *   ∇a = ∂a/∂μ · ∇μ + ∂a/∂σ · ∇σ,   ∇σ = ∇v / (2σ).
 */
import { NumericsError, ValidationError } from '../core/index.ts';

/**
 * Gradient of an acquisition w.r.t. the test inputs.
 *
 * @param dMu ∂a/∂μ (from e.g. {@link expectedImprovement})
 * @param dSigma ∂a/∂σ
 * @param dMean ∇μ(x), length d
 * @param dVariance ∇σ²(x), length d
 * @param sigma σ(x) > 0 (σ = 0 is accepted only when dSigma = 0)
 * @returns ∇a, length d (new array)
 * @throws ValidationError when the gradient lengths differ
 * @throws NumericsError when σ ≤ 0 with dSigma ≠ 0 (∇σ is undefined there), or a result is NaN
 * @example
 * chainToInputs(-0.5, 0.4, [1, 0], [0, 2], 0.5); // [-0.5, 0.8]
 */
export function chainToInputs(
  dMu: number,
  dSigma: number,
  dMean: ArrayLike<number>,
  dVariance: ArrayLike<number>,
  sigma: number,
): Float64Array {
  const d = dMean.length;
  if (dVariance.length !== d) {
    throw new ValidationError(
      `chainToInputs: dMean has length ${d} but dVariance has length ${dVariance.length}; both are gradients w.r.t. the same d inputs`,
      { dMean: d, dVariance: dVariance.length },
    );
  }
  const out = new Float64Array(d);
  const sigmaTerm = dSigma === 0 ? 0 : dSigma / (2 * sigma);
  if (dSigma !== 0 && !(sigma > 0)) {
    throw new NumericsError(
      `chainToInputs: σ = ${String(sigma)} with ∂a/∂σ = ${String(dSigma)}; ∇σ = ∇σ²/(2σ) needs σ > 0 (add a variance floor)`,
      { sigma: String(sigma), dSigma },
    );
  }
  for (let i = 0; i < d; i++) {
    const g = dMu * (dMean[i] as number) + sigmaTerm * (dVariance[i] as number);
    if (Number.isNaN(g)) {
      throw new NumericsError(
        `chainToInputs: gradient component ${i} is NaN (dMu = ${String(dMu)}, dSigma = ${String(dSigma)}, dMean = ${String(dMean[i])}, dVariance = ${String(dVariance[i])})`,
        { index: i },
      );
    }
    out[i] = g;
  }
  return out;
}
