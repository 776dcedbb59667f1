/**
 * `bo`: full-fidelity Bayesian optimisation — a GP over the mixture `w` fitted
 * to runs at the target fidelity `(m*, z*)` only, expected improvement
 * maximised over the simplex (full-fidelity BO).
 *
 * Notation: `k` domains; GP inputs `x = [w, s*, t*]` (the fidelity coordinates
 * are constant, the kernel acts on `w` only); `y` target values in the
 * minimisation convention; `y_best = min y`.
 *
 * Loop: the first `initial` proposals are Dirichlet(1) mixtures at the target;
 * then each proposal maximises `logEI(w; y_best)` (multi-start L-BFGS-B, see
 * acquisition-search.ts). Hyper-parameters are refitted every proposal,
 * warm-started from the previous fit. A batch (n > 1) and pending runs use the
 * kriging believer (fantasy observation at the posterior mean).
 * Recommendation: the best observed target run.
 * Surrogate view (study reports): the GP models the target fidelity only, so
 * `predictAt`/`predictJoint`/`recommendAt` answer at the target and are
 * empty/undefined elsewhere (no ladder is claimed). There the GP is conditioned
 * on the current target runs with the last fitted hyper-parameters (fitted
 * afresh, not stored, before the first fit); latent 90% intervals.
 *
 * Determinism: the i-th proposal overall draws from `Rng(seed).fork('bo').fork(i)`.
 */

import { z } from 'zod';
import { logEiObjective, maximizeOverSimplex } from '../acquisition/index.ts';
import {
  type History,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  Rng,
  type SurrogateView,
} from '../core/index.ts';
import type { GaussianProcess, GPHyperparameters, GPOptions } from '../gp/index.ts';
import { encodeInput, observationsFromHistory } from './encoding.ts';
import {
  bestObserved,
  checkBatch,
  parseSettings,
  pendingRuns,
  surrogate,
  viewSurrogate,
  withFantasies,
} from './gp-common.ts';
import { recommendBestObserved } from './observed.ts';
import { sampleMixture } from './sample-mixture.ts';
import { HyperStateSchema, parseSavedState } from './saved-state.ts';
import { distinctMixtures, partialView } from './surrogate-view.ts';

/** Settings of `bo` (all optional). */
export const BoSettingsSchema = z.strictObject({
  /** Random target runs before the GP takes over (default 3). */
  initial: z.number().int().min(1).default(3),
  /** Kernel over `w` (default Matern-5/2). */
  kernel: z.enum(['rbf', 'matern52']).default('matern52'),
  /** Per-domain lengthscales (default false). */
  ard: z.boolean().default(false),
  /** Starts of the first GP fit (default 3); later fits start from the previous fit only. */
  restarts: z.number().int().min(1).default(3),
  /** L-BFGS-B starts of the acquisition search (default 5). */
  starts: z.number().int().min(1).default(5),
  /** Sobol mixtures scored before the starts are chosen (default 256). */
  rawSamples: z.number().int().min(0).default(256),
});
export type BoSettings = z.infer<typeof BoSettingsSchema>;

/** Builds the `bo` optimiser. @throws ValidationError for bad or unknown settings. */
export function createBo(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const s = parseSettings('bo', BoSettingsSchema, ctx.settings);
  const k = space.domains.length;
  const root = new Rng(ctx.seed).fork('bo');
  const target = space.target;
  const template = encodeInput(space, new Array<number>(k).fill(1 / k), target.scale, target.steps);
  const gpOptions: GPOptions = {
    kernel: { kind: s.kernel, dims: Array.from({ length: k }, (_, i) => i), ard: s.ard },
    mean: 'constant',
    noise: { kind: 'learned' },
    restarts: s.restarts,
    seed: ctx.seed,
  };
  let hyper: GPHyperparameters | undefined;
  const targetObs = (history: History) =>
    observationsFromHistory(space, history, { scales: [target.scale], steps: [target.steps] });
  const view = partialView({
    space,
    root,
    enc: {},
    models: (f) => f.scale === target.scale && f.steps === target.steps,
    stamp: () => hyper,
    fit: (history) => {
      const obs = targetObs(history);
      if (obs.n < Math.max(2, s.initial)) return { gp: undefined, observed: [] };
      const gp = viewSurrogate(obs, gpOptions, hyper);
      return { gp, observed: distinctMixtures(obs.points) };
    },
  });

  const opt: Optimizer & SurrogateView = {
    ...view,
    name: 'bo',
    propose(history: History, n: number): Proposal[] {
      checkBatch(n);
      const obs = observationsFromHistory(space, history, {
        scales: [target.scale],
        steps: [target.steps],
      });
      const pending = pendingRuns(history).filter(
        (r) => r.scale === target.scale && r.steps === target.steps,
      );
      const out: Proposal[] = [];
      let gp: GaussianProcess | undefined;
      let best = bestObserved(obs);
      for (let j = 0; j < n; j++) {
        const rng = root.fork(history.runs.length + j);
        if (obs.n < Math.max(2, s.initial)) {
          out.push({
            mixture: sampleMixture(rng, space),
            scale: target.scale,
            steps: target.steps,
          });
          continue;
        }
        if (gp === undefined) {
          gp = surrogate(obs, hyper === undefined ? gpOptions : { ...gpOptions, restarts: 1 }, {
            fit: true,
            ...(hyper !== undefined ? { warmStart: hyper } : {}),
          });
          hyper = gp.hyperparameters;
          gp = withFantasies(gp, space, pending, {});
        }
        const r = maximizeOverSimplex(logEiObjective(gp, template, k, best), k, {
          starts: s.starts,
          rawSamples: s.rawSamples,
          rng,
          ...(space.bounds !== undefined ? { bounds: space.bounds } : {}),
          ...(space.candidates !== undefined ? { candidates: space.candidates } : {}),
        });
        const p: Proposal = { mixture: r.w, scale: target.scale, steps: target.steps };
        out.push(p);
        if (j + 1 < n) {
          gp = withFantasies(gp, space, [p], {});
          best = Math.min(
            best,
            gp.predict(Float64Array.from(encodeInput(space, p.mixture, p.scale, p.steps))).mean[0]!,
          );
        }
      }
      return out;
    },
    recommend: (history) => recommendBestObserved(history, space),
    saveState: () => ({ hyper: hyper ?? null }),
    loadState: (state: unknown) => {
      hyper = parseSavedState(HyperStateSchema, state, 'bo')?.hyper ?? undefined;
    },
  };
  return opt;
}
