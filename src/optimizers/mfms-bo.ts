/**
 * `mfms-bo` (default, "improved" mode): multi-fidelity multi-scale BO whose
 * every decision is aimed at the target `(m*, z*)`. This file composes three
 * parts, each in src/optimizers/mfms/ with its notation and formulas:
 * - the surrogate (mfms/surrogate.ts): a GP over `x(w; m, z) = [w, s(m), t(z)]`
 *   (log size and, by default, log steps; encoding.ts), `x*(w) = x(w; m*, z*)`;
 *   product kernel `k_w * k_s * k_t` (Matern-5/2 on w), a prior mean linear in
 *   size and steps only (`mean: 'fidelity'`: a mean linear in the mixture too
 *   extrapolates the small models' ranking of mixtures to the target, which
 *   fails where it reverses, e.g. HellaSwag; BENCHMARKS.md "MFMS-BO
 *   ablations", run 5), learned noise `nu`, every run's learning curve
 *   (thinned to `maxObservations`). Noise shared along a curve (`runNoise`,
 *   default `'auto'`): the mixture lengthscale floored at a quarter of the
 *   typical distance between two mixtures; once a fit stops on that floor,
 *   each run gets a random offset of variance log-linear in its size, counted
 *   as noise (docs/benchmarks.md, "`mfms-bo` settings for noisy problems"). Hyper-parameters refitted every
 *   `refitEvery` proposals, warm-started and also from the default start, the
 *   larger marginal likelihood kept (`refitStart`; conditioned with the last fit
 *   in between); once 3 target-size runs exist, the size lengthscale is the one
 *   of the free fit and three fixed ones (`sizeCheck`) that best predicts the
 *   target-size runs held out. Outputs: with `transform: 'auto'` a positive minimised metric
 *   (a loss) is modelled as `log y` (never a negative prediction; the 90%
 *   interval is `exp(mu -/+ 1.645 sd)`, the reported mean `exp(mu)`),
 *   optionally relative to a fitted power law in size and steps
 *   (`trend: 'power-law'`; mfms-observations.ts).
 * - the acquisition (mfms/acquisition.ts): "improvement at the target per
 *   cost", `a(w, m, z) = log EI(mu(x*(w)), |sigma_tilde|, mu_best) - alpha_t log c`
 *   with `sigma_tilde = C(x(w; m, z), x*(w)) / sqrt(sigma^2(x(w; m, z)) + nu)`
 *   the sd of the one-step change of the target prediction at `w` that the
 *   run buys; `mu_best = min_w mu(x*(w))` the incumbent (the best *predicted*
 *   target value over observed mixtures and an optimiser search);
 *   `alpha_t = alpha_0 * (1 - spent / budget)` (`alphaSchedule: 'budget'`),
 *   else the paper's `alpha_0 * decay^t_it`. Continuing an earlier run from
 *   `z_r` to `z` costs `c(m, z) - c(m, z_r)`.
 * - the recommendation policy (mfms/recommendation.ts; setting `recommend`,
 *   default `'verified-or-confident'`): the best completed target run (target
 *   size and steps) once one exists, unless the model's choice beats it at the
 *   target with probability >= `pSwitch`; before that `'posterior'`,
 *   `argmin mu(x*(w))` (a completed target run within one sd preferred).
 *   Raw values at different fidelities are never ranked against each other.
 *   `'stable'`: the mixture
 *   predicted best at the target, kept until another is better at the target
 *   with probability >= `pSwitch` (stable-recommendation.ts); `'best-raw'`:
 *   the mixture of the best raw observed value at any fidelity (the paper's);
 *   `'pessimistic'`, `'verified'`, `'verified-posterior'`: see
 *   the setting (mfms/settings.ts).
 * - verification (`verify`, default on, `verifyWhen: 'confident'`): before
 *   any other proposal, a target run of the recommended mixture while no
 *   target run has completed, and after that of a challenger that beats the
 *   best-predicted verified mixture with probability >= `pSwitch`
 *   (mfms/acquisition.ts `verificationProposal`, `worthVerifying`).
 *
 * Loop per proposal:
 * 1. Initial design (`initial` runs): scrambled-Sobol mixtures (with
 *    `designVertices`, the simplex's vertices first), a scale uniform over the
 *    ladder, 100..900-of-19,700 steps.
 * 2. The surrogate of the history (fitted or conditioned, per the schedule),
 *    its incumbent and recommendation (the model), with the pending runs as
 *    fantasies (kriging believer).
 * 3. Candidate mixtures: the local maxima of target EI `log EI(x*(w); mu_best)`
 *    (multi-start L-BFGS-B; with `candidateSpread`, kept apart) and the
 *    incumbent; plus every active run as a continuation candidate.
 * 4. Score every candidate at every affordable grid pair (and every
 *    continuation) by `a`; propose the best one. With `acquisition: 'paper'`
 *    the paper's step instead (mfms/cost-aware-proposal.ts, shared with
 *    `mfms-bo:paper`).
 * Surrogate view (study reports): `predictAt`/`predictJoint` give the latent
 * posterior of the fitted GP (without fantasies of pending runs) at any ladder
 * scale and steps, 90% interval `mean -/+ 1.645 sd` of the noise-free value;
 * `recommendAt(f)` is the incumbent search `argmin mu(x(w; f))` at fidelity `f`
 * (at the target with every rule but `'best-raw'` it is `recommend`). They use the
 * proposals' model when it is cached for the history, else one conditioned on the stored
 * hyper-parameters (fitted but not stored before the first fit), so asking them never
 * changes a later proposal.
 * Each choice is a setting; bench/ablations.ts toggles them.
 *
 * Saved state: the surrogate's fit schedule (`hyper`, `fittedAt`, and
 * `runNoiseOn` once the 'auto' run offsets are on) and the
 * stable rule's incumbent (`recommended`), saved-state.ts.
 *
 * Determinism: the i-th proposal overall uses `Rng(seed).fork('mfms').fork(i)`;
 * fits are keyed by history length, so the same sequence of histories gives
 * the same proposals.
 */
