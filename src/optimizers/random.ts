/**
 * Random search: mixtures uniform on the simplex (Dirichlet(1)), each trained
 * at the target fidelity; recommends the best observed target run.
 *
 * Deterministic from (seed, history): the i-th proposal overall (counting every
 * run already in the history) draws from `new Rng(seed).fork('random').fork(i)`.
 */
import {
  type History,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  Rng,
  ValidationError,
} from '../core/index.ts';
import { recommendBestObserved } from './observed.ts';
import { sampleMixture } from './sample-mixture.ts';

/** Builds a random-search optimiser. Settings: none. */
export function createRandomSearch(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const root = new Rng(ctx.seed).fork('random');
  return {
    name: 'random',
    propose(history: History, n: number): Proposal[] {
      if (!Number.isInteger(n) || n < 1) {
        throw new ValidationError(`propose needs n >= 1 runs, got ${String(n)}`, { n });
      }
      const out: Proposal[] = [];
      for (let j = 0; j < n; j++) {
        const i = history.runs.length + j;
        out.push({
          mixture: sampleMixture(root.fork(i), space),
          scale: space.target.scale,
          steps: space.target.steps,
        });
      }
      return out;
    },
    recommend: (history) => recommendBestObserved(history, space),
  };
}
