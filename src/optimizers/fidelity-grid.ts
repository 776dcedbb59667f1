/**
 * The candidate fidelities `(m, z)` a multi-fidelity optimiser chooses from,
 * and the paper's cost-aware selection rule over them.
 *
 * Notation:
 * - `(m, z)`   a scale on the ladder and a step count; `c(m, z)` its cost from scratch.
 * - `t`        the BO iteration (0 for the first proposal after the initial design).
 * - `alpha_t = alpha_0 * decay^t` the cost exponent (paper: alpha_0 = 1, decay = 0.99).
 * - score of a pair: `EI / c^alpha_t`, compared in log space:
 *   `log EI - alpha_t log c` (so that an underflowed EI still ranks).
 */
import { type SearchSpace, ValidationError } from '../core/index.ts';

/** The paper's step candidates on slimpajama-mlp, {6000, 12000, 19700}, as fractions of 19,700. */
export const PAPER_STEP_FRACTIONS: readonly number[] = [6000 / 19700, 12000 / 19700, 1];

/** A candidate fidelity with its cost from scratch. */
export interface FidelityPair {
  readonly scale: string;
  readonly steps: number;
  readonly cost: number;
}

/** `z` rounded to a multiple of the log interval and clamped to the step range. */
export function roundSteps(space: SearchSpace, z: number): number {
  const { min, max, logEvery } = space.steps;
  const r = Math.round(z / logEvery) * logEvery;
  return Math.min(max, Math.max(min, r));
}

/**
 * The step candidates: the space's `stepCandidates` when it declares them,
 * otherwise `fractions * z_max` rounded to the log interval (deduplicated, ascending).
 */
export function stepGrid(
  space: SearchSpace,
  fractions: readonly number[] = PAPER_STEP_FRACTIONS,
): number[] {
  const raw =
    space.stepCandidates !== undefined && space.stepCandidates.length > 0
      ? space.stepCandidates.slice()
      : fractions.map((f) => roundSteps(space, f * space.steps.max));
  return [...new Set(raw)].sort((a, b) => a - b);
}

/**
 * Every (scale, steps) pair of the given scales (default: the whole ladder) and
 * steps (default: {@link stepGrid}), with its cost.
 * @throws ValidationError when a cost is not positive and finite.
 */
export function fidelityGrid(
  space: SearchSpace,
  options: { scales?: readonly string[]; steps?: readonly number[] } = {},
): FidelityPair[] {
  const scales = options.scales ?? space.scales.map((s) => s.name);
  const steps = options.steps ?? stepGrid(space);
  const out: FidelityPair[] = [];
  for (const scale of scales) {
    for (const z of steps) {
      const cost = space.cost(scale, z);
      if (!(cost > 0) || !Number.isFinite(cost)) {
        throw new ValidationError(
          `cost(${scale}, ${z}) = ${cost}; a run's cost must be positive and finite`,
          { scale, steps: z, cost },
        );
      }
      out.push({ scale, steps: z, cost });
    }
  }
  return out;
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