import {
  type Fidelity,
  type History,
  type Mixture,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  type Recommendation,
  Rng,
  type SearchSpace,
  type SurrogateJoint,
  type SurrogateView,
  sobolSimplex,
} from '../core/index.ts';
import type { GaussianProcess } from '../gp/index.ts';
import { stepGrid } from './fidelity-grid.ts';
import {
  checkBatch,
  initialStepRange,
  parseSettings,
  pendingRuns,
  remainingBudget,
  withFantasies,
} from './gp-common.ts';
import { createMfmsAcquisition } from './mfms/acquisition.ts';
import { affordablePairs, inFlightCap } from './mfms/cost-aware-proposal.ts';
import { hopelessRuns } from './mfms/early-stop.ts';
import { createMfmsPolicy, type MfmsModel, type MfmsPolicy } from './mfms/recommendation.ts';
import { type MfmsSettings, MfmsSettingsSchema } from './mfms/settings.ts';
import {
  createMfmsSurrogate,
  type MfmsSurrogate,
  type SurrogateFit,
  surrogateJoint,
} from './mfms/surrogate.ts';
import { recommendBestObserved, recommendBestRaw } from './observed.ts';
import { projectToSpace } from './sample-mixture.ts';
import { MfmsStateSchema, parseSavedState } from './saved-state.ts';
import { historyKey } from './surrogate-view.ts';

export {
  type FittedMfmsSurrogate,
  fitMfmsSurrogate,
  type PredictAt,
} from './mfms/fitted.ts';
export { type MfmsSettings, MfmsSettingsSchema } from './mfms/settings.ts';

/** With `anchor: 'uniform'` (continuous spaces): the uniform mixture projected into the bounds. */
function anchorOf(space: SearchSpace, s: MfmsSettings): number[] | undefined {
  if (s.anchor !== 'uniform' || space.candidates !== undefined) return undefined;
  const k = space.domains.length;
  const uniform = new Array<number>(k).fill(1 / k);
  return space.bounds !== undefined ? projectToSpace(uniform, space.bounds) : uniform;
}

/**
 * The models of one `mfms-bo` instance, cached for the last history on each path:
 * - `forProposals`: may fit and store hyper-parameters and move the stable incumbent;
 * - `forView` (`recommend`, the surrogate view): the proposals' model when this history's is
 *   cached, else one conditioned on the stored hyper-parameters (fitted, not stored, before
 *   the first fit), so proposals never depend on when a view was asked;
 * - `forPrediction` (the best-raw recommendation's predicted target value): as `forView`, but
 *   the surrogate alone (no incumbent search).
 */
function modelCaches(surrogate: MfmsSurrogate, policy: MfmsPolicy) {
  type Entry<T> = { key: string; value: T } | undefined;
  let proposals: Entry<MfmsModel | undefined>;
  let view: Entry<MfmsModel | undefined>;
  let prediction: Entry<SurrogateFit | undefined>;
  const build = (history: History, store: boolean): MfmsModel | undefined => {
    const fit = surrogate.fit(history, store);
    return fit === undefined ? undefined : policy.model(fit, history, store);
  };
  return {
    forProposals(history: History): MfmsModel | undefined {
      const key = historyKey(history);
      if (proposals?.key === key) return proposals.value;
      proposals = { key, value: build(history, true) };
      return proposals.value;
    },
    forView(history: History): MfmsModel | undefined {
      const key = historyKey(history);
      if (proposals?.key === key) return proposals.value;
      if (view?.key !== key) view = { key, value: build(history, false) };
      return view.value;
    },
    forPrediction(history: History): SurrogateFit | undefined {
      const key = historyKey(history);
      if (proposals?.key === key) return proposals.value;
      if (prediction?.key !== key) prediction = { key, value: surrogate.fit(history, false) };
      return prediction.value;
    },
    clear(): void {
      proposals = undefined;
      view = undefined;
      prediction = undefined;
    },
  };
}

