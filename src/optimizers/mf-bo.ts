/**
 * `mf-bo`: single-scale multi-fidelity BO — a GP over the mixture
 * and the steps `(w, z)` at the target scale only, cost-aware EI over the step
 * candidates.
 *
 * Notation: `k` domains; GP input `x = [w, s*, t]` with `s*` constant (the
 * kernel is `k_w(w) * k_t(t)`, `t = z / z_max`); `y` in the minimisation
 * convention; incumbent `y_best` = smallest observed value (any steps), as in
 * the paper's cost-aware EI; `alpha_t = alpha_0 * 0.99^t_it`.
 *
 * Loop: `initial` short runs at the target scale (Dirichlet(1) mixtures, steps
 * uniform over the paper's 100..900-of-19,700 range), whose whole curves are
 * observed; then each proposal maximises log EI over `w` for every step
 * candidate (fractions {0.30, 0.61, 1} of z_max or the space's
 * `stepCandidates`) and picks `argmax EI / c^alpha_t`. Hyper-parameters are
 * refitted every proposal (warm-started, one start after the first fit). Recommendation: the best observed
 * target run, else the best run at the largest steps reached.
 * Surrogate view (study reports): the GP models the target scale only, so
 * `predictAt`/`predictJoint`/`recommendAt` answer at the target scale (any
 * steps) and are empty/undefined at other scales (no ladder is claimed). The
 * GP is conditioned on the current runs with the last fitted hyper-parameters
 * (fitted afresh, not stored, before the first fit); latent 90% intervals.
 *
 * Determinism: the i-th proposal overall uses `Rng(seed).fork('mf-bo').fork(i)`.
 */

import { z } from 'zod';
import { costAwareStep, costExponent } from '../acquisition/index.ts';
import {
  type History,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  Rng,
  type SurrogateView,
} from '../core/index.ts';
import type { GaussianProcess, GPHyperparameters, GPOptions } from '../gp/index.ts';
import { encodeInput } from './encoding.ts';
import { fidelityGrid, stepGrid } from './fidelity-grid.ts';
import {
  bestObserved,
  cappedObservations,
  checkBatch,
  costAwareSettings,
  initialRun,
  initialStepRange,
  mfmsKernel,
  parseSettings,
  pendingRuns,
  remainingBudget,
  surrogate,
  viewSurrogate,
  withFantasies,
} from './gp-common.ts';
import { recommendBestObserved } from './observed.ts';
import { HyperStateSchema, parseSavedState } from './saved-state.ts';
import { distinctMixtures, partialView } from './surrogate-view.ts';

/** Settings of `mf-bo` (all optional). */
export const MfBoSettingsSchema = z.strictObject({
  initial: z.number().int().min(1).default(5),
  alpha0: costAwareSettings.alpha0,
  decay: costAwareSettings.decay,
  starts: costAwareSettings.starts,
  rawSamples: z.number().int().min(0).default(128),
  restarts: z.number().int().min(1).default(2),
  maxObservations: z.number().int().min(10).default(150),
  stepFractions: costAwareSettings.stepFractions,
});
export type MfBoSettings = z.infer<typeof MfBoSettingsSchema>;

/** Builds `mf-bo`. @throws ValidationError for bad or unknown settings. */
export function createMfBo(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const s = parseSettings('mf-bo', MfBoSettingsSchema, ctx.settings);
  const k = space.domains.length;
  const root = new Rng(ctx.seed).fork('mf-bo');
  const targetScale = space.target.scale;
  const stepRange = initialStepRange(space);
  const gpOptions: GPOptions = {
    kernel: mfmsKernel(k, 'matern52', 'rbf', false, { size: false, steps: true }),
    mean: 'constant',
    noise: { kind: 'learned' },
    restarts: s.restarts,
    seed: ctx.seed,
  };
  let hyper: GPHyperparameters | undefined;
  const view = partialView({
    space,
    root,
    enc: {},
    models: (f) => f.scale === targetScale && f.steps > 0,
    stamp: () => hyper,
    fit: (history) => {
      const obs = cappedObservations(space, history, s.maxObservations, {
        scales: [targetScale],
      });
      if (obs.n < 2) return { gp: undefined, observed: [] };
      const gp = viewSurrogate(obs, gpOptions, hyper);
      return { gp, observed: distinctMixtures(obs.points) };
    },
  });

  const opt: Optimizer & SurrogateView = {
    ...view,
    name: 'mf-bo',
    propose(history: History, n: number): Proposal[] {
      checkBatch(n);
      const out: Proposal[] = [];
      const obs = cappedObservations(space, history, s.maxObservations, { scales: [targetScale] });
      let gp: GaussianProcess | undefined;
      const best = bestObserved(obs);
      const all = fidelityGrid(space, {
        scales: [targetScale],
        steps: stepGrid(space, s.stepFractions),
      });
      const left = remainingBudget(history);
      const fitting = all.filter((p) => p.cost <= left);
      const pairs = fitting.length > 0 ? fitting : [all[0]!];
      for (let j = 0; j < n; j++) {
        const i = history.runs.length + j;
        const rng = root.fork(i);
        if (i < s.initial || obs.n < 2) {
          out.push(initialRun(space, rng, [targetScale], stepRange));
          continue;
        }
        if (gp === undefined) {
          // Later fits start from the previous one (one start) to stay fast.
          gp = surrogate(obs, hyper === undefined ? gpOptions : { ...gpOptions, restarts: 1 }, {
            fit: true,
            ...(hyper !== undefined ? { warmStart: hyper } : {}),
          });
          hyper = gp.hyperparameters;
          gp = withFantasies(gp, space, pendingRuns(history), {});
        }
        const step = costAwareStep(
          gp,
          space,
          pairs,
          best,
          costExponent(i - s.initial, s.alpha0, s.decay),
          rng,
          { starts: s.starts, rawSamples: s.rawSamples },
          (w, scale, z) => encodeInput(space, w, scale, z, {}),
        );
        const c = step.pairs[step.chosen]!;
        const p: Proposal = { mixture: c.w, scale: c.pair.scale, steps: c.pair.steps };
        out.push(p);
        if (j + 1 < n) gp = withFantasies(gp, space, [p], {});
      }
      return out;
    },
    recommend: (history) => recommendBestObserved(history, space),
    saveState: () => ({ hyper: hyper ?? null }),
    loadState: (state: unknown) => {
      hyper = parseSavedState(HyperStateSchema, state, 'mf-bo')?.hyper ?? undefined;
    },
  };
  return opt;
}
