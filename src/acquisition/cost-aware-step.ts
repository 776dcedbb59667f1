/**
 * One iteration of the paper's cost-aware EI selection: for each
 * candidate fidelity `(m, z)` maximise EI over the mixture, then choose the
 * pair maximising `EI / c(m, z)^alpha`.
 *
 * Notation:
 * - `pairs` the fidelity grid; `x(w; m, z) = encode(w, m, z)` the GP input (e.g. `[w, s(m), t(z)]`).
 * - `products(m, z)` (optional) the encoded columns that are a weight times a factor of the fidelity
 *   (`x_col = w_dim * factor`), passed to the log-EI objective so its gradient in `w` includes them.
 * - `best` the incumbent in the minimisation convention (the paper: the
 *   smallest observed value at any fidelity).
 * - `logEI_p = max_w logEI(x(w; p))` per pair p, found by {@link maximizeOverSimplex}.
 * - choice: `argmax_p logEI_p - alpha log c_p`.
 */
import type { Rng, SearchSpace } from '../core/index.ts';
import type { GaussianProcess } from '../gp/index.ts';
import { type FidelityPair, selectCostAware } from './cost-aware.ts';
import { logEiObjective, type MixtureProduct } from './gp-objectives.ts';
import { maximizeOverSimplex } from './simplex-search.ts';

/** Search settings for the per-pair EI maximisation. */
export interface PairSearchOptions {
  readonly starts: number;
  readonly rawSamples: number;
  readonly initial?: readonly (readonly number[])[];
}

/** The EI maximum of one pair. */
export interface PairResult {
  readonly pair: FidelityPair;
  readonly w: number[];
  readonly logEi: number;
}

/** What {@link costAwareStep} returns. */
export interface CostAwareStep {
  /** Every pair's EI maximum, in grid order. */
  readonly pairs: readonly PairResult[];
  /** Index of the chosen pair in `pairs`. */
  readonly chosen: number;
  /** `logEI` at the target pair (`-Infinity` when the target is not in the grid). */
  readonly logEiTarget: number;
}

/**
 * Maximises log EI over `w` for every pair and applies the paper's rule.
 * `rng.fork(i)` drives pair i's search, so adding a pair never shifts another's starts.
 */
export function costAwareStep(
  gp: GaussianProcess,
  space: SearchSpace,
  pairs: readonly FidelityPair[],
  best: number,
  alpha: number,
  rng: Rng,
  search: PairSearchOptions,
  encode: (w: readonly number[], scale: string, steps: number) => number[],
  products: (scale: string, steps: number) => readonly MixtureProduct[] = () => [],
): CostAwareStep {
  const k = space.domains.length;
  const uniform = new Array<number>(k).fill(1 / k);
  const results: PairResult[] = pairs.map((pair, i) => {
    const template = encode(uniform, pair.scale, pair.steps);
    const r = maximizeOverSimplex(
      logEiObjective(gp, template, k, best, products(pair.scale, pair.steps)),
      k,
      {
        starts: search.starts,
        rawSamples: search.rawSamples,
        rng: rng.fork(i),
        ...(search.initial !== undefined ? { initial: search.initial } : {}),
        ...(space.bounds !== undefined ? { bounds: space.bounds } : {}),
        ...(space.candidates !== undefined ? { candidates: space.candidates } : {}),
      },
    );
    return { pair, w: r.w, logEi: r.value };
  });
  const { index } = selectCostAware(
    results.map((r) => ({ logEi: r.logEi, cost: r.pair.cost })),
    alpha,
  );
  const t = results.find(
    (r) => r.pair.scale === space.target.scale && r.pair.steps === space.target.steps,
  );
  return { pairs: results, chosen: index, logEiTarget: t?.logEi ?? Number.NEGATIVE_INFINITY };
}
