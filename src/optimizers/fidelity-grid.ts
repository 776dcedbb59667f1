/**
 * The candidate fidelities `(m, z)` a multi-fidelity optimiser chooses from
 * (the selection rule over them: src/acquisition/cost-aware.ts).
 *
 * Notation:
 * - `(m, z)`   a scale on the ladder and a step count; `c(m, z)` its cost from scratch.
 * - `t`        the BO iteration (0 for the first proposal after the initial design).
 * - `alpha_t = alpha_0 * decay^t` the cost exponent (paper: alpha_0 = 1, decay = 0.99).
 * - score of a pair: `EI / c^alpha_t`, compared in log space:
 *   `log EI - alpha_t log c` (so that an underflowed EI still ranks).
 */
import type { FidelityPair } from '../acquisition/index.ts';
import { type SearchSpace, ValidationError } from '../core/index.ts';

export type { FidelityPair };

/** The paper's step candidates on slimpajama-mlp, {6000, 12000, 19700}, as fractions of 19,700. */
export const PAPER_STEP_FRACTIONS: readonly number[] = [6000 / 19700, 12000 / 19700, 1];

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
