/**
 * The one proposal check and the one cost rule of the one ask/tell loop, the
 * study client (study/study.ts: `Study.ask` checks and costs every proposal;
 * users and the benchmark harness, bench/simulate.ts, both drive it), so that
 * a proposal means the same thing everywhere.
 *
 * A proposal `(w, m, z)` is admissible when `w` is a mixture of the space's
 * `k` domains, `m` one of its scales and `z` an integer in `min..max`. A
 * continuation (`continues` set) must extend a completed run `p` of the same
 * mixture (within {@link SIMPLEX_TOL}) and scale, with more steps
 * (`z > z_p`). Its cost is only the extra steps:
 * `c(m, z) - c(m, z_p)` (testbeds and studies declare `c` non-decreasing in
 * `z`, so this is never negative); a new run costs `c(m, z)`.
 */
import { ValidationError } from './errors.ts';
import type { SearchSpace } from './interfaces.ts';
import { SIMPLEX_TOL, validateMixture } from './mixture.ts';
import type { Mixture, Proposal, TrialState } from './types.ts';

/** What the check needs of a space (a {@link SearchSpace} or a testbed). */
export type ProposalSpace = Pick<SearchSpace, 'domains' | 'scales' | 'steps'>;

/** What the check needs of the run a continuation extends. */
export interface ProposalParent {
  readonly mixture: Mixture;
  readonly scale: string;
  readonly steps: number;
  readonly state: TrialState;
}

/**
 * Checks `p` against `space` and, for a continuation, against its parent run
 * (`undefined` when the history has no run of that id). `who` opens the
 * message, e.g. `"optimiser 'bo' proposed"`.
 * @throws ValidationError naming the bad field and its value.
 */
export function checkProposal(
  space: ProposalSpace,
  p: Proposal,
  parent: ProposalParent | undefined,
  who: string,
): void {
  validateMixture(p.mixture, space.domains.length, `${who} a mixture that`);
  if (!space.scales.some((s) => s.name === p.scale)) {
    throw new ValidationError(
      `${who} unknown scale '${p.scale}'; the scales are ${space.scales.map((s) => s.name).join(', ')}`,
      { proposal: p },
    );
  }
  const { min, max } = space.steps;
  if (!Number.isSafeInteger(p.steps) || p.steps < min || p.steps > max) {
    throw new ValidationError(`${who} ${p.steps} steps, outside ${min}..${max}`, { proposal: p });
  }
  if (p.continues === undefined) return;
  const why =
    parent === undefined
      ? 'no such run'
      : parent.state !== 'completed'
        ? `it is ${parent.state}, not completed`
        : parent.scale !== p.scale
          ? `its scale is ${parent.scale}, not ${p.scale}`
          : parent.steps >= p.steps
            ? `it already has ${parent.steps} steps (>= ${p.steps})`
            : parent.mixture.some(
                  (x, i) => !(Math.abs(x - (p.mixture[i] as number)) <= SIMPLEX_TOL),
                )
              ? 'its mixture differs'
              : undefined;
  if (why !== undefined) {
    throw new ValidationError(`${who} an invalid continuation of run ${p.continues}: ${why}`, {
      proposal: p,
    });
  }
}

/**
 * The cost charged for a proposal: `c(m, z)`, or for a continuation of a run
 * with `parentSteps` steps only the extra steps, `c(m, z) - c(m, z_p)`
 * (clamped at 0).
 */
export function proposalCost(
  cost: (scale: string, steps: number) => number,
  p: Proposal,
  parentSteps: number | undefined,
): number {
  const full = cost(p.scale, p.steps);
  return parentSteps === undefined ? full : Math.max(0, full - cost(p.scale, parentSteps));
}
