/**
 * Cost-aware acquisition scores (the paper's cost-aware EI selection across fidelities).
 *
 * Notation: EI ≥ 0 expected improvement at a fidelity, c > 0 the cost of a run at that fidelity,
 * α ≥ 0 the cost exponent (the paper decays it: α_t = α₀ · 0.99^t).
 *
 *   score     = EI / c^α
 *   log score = log EI − α log c
 *
 * Reference: Yen et al., "Data Mixture Optimization: A Multi-fidelity Multi-scale Bayesian
 * Framework", NeurIPS 2025 (cost-aware EI); E. H. Lee et al., "Cost-aware Bayesian optimization"
 * (2020) for the decaying exponent.
 */
import { ValidationError } from '../core/index.ts';

function checkCost(fn: string, cost: number, alpha: number): void {
  if (!(cost > 0) || !Number.isFinite(cost)) {
    throw new ValidationError(
      `${fn}: cost must be finite and > 0, got ${String(cost)}; check the cost function of the testbed`,
      { cost },
    );
  }
  if (!(alpha >= 0) || !Number.isFinite(alpha)) {
    throw new ValidationError(`${fn}: alpha must be finite and >= 0, got ${String(alpha)}`, {
      alpha,
    });
  }
}

/**
 * EI per unit cost: EI / c^α (α = 0 ignores cost; α = 1 is EI per unit cost).
 * @param ei expected improvement (≥ 0, finite)
 * @param cost run cost c > 0
 * @param alpha exponent α ≥ 0
 * @throws ValidationError on a non-positive cost, a negative α or a negative/non-finite EI
 * @example
 * costAwareScore(0.2, 4, 0.5); // 0.1
 */
export function costAwareScore(ei: number, cost: number, alpha: number): number {
  checkCost('costAwareScore', cost, alpha);
  if (!(ei >= 0) || !Number.isFinite(ei)) {
    throw new ValidationError(`costAwareScore: ei must be finite and >= 0, got ${String(ei)}`, {
      ei,
    });
  }
  return ei / cost ** alpha;
}

/**
 * log(EI / c^α) = log EI − α log c, for use with {@link logExpectedImprovement} where EI
 * underflows. `logEi` may be −Infinity (EI exactly zero); the result is then −Infinity.
 * @throws ValidationError on a non-positive cost, a negative α, or logEi NaN/+Infinity
 * @example
 * logCostAwareScore(Math.log(0.2), 4, 0.5); // log(0.1)
 */
export function logCostAwareScore(logEi: number, cost: number, alpha: number): number {
  checkCost('logCostAwareScore', cost, alpha);
  if (Number.isNaN(logEi) || logEi === Number.POSITIVE_INFINITY) {
    throw new ValidationError(
      `logCostAwareScore: logEi must be a number below +Infinity, got ${String(logEi)}`,
      { logEi: String(logEi) },
    );
  }
  return logEi - alpha * Math.log(cost);
}

/** A candidate fidelity with its cost from scratch. */
export interface FidelityPair {
  readonly scale: string;
  readonly steps: number;
  readonly cost: number;
}

/** The cost exponent `alpha_t = alpha0 * decay^t`. */
export function costExponent(t: number, alpha0 = 1, decay = 0.99): number {
  return alpha0 * decay ** t;
}

/**
 * The paper's rule: index of the candidate maximising `EI / c^alpha`, computed
 * as `logEI - alpha * log c`. Ties go to the earlier candidate.
 * @throws ValidationError on an empty list or a non-positive cost.
 */
export function selectCostAware(
  candidates: readonly { readonly logEi: number; readonly cost: number }[],
  alpha: number,
): { index: number; score: number } {
  if (candidates.length === 0) throw new ValidationError('selectCostAware: no candidates');
  let index = -1;
  let score = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (!(c.cost > 0)) {
      throw new ValidationError(`selectCostAware: candidate ${i} has cost ${c.cost}; need > 0`);
    }
    const s = c.logEi - alpha * Math.log(c.cost);
    if (index < 0 || s > score) {
      index = i;
      score = s;
    }
  }
  return { index, score };
}

/** The paper's trigger: shrink the size and step lengthscales when `EI at the target < threshold`. */
export function shouldShrink(logEiTarget: number, threshold = 1e-4): boolean {
  return logEiTarget < Math.log(threshold);
}