/** Builds `mfms-bo`. @throws ValidationError for bad or unknown settings. */
export function createMfmsBo(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const s = parseSettings('mfms-bo', MfmsSettingsSchema, ctx.settings);
  const k = space.domains.length;
  const root = new Rng(ctx.seed).fork('mfms');
  const steps = stepGrid(space, s.stepFractions);
  const surrogate = createMfmsSurrogate(space, s, ctx.seed);
  const { encoding } = surrogate;
  const policy = createMfmsPolicy(space, s, encoding, root, anchorOf(space, s));
  const acquisition = createMfmsAcquisition({
    space,
    s,
    encoding,
    root,
    design: initialMixtures(s, k, root),
    stepRange: initialStepRange(space),
    steps,
    noiseByScale: surrogate.noiseByScale,
  });
  const models = modelCaches(surrogate, policy);

  const joint = (
    history: History,
    mixtures: readonly Mixture[],
    fidelity: Fidelity,
  ): SurrogateJoint | undefined => {
    const model = models.forView(history);
    return model === undefined
      ? undefined
      : surrogateJoint(space, model, mixtures, fidelity, encoding.enc);
  };

  const view: Optimizer & SurrogateView = {
    name: 'mfms-bo',
    propose(history: History, n: number): Proposal[] {
      checkBatch(n);
      const out: Proposal[] = [];
      const left = remainingBudget(history);
      const allPairs = affordablePairs(space, steps, left);
      const pending = pendingRuns(history);
      const inFlight = pending.reduce((a, r) => a + r.cost, 0);
      let model: MfmsModel | undefined;
      let gp: GaussianProcess | undefined;
      for (let j = 0; j < n; j++) {
        const i = history.runs.length + j;
        if (i < s.initial) {
          out.push(acquisition.initial(i));
          continue;
        }
        if (model === undefined) {
          model = models.forProposals(history);
          if (model === undefined) {
            out.push(acquisition.initial(i));
            continue;
          }
          gp = withFantasies(model.gp, space, pending, encoding.enc);
        }
        const capped = inFlightCap(history, s.maxInFlight, inFlight, out, space);
        const leftJ = Math.min(left, capped);
        const pairs = leftJ < left ? affordablePairs(space, steps, leftJ) : allPairs;
        const p = acquisition.propose(history, model, gp as GaussianProcess, i, pairs, leftJ, out);
        out.push(p);
        if (j + 1 < n) gp = withFantasies(gp as GaussianProcess, space, [p], encoding.enc);
      }
      return out;
    },
    recommend(history: History): Recommendation | undefined {
      if (s.recommend === 'best-raw') {
        const raw = recommendBestRaw(history, space);
        return raw === undefined ? raw : policy.bestRaw(raw, models.forPrediction(history));
      }
      const model = models.forView(history);
      if (model === undefined) return recommendBestObserved(history, space);
      return policy.atTarget(history, model);
    },
    predictAt(history: History, mixtures: readonly Mixture[], fidelity: Fidelity) {
      return joint(history, mixtures, fidelity)?.predictions ?? [];
    },
    predictJoint: joint,
    recommendAt(history: History, fidelity: Fidelity): Recommendation | undefined {
      const model = models.forView(history);
      if (model === undefined) return undefined;
      return policy.at(history, model, fidelity);
    },
    stop(history: History): string[] {
      if (!(s.stopBelow > 0) || !history.runs.some((r) => r.state === 'running')) return [];
      const model = models.forView(history);
      if (model === undefined) return [];
      return hopelessRuns(history, model.gp, encoding.xStar, model.rec.mixture, s.stopBelow);
    },
    saveState: () => ({
      hyper: surrogate.state.hyper ?? null,
      fittedAt: surrogate.state.fittedAt,
      ...(surrogate.state.runNoiseOn ? { runNoiseOn: true } : {}),
      recommended: policy.state.incumbent ?? null,
    }),
    loadState: (state: unknown) => {
      const st = parseSavedState(MfmsStateSchema, state, 'mfms-bo');
      surrogate.state.hyper = st?.hyper ?? undefined;
      surrogate.state.fittedAt = st?.fittedAt ?? -1;
      surrogate.state.runNoiseOn = st?.runNoiseOn ?? false;
      const r = st?.recommended;
      policy.state.incumbent = r !== undefined && r !== null && r.length === k ? [...r] : undefined;
      models.clear();
    },
  };
  return view;
}

/**
 * The initial design's mixtures: scrambled Sobol on the simplex; with `designVertices`, the
 * first `min(k, floor(initial / 2))` of them replaced by vertices (all `k` in domain order when
 * they fit, else a seeded choice).
 */
export function initialMixtures(
  s: Pick<MfmsSettings, 'initial' | 'designVertices'>,
  k: number,
  root: Rng,
): number[][] {
  const design = sobolSimplex(Math.max(1, s.initial), k, { scramble: root.fork('design') });
  if (!s.designVertices) return design;
  const count = Math.min(k, Math.floor(s.initial / 2));
  const all = Array.from({ length: k }, (_, i) => i);
  const order = count === k ? all : root.fork('design-vertices').shuffle(all);
  for (let j = 0; j < count; j++) {
    design[j] = Array.from({ length: k }, (_, d) => (d === order[j] ? 1 : 0));
  }
  return design;
}
