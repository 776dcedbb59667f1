/**
 * Parts both MFMS-BO modes share around the paper's cost-aware step
 * (src/acquisition/cost-aware-step.ts): the fidelity pairs a proposal may choose from, and one
 * step turned into a proposal.
 *
 * Notation: `pairs` the fidelity grid `(m, z)` with costs `c(m, z)`; `left` the budget left;
 * `best` the incumbent (smallest observed y at any fidelity, minimisation convention);
 * `alpha` the cost exponent.
 */
import { costAwareStep, type PairSearchOptions } from '../../acquisition/index.ts';
import type { History, Proposal, Rng, SearchSpace } from '../../core/index.ts';
import type { GaussianProcess } from '../../gp/index.ts';
import { type EncodingOptions, encodeInput, mixtureProducts } from '../encoding.ts';
import { type FidelityPair, fidelityGrid } from '../fidelity-grid.ts';

/**
 * The grid pairs (every scale x `steps`) that cost at most `left`; when none does, the
 * cheapest pair alone (so a proposal always exists; the caller's budget rule decides).
 */
export function affordablePairs(
  space: SearchSpace,
  steps: readonly number[],
  left: number,
): FidelityPair[] {
  const all = fidelityGrid(space, { steps });
  const fitting = all.filter((p) => p.cost <= left);
  if (fitting.length > 0) return fitting;
  const cheapest = cheapestPair(all);
  return cheapest === undefined ? [] : [cheapest];
}

/** The cheapest of `pairs` (the first among equal costs), or undefined when there are none. */
export function cheapestPair(pairs: readonly FidelityPair[]): FidelityPair | undefined {
  let best: FidelityPair | undefined;
  for (const p of pairs) if (best === undefined || p.cost < best.cost) best = p;
  return best;
}

/**
 * The paper's step (`argmax_p max_w logEI(x(w; p); best) - alpha log c_p`) as a proposal:
 * a new run at the chosen pair with its EI-maximising mixture, and `logEI` at the target
 * pair (the paper's lengthscale-shrink test).
 */
export function costAwareProposal(
  gp: GaussianProcess,
  space: SearchSpace,
  step: {
    readonly pairs: readonly FidelityPair[];
    readonly best: number;
    readonly alpha: number;
    readonly rng: Rng;
    readonly search: PairSearchOptions;
  },
  enc: EncodingOptions,
): { proposal: Proposal; logEiTarget: number } {
  const { pairs, best, alpha, rng, search } = step;
  const r = costAwareStep(
    gp,
    space,
    pairs,
    best,
    alpha,
    rng,
    search,
    (w, scale, z) => encodeInput(space, w, scale, z, enc),
    (scale, z) => mixtureProducts(space, scale, z, enc),
  );
  const c = r.pairs[r.chosen]!;
  return {
    proposal: { mixture: c.w, scale: c.pair.scale, steps: c.pair.steps },
    logEiTarget: r.logEiTarget,
  };
}

/**
 * `maxInFlight`: the most a new proposal may cost while other runs are in flight, so that the
 * cost committed to runs in flight (`inFlight`, the pending and running runs' costs, plus the
 * full cost of each earlier proposal of the same `batch`) stays within `share` of the budget not
 * yet spent: `share (B - spent) - committed`. Infinite when `share >= 1`, without a budget, or
 * with nothing in flight (a sequential proposal is never capped).
 */
export function inFlightCap(
  history: Pick<History, 'spent'> & { readonly budget?: number | undefined },
  share: number,
  inFlight: number,
  batch: readonly Proposal[],
  space: Pick<SearchSpace, 'cost'>,
): number {
  if (!(share < 1) || history.budget === undefined) return Number.POSITIVE_INFINITY;
  let committed = inFlight;
  for (const p of batch) committed += space.cost(p.scale, p.steps);
  if (!(committed > 0)) return Number.POSITIVE_INFINITY;
  return share * (history.budget - history.spent) - committed;
}
