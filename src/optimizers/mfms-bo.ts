/**
 * `mfms-bo` (default, "improved" mode): multi-fidelity multi-scale BO whose
 * every decision is aimed at the target `(m*, z*)`.
 *
 * Notation:
 * - `k` domains; GP input `x(w; m, z) = [w, s(m), t(z)]` (log size and, by
 *   default, log steps; see encoding.ts); `x*(w) = x(w; m*, z*)`.
 * - `mu(x)`, `sigma(x)` posterior mean / sd of the latent f (minimisation
 *   convention); `C(x, x')` posterior covariance; `nu` the noise variance.
 * - `mu_best = min_w mu(x*(w))` — the incumbent: the best *predicted* target value
 *   over observed mixtures and an optimiser search (the recommendation with
 *   `recommend: 'posterior'`).
 * - For a run at fidelity `(m, z)` with mixture `w`, the one-step change of the
 *   target prediction at `w` is `N(0, sigma_tilde^2)` with
 *   `sigma_tilde = C(x(w; m, z), x*(w)) / sqrt(sigma^2(x(w; m, z)) + nu)`.
 * - Acquisition ("improvement at the target per cost"):
 *   `a(w, m, z) = log EI(mu(x*(w)), |sigma_tilde|, mu_best) - alpha_t log c`,
 *   the expected improvement of the *target* prediction that the run buys, per
 *   cost^alpha (a cheap knowledge-gradient-like lower bound; at the target
 *   itself it is plain EI with sigma shrunk by the noise). Continuing an
 *   earlier run from `z_r` to `z` costs `c(m, z) - c(m, z_r)`.
 * - `alpha_t = alpha_0 * (1 - spent / budget)` (setting `alphaSchedule: 'budget'`, the
 *   default when the history has a budget); else the paper's `alpha_0 * decay^t_it`.
 *
 * Loop per proposal:
 * 1. Initial design (`initial` runs): scrambled-Sobol mixtures, a scale
 *    uniform over the ladder, 100..900-of-19,700 steps.
 * 2. GP: product kernel `k_w * k_s * k_t` (Matern-5/2 on w), a prior mean
 *   linear in size and steps only (`mean: 'fidelity'`: a mean linear in the
 *   mixture too extrapolates the small models' ranking of mixtures to the
 *   target, which fails where it reverses, e.g. HellaSwag; BENCHMARKS.md
 *   "MFMS-BO ablations", run 5),
 *   learned noise, every run's learning curve (thinned to `maxObservations`).
 *   Hyper-parameters refitted every `refitEvery` proposals, warm-started
 *   (conditioned with the last fit in between).
 * 3. Candidate mixtures: the local maxima of target EI `log EI(x*(w); mu_best)`
 *   (multi-start L-BFGS-B) and the incumbent; plus every active run as a
 *   continuation candidate.
 * 4. Score every candidate at every grid pair (and every continuation) by `a`;
 *   propose the best affordable one.
 * Recommendation (setting `recommend`, default `'stable'`): the mixture predicted
 * best at the target among the observed mixtures (and the model's own argmin
 * when it is confidently better), kept until another is better at the target
 * with probability >= `pSwitch` (stable-recommendation.ts); raw values at
 * different fidelities are never ranked against each other. `'best-raw'`: the
 * mixture of the best raw observed value at any fidelity (the paper's);
 * `'posterior'`: `argmin mu(x*(w))` (a completed target run within one sd
 * preferred); `'pessimistic'`, `'verified'`: see the setting.
 * Outputs: with `transform: 'auto'` a positive minimised metric (a loss) is
 * modelled as `log y` (never a negative prediction; the 90% interval is
 * `exp(mu -/+ 1.645 sd)`, the reported mean `exp(mu)`), optionally relative
 * to a fitted power law in size and steps (`trend: 'power-law'`).
 * Surrogate view (study reports): `predictAt`/`predictJoint` give the latent
 * posterior of the fitted GP (without fantasies of pending runs) at any ladder
 * scale and steps, 90% interval `mean -/+ 1.645 sd` of the noise-free value;
 * `recommendAt(f)` is the incumbent search `argmin mu(x(w; f))` at fidelity `f`
 * (at the target with `'posterior'`, `'pessimistic'` or `'verified'` it is
 * `recommend`). They use the proposals' model when it is cached for the history, else
 * one conditioned on the stored hyper-parameters (fitted but not stored before the first
 * fit), so asking them never changes a later proposal.
 * Each choice is a setting; bench/ablations.ts toggles them.
 *
 * Determinism: the i-th proposal overall uses `Rng(seed).fork('mfms').fork(i)`;
 * fits are keyed by history length, so the same sequence of histories gives
 * the same proposals.
 */
import { z } from 'zod';
import {
  costAwareStep,
  costExponent,
  logEiObjective,
  logExpectedImprovement,
  maximizeOverSimplex,
} from '../acquisition/index.ts';
import {
  activeRuns,
  type Fidelity,
  type History,
  type Mixture,
  type Optimizer,
  type OptimizerContext,
  type Prediction,
  type Proposal,
  type Recommendation,
  Rng,
  type SurrogateJoint,
  type SurrogateView,
  sobolSimplex,
} from '../core/index.ts';
import type { GaussianProcess, GPHyperparameters, GPOptions } from '../gp/index.ts';
import { type EncodingOptions, encodeInput } from './encoding.ts';
import { type FidelityPair, fidelityGrid, stepGrid } from './fidelity-grid.ts';
import {
  bestObserved,
  checkBatch,
  costAwareSettings,
  initialStepRange,
  mfmsKernel,
  parseSettings,
  pendingRuns,
  remainingBudget,
  surrogate,
  viewSurrogate,
  withFantasies,
} from './gp-common.ts';
import { recommendBestRaw } from './mfms-bo-paper.ts';
import { heldOutCalibration } from './mfms-calibration.ts';
import {
  type MfmsData,
  mfmsData,
  metricPrediction as mfmsMetricPrediction,
  type Shift,
} from './mfms-observations.ts';
import { chooseRecommendation, type MfmsRec } from './mfms-recommend.ts';
import { bestTargetRun, recommendBestObserved } from './observed.ts';
import { projectToSpace, sampleMixture } from './sample-mixture.ts';
import { MfmsStateSchema, parseSavedState } from './saved-state.ts';
import {
  checkFidelity,
  distinctMixtures,
  jointPrediction,
  predictedArgmin,
} from './surrogate-view.ts';

/** Settings of `mfms-bo` (each one an ablation switch). */
export const MfmsSettingsSchema = z.strictObject({
  initial: z.number().int().min(2).default(20),
  /** Refit hyper-parameters every this many proposals (0: fit once, as the paper). */
  refitEvery: z.number().int().min(0).default(3),
  restarts: z.number().int().min(1).default(3),
  scaleEncoding: z.enum(['log', 'linear']).default('log'),
  stepEncoding: z.enum(['log', 'linear']).default('log'),
  wKernel: z.enum(['rbf', 'matern52']).default('matern52'),
  ard: z.boolean().default(false),
  /**
   * Prior mean: `'linear'` in every input (mixture, size, steps), `'fidelity'` linear in size and
   * steps only (the mixture's effect left to the kernel, so the small models' ranking of
   * mixtures is not extrapolated linearly to the target), or `'constant'`.
   */
  mean: z.enum(['linear', 'fidelity', 'constant']).default('fidelity'),
  /**
   * With `mean: 'fidelity'`: `'linear'` in the scaled size and steps, or `'quadratic'` (also
   * `s^2`, `t^2`, `s t`), so the curvature of the loss in size and steps is the mean's and the
   * kernel is left with how mixtures differ. `'power-law'` (with the log transform): the GP
   * models `log y - log L(N, D)`, `L = E + A n^-alpha + B d^-beta` fitted to the data
   * (src/gp/power-law-trend.ts), plus the linear mean; otherwise as `'linear'`.
   */
  trend: z.enum(['linear', 'quadratic', 'power-law']).default('power-law'),
  noise: z.enum(['learned', 'fixed']).default('learned'),
  /**
   * `'learned'`: the points of one run's learning curve share a random offset of learned variance
   * (seed-to-seed noise is shared along a curve), which the GP treats as noise: a run counts as
   * one noisy look at its mixture, not as many independent ones. `'none'`: every point's noise
   * is independent. `'by-size'`: as `'learned'`, with the offsets' variance log-linear in the
   * run's encoded size (`v(m) = v* exp(gamma (s(m) - s(m*)))`, gamma fitted): small runs may be
   * noisier than large ones, and a run's value of information says so.
   */
  runNoise: z.enum(['learned', 'by-size', 'none']).default('none'),
  /** `'target'`: improvement of the target prediction per cost; `'paper'`: EI at each fidelity / c^alpha. */
  acquisition: z.enum(['target', 'paper']).default('target'),
  /**
   * `'posterior'`: argmin of the predicted target value; `'best-raw'`: best raw value at any
   * fidelity; `'pessimistic'`: smallest mean + sd at the target over the observed mixtures and the
   * predicted optimum; `'verified'`: the best completed target run once one exists, the
   * posterior until then.
   */
  recommend: z
    .enum(['stable', 'posterior', 'best-raw', 'pessimistic', 'verified'])
    .default('stable'),
  /** With `'stable'`: replace the recommendation only when P(new better at the target) >= this. */
  pSwitch: z.number().gt(0.5).lt(1).default(0.9),
  /**
   * With `'stable'`: `'pair'` switches when P(challenger better than the incumbent) >= pSwitch
   * (joint posterior of both); `'pair-or-mean'` also when P(challenger better than the
   * incumbent's predicted value) >= pSwitch, so a poorly known incumbent is not kept by its own
   * uncertainty.
   */
  switchTest: z.enum(['pair', 'pair-or-mean']).default('pair'),
  /**
   * With `'stable'`: scale the target variances in P(better), P(best) and the reported interval
   * by how badly the model predicted held-out runs at the largest sizes observed (never below 1;
   * mfms-calibration.ts), so a model that extrapolates poorly is not trusted to switch.
   */
  calibrate: z.boolean().default(false),
  /**
   * With `'stable'`: also consider the model's own argmin of the predicted target value (taken
   * only when its mean + sd is below every observed mixture's mean); false: observed mixtures only.
   */
  recommendSearch: z.boolean().default(true),
  /**
   * With `'stable'`: the challenger minimises `mean + recommendRisk * sd` of the predicted target
   * value (0: the smallest mean).
   */
  recommendRisk: z.number().min(0).default(0),
  /**
   * With `'stable'`: `'uniform'` starts from the uniform mixture (projected into the bounds) as
   * the incumbent, left only when another mixture is better at the target with probability
   * >= `pSwitch`; `'none'`: the first recommendation is the predicted best.
   */
  anchor: z.enum(['uniform', 'none']).default('none'),
  /**
   * A lognormal prior on every GP lengthscale, `log l ~ N(log lengthscalePrior, 1)` (input units;
   * 0: none): keeps the fit from assuming mixture effects carry unchanged across the whole ladder
   * when the data barely constrain it.
   */
  lengthscalePrior: z.number().min(0).default(0),
  /**
   * `'auto'`: model `log y` when the metric is minimised and every observed value is positive
   * (losses: no negative loss is predicted, power laws become closer to linear); `'none'`: raw y.
   */
  transform: z.enum(['auto', 'none']).default('auto'),
  /** Points of each run's learning curve the GP sees at most (its last one always); 0: no cap. */
  pointsPerRun: z.number().int().min(0).default(0),
  /**
   * Cost exponent schedule: `'budget'` `alpha0 * (1 - spent / budget)` (cost matters less as
   * the budget is used up, however many runs it bought; `'iterations'` when the history has no
   * budget), or `'iterations'` `alpha0 * decay^t` (the paper's: hundreds of cheap runs drive it
   * to zero while the budget is barely touched).
   */
  alphaSchedule: z.enum(['iterations', 'budget']).default('budget'),
  /**
   * After the initial design, while less than this share of the spend so far went to runs at the
   * target size, only target-size runs (new or continued) are proposed. The model's belief that
   * small runs predict the target is only tested by target runs; without them it can confirm
   * itself on hundreds of cheap runs (0: no floor).
   */
  minTargetShare: z.number().min(0).max(1).default(0),
  /** With `'posterior'`: recommend a completed target run when it is within one sd of the optimum. */
  preferTargetRuns: z.boolean().default(true),
  continuations: z.boolean().default(true),
  /**
   * A new run is not proposed when a run at the same scale with at least as many steps has a
   * mixture within this L1 distance (0: exact repeats only). Off by default: on noisy testbeds
   * nearby repeats average the noise out, and forbidding them cost more than it saved
   * (BENCHMARKS.md, "MFMS-BO across problem kinds").
   */
  minDistance: z.number().min(0).max(2).default(0),
  alpha0: costAwareSettings.alpha0,
  decay: costAwareSettings.decay,
  /** Candidate mixtures scored at every fidelity (local maxima of target EI). */
  candidates: z.number().int().min(1).default(3),
  starts: costAwareSettings.starts,
  rawSamples: z.number().int().min(0).default(128),
  maxObservations: z.number().int().min(10).default(250),
  /**
   * Hyper-parameters fitted on at most this many observations (a seeded subset; the GP still
   * conditions on all `maxObservations`): bounds a fit's cost when the cap is raised. Inactive
   * at the default cap.
   */
  fitPoints: z.number().int().min(10).default(500),
  stepFractions: costAwareSettings.stepFractions,
});
export type MfmsSettings = z.infer<typeof MfmsSettingsSchema>;

/** A scored option: a new run at a pair, or a continuation of a run. */
interface Option {
  readonly proposal: Proposal;
  readonly score: number;
}

/** Builds `mfms-bo`. @throws ValidationError for bad or unknown settings. */
export function createMfmsBo(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const s = parseSettings('mfms-bo', MfmsSettingsSchema, ctx.settings);
  const k = space.domains.length;
  const root = new Rng(ctx.seed).fork('mfms');
  const quad = s.mean === 'fidelity' && s.trend === 'quadratic';
  const enc: EncodingOptions = {
    scaleEncoding: s.scaleEncoding,
    stepEncoding: s.stepEncoding,
    ...(quad ? { trend: 'quadratic' as const } : {}),
  };
  const target = space.target;
  const scales = space.scales.map((x) => x.name);
  const stepRange = initialStepRange(space);
  const steps = stepGrid(space, s.stepFractions);
  const design = sobolSimplex(Math.max(1, s.initial), k, { scramble: root.fork('design') });
  const gpOptions: GPOptions = {
    kernel: mfmsKernel(k, s.wKernel, 'rbf', s.ard),
    mean:
      s.mean === 'fidelity'
        ? { kind: 'linear', dims: quad ? [k, k + 1, k + 2, k + 3, k + 4] : [k, k + 1] }
        : s.mean,
    noise: s.noise === 'learned' ? { kind: 'learned' } : { kind: 'fixed', variance: 1e-4 },
    restarts: s.restarts,
    seed: ctx.seed,
    ...(s.lengthscalePrior > 0
      ? {
          priors: {
            lengthscale: { kind: 'lognormal' as const, mu: Math.log(s.lengthscalePrior), sigma: 1 },
          },
        }
      : {}),
    fitPoints: s.fitPoints,
  };
  const xStar = (w: ArrayLike<number>) => encodeInput(space, w, target.scale, target.steps, enc);
  const uniform = new Array<number>(k).fill(1 / k);
  /** The target size's encoded value (column k of x): run sizes are measured from it. */
  const sTarget = xStar(uniform)[k]!;
  const anchor =
    s.anchor === 'uniform' && space.candidates === undefined
      ? space.bounds !== undefined
        ? projectToSpace(uniform, space.bounds)
        : uniform
      : undefined;

  let hyper: GPHyperparameters | undefined;
  let fittedAt = -1;
  /** The stable rule's incumbent (updated only on the proposals' path, persisted). */
  let recInc: number[] | undefined;
  let cache: { key: string; model: Model | undefined } | undefined;

  interface Model {
    gp: GaussianProcess;
    /** The incumbent mixture and its predicted target value. */
    wInc: number[];
    muBest: number;
    sdInc: number;
    bestRaw: number;
    /** What `recommend` returns (the incumbent, or a target run within one sd of it). */
    rec: MfmsRec;
    /** Whether the GP models `log y` (setting `transform`). */
    log: boolean;
    /** The trend the GP's values are relative to (latent units). */
    shift: Shift;
    /** Distinct observed mixtures (candidates of the predicted best at any fidelity). */
    observed: number[][];
    /** `history.runs.length` when built (keys the search rng). */
    round: number;
    /** Predicted best per fidelity `scale@steps` (`recommendAt`), computed on demand. */
    at: Map<string, Recommendation>;
  }

  const keyOf = (h: History): string =>
    `${h.runs.length}|${h.runs.map((r) => `${r.id}:${r.state}:${r.curve.length}`).join(',')}`;

  /** The fitted surrogate and incumbent for a history (cached for the last history). */
  const modelFor = (history: History): Model | undefined => {
    const key = keyOf(history);
    if (cache?.key === key) return cache.model;
    const model = buildModel(history, true);
    cache = { key, model };
    return model;
  };

  /**
   * The model for `recommend` and the surrogate view, which must not move the proposals' fit
   * schedule (else proposals would depend on when a recommendation was asked): the proposals'
   * model when this history's is cached, else one conditioned on the stored hyper-parameters
   * (fitted, not stored, before the first fit).
   */
  let viewCache: { key: string; model: Model | undefined } | undefined;
  const viewModelFor = (history: History): Model | undefined => {
    const key = keyOf(history);
    if (cache?.key === key) return cache.model;
    if (viewCache?.key === key) return viewCache.model;
    const model = buildModel(history, false);
    viewCache = { key, model };
    return model;
  };

  const observe = (history: History): MfmsData => mfmsData(space, history, s, enc);
  /** The GP options for these observations: with `runNoise`, one group per run. */
  const optionsFor = (obs: MfmsData['obs']): GPOptions => {
    if (s.runNoise === 'none') return gpOptions;
    const ids = new Map<string, number>();
    const groups = obs.points.map((p) => {
      let g = ids.get(p.runId);
      if (g === undefined) {
        g = ids.size;
        ids.set(p.runId, g);
      }
      return g;
    });
    if (s.runNoise === 'learned') return { ...gpOptions, groups };
    // The run's encoded size relative to the target's (column k of x).
    const groupCovariate = obs.points.map((_, i) => obs.X[i * obs.d + k]! - sTarget);
    return { ...gpOptions, groups, groupCovariate };
  };
  const metricPrediction = (mu: number, v: number, log: boolean): Prediction =>
    mfmsMetricPrediction(space, mu, v, log);

  const buildModel = (history: History, store: boolean): Model | undefined => {
    const { obs, log, shift } = observe(history);
    const nRuns = new Set(obs.points.map((p) => p.runId)).size;
    if (nRuns < Math.min(s.initial, 5) || obs.n < 3) return undefined;
    const i = history.runs.length;
    const refit = hyper === undefined || (s.refitEvery > 0 && i - fittedAt >= s.refitEvery);
    let gp: GaussianProcess;
    const opts = optionsFor(obs);
    if (!store) {
      gp = viewSurrogate(obs, opts, hyper);
    } else if (refit) {
      gp = surrogate(obs, hyper === undefined ? opts : { ...opts, restarts: 1 }, {
        fit: true,
        ...(hyper !== undefined ? { warmStart: hyper } : {}),
      });
      hyper = gp.hyperparameters;
      fittedAt = i;
    } else {
      gp = surrogate(obs, opts, { fit: false, hyper: hyper as GPHyperparameters });
    }
    // Incumbent: observed mixtures, then a search for the minimum of the predicted target.
    const observed = distinctMixtures(obs.points);
    const inc = predictedArgmin(gp, space, observed, xStar, root.fork('incumbent').fork(i));
    const wInc = inc.w;
    const muBest = inc.mean;
    const pInc = gp.predict(Float64Array.from(xStar(wInc)));
    const sdInc = Math.sqrt(Math.max(pInc.variance[0]!, 0));
    const inflate =
      s.recommend === 'stable' && s.calibrate ? heldOutCalibration(gp, obs, space).factor : 1;
    const chosen = chooseRecommendation({
      policy: s,
      space,
      gp,
      obs,
      observed,
      xStar,
      inc: { w: wInc, mean: muBest, sd: sdInc },
      ...(recInc !== undefined ? { incumbent: recInc } : {}),
      ...(anchor !== undefined ? { anchor } : {}),
      ...(inflate !== 1 ? { inflate } : {}),
      rng: root.fork('p-best').fork(i),
    });
    if (store && chosen.incumbent !== undefined) recInc = chosen.incumbent;
    const rec = chosen.rec;
    return {
      gp,
      log,
      shift,
      wInc,
      muBest,
      sdInc,
      bestRaw: bestObserved(obs),
      rec,
      observed,
      round: i,
      at: new Map(),
    };
  };

  /**
   * The noise variance of a new run's observation at `scale`: its own noise and, with
   * `runNoise`, its offset (by size with `'by-size'`).
   */
  const noiseVar = (gp: GaussianProcess, scale: string): number => {
    const h = gp.hyperparameters;
    const sd = h.standardization?.std ?? 1;
    if (h.groupNoise === undefined) return h.noise * sd * sd;
    let v = h.groupNoise;
    if (h.groupNoiseSlope !== undefined) {
      const u = encodeInput(space, uniform, scale, target.steps, enc)[k]! - sTarget;
      v *= Math.exp(h.groupNoiseSlope * u);
    }
    return (h.noise + v) * sd * sd;
  };

  /**
   * Scores of observing each of `xs` (inputs with mixture `w`) for the target
   * prediction at `w`, from one joint posterior covariance of `[x*(w), xs...]`.
   */
  const targetScores = (
    gp: GaussianProcess,
    w: readonly number[],
    xs: readonly number[][],
    costs: readonly number[],
    muBest: number,
    alpha: number,
    nu: readonly number[],
  ): number[] => {
    const d = gp.d;
    const m = xs.length + 1;
    const X = new Float64Array(m * d);
    X.set(xStar(w), 0);
    for (let j = 0; j < xs.length; j++) X.set(xs[j]!, (j + 1) * d);
    const C = gp.covariance(X);
    const mu = gp.predict(X.subarray(0, d)).mean[0]!;
    return xs.map((_, j) => {
      const a = j + 1;
      const sdTilde = Math.abs(C[a]!) / Math.sqrt(Math.max(C[a * m + a]!, 0) + nu[j]!);
      return logExpectedImprovement(mu, sdTilde, muBest).value - alpha * Math.log(costs[j]!);
    });
  };

  const proposeOne = (
    history: History,
    model: Model,
    gp: GaussianProcess,
    i: number,
    pairsIn: readonly FidelityPair[],
    left: number,
  ): Proposal => {
    let pairs = pairsIn;
    let onlyTarget = false;
    const rng = root.fork(i);
    if (s.minTargetShare > 0 && pairs.some((p) => p.scale === target.scale)) {
      let all = 0;
      let atTarget = 0;
      for (const r of history.runs) {
        all += r.cost;
        if (r.scale === target.scale) atTarget += r.cost;
      }
      if (all > 0 && atTarget < s.minTargetShare * all) {
        pairs = pairs.filter((p) => p.scale === target.scale);
        onlyTarget = true;
      }
    }
    const alpha =
      s.alphaSchedule === 'budget' && history.budget !== undefined && history.budget > 0
        ? s.alpha0 * Math.max(0, 1 - history.spent / history.budget)
        : costExponent(Math.max(0, i - s.initial), s.alpha0, s.decay);
    if (s.acquisition === 'paper') {
      const step = costAwareStep(
        gp,
        space,
        pairs,
        model.bestRaw,
        alpha,
        rng,
        { starts: s.starts, rawSamples: s.rawSamples, initial: [model.wInc] },
        (w, scale, z) => encodeInput(space, w, scale, z, enc),
      );
      const c = step.pairs[step.chosen]!;
      return { mixture: c.w, scale: c.pair.scale, steps: c.pair.steps };
    }
    // Candidate mixtures: local maxima of target EI plus the incumbent.
    const ei = maximizeOverSimplex(logEiObjective(gp, xStar(model.wInc), k, model.muBest), k, {
      starts: s.starts,
      rawSamples: s.rawSamples,
      rng,
      initial: [model.wInc],
      ...(space.bounds !== undefined ? { bounds: space.bounds } : {}),
      ...(space.candidates !== undefined ? { candidates: space.candidates } : {}),
    });
    const cands: number[][] = [];
    const far = (w: readonly number[]) =>
      cands.every((c) => c.reduce((acc, v, j) => acc + Math.abs(v - w[j]!), 0) > 1e-3);
    for (const l of ei.local) {
      if (cands.length >= s.candidates) break;
      if (Number.isFinite(l.value) && far(l.w)) cands.push(l.w);
    }
    if (cands.length === 0) cands.push(ei.w);
    if (far(model.wInc)) cands.push(model.wInc);
    const nuAt = new Map(scales.map((sc) => [sc, noiseVar(gp, sc)]));
    const options: Option[] = [];
    // A new run that an earlier (or pending) run already covers (a mixture within L1
    // distance `minDistance` at the same scale, at least as many steps) would nearly repeat
    // a known curve: never proposed.
    const tol = Math.max(s.minDistance, 1e-9);
    const covered = (w: readonly number[], scale: string, z: number): boolean =>
      history.runs.some(
        (r) =>
          r.scale === scale &&
          r.steps >= z &&
          r.state !== 'failed' &&
          r.mixture.reduce((acc, v, j) => acc + Math.abs(v - w[j]!), 0) <= tol,
      );
    for (const w of cands) {
      const ps = pairs.filter((p) => !covered(w, p.scale, p.steps));
      if (ps.length === 0) continue;
      const sc = targetScores(
        gp,
        w,
        ps.map((p) => encodeInput(space, w, p.scale, p.steps, enc)),
        ps.map((p) => p.cost),
        model.muBest,
        alpha,
        ps.map((p) => nuAt.get(p.scale)!),
      );
      ps.forEach((p, j) => {
        options.push({
          proposal: { mixture: w, scale: p.scale, steps: p.steps },
          score: sc[j]!,
        });
      });
    }
    if (s.continuations) {
      for (const r of activeRuns(history)) {
        if (r.state !== 'completed' || (onlyTarget && r.scale !== target.scale)) continue;
        const zs = steps.filter((z2) => {
          if (z2 <= r.steps) return false;
          const cost = space.cost(r.scale, z2) - space.cost(r.scale, r.steps);
          return cost > 0 && cost <= left;
        });
        if (zs.length === 0) continue;
        const costs = zs.map((z2) => space.cost(r.scale, z2) - space.cost(r.scale, r.steps));
        const sc = targetScores(
          gp,
          r.mixture,
          zs.map((z2) => encodeInput(space, r.mixture, r.scale, z2, enc)),
          costs,
          model.muBest,
          alpha,
          zs.map(() => nuAt.get(r.scale)!),
        );
        zs.forEach((z2, j) => {
          options.push({
            proposal: { mixture: r.mixture, scale: r.scale, steps: z2, continues: r.id },
            score: sc[j]!,
          });
        });
      }
    }
    let best: Option | undefined;
    for (const o of options) if (best === undefined || o.score > best.score) best = o;
    if (best === undefined || !Number.isFinite(best.score)) {
      // Nothing scores (the model sees no possible improvement anywhere): explore. At the
      // target with the mixture of largest target EI when that run is affordable and new;
      // else a fresh mixture at the most expensive affordable pair (never past the budget,
      // never an exact repeat of a run).
      const atTarget = pairs.some((p) => p.scale === target.scale && p.steps === target.steps);
      if (atTarget && !covered(ei.w, target.scale, target.steps)) {
        return { mixture: ei.w, scale: target.scale, steps: target.steps };
      }
      const p = pairs.reduce((a, b) => (b.cost > a.cost ? b : a));
      return { mixture: sampleMixture(rng.fork('explore'), space), scale: p.scale, steps: p.steps };
    }
    return best.proposal;
  };

  const initialProposal = (i: number): Proposal => {
    const rng = root.fork('init').fork(i);
    const raw = design[i % design.length]!;
    const mixture =
      space.candidates !== undefined
        ? [...rng.choice(space.candidates)]
        : space.bounds !== undefined
          ? projectToSpace(raw, space.bounds)
          : raw;
    const grid = Math.floor((stepRange[1] - stepRange[0]) / space.steps.logEvery) + 1;
    return {
      mixture,
      scale: rng.choice(scales),
      steps: stepRange[0] + space.steps.logEvery * rng.int(grid),
    };
  };

  const targetRecommendation = (model: Model): Recommendation => {
    const { rec } = model;
    return {
      mixture: rec.mixture,
      predicted: metricPrediction(
        rec.mean + model.shift(target.scale, target.steps),
        rec.sd * rec.sd,
        model.log,
      ),
      ...(rec.pBest !== undefined ? { pBest: rec.pBest } : {}),
      ...(rec.runId !== undefined ? { runId: rec.runId } : {}),
      basis: rec.basis,
    };
  };

  /**
   * A GP for predicting the best-raw recommendation's target value that leaves the optimiser's
   * state alone: the proposals' model when this history's is cached, else the data conditioned
   * on the stored hyper-parameters, else a fit that is not stored. (Building the proposals' model
   * here would move its fit schedule, so proposals would depend on when `recommend` was asked.)
   */
  type PredictionGP = { gp: GaussianProcess; log: boolean; shift: Shift } | undefined;
  let predictionCache: { key: string; fit: PredictionGP } | undefined;
  const predictionGP = (history: History): PredictionGP => {
    const key = keyOf(history);
    if (cache?.key === key) return cache.model;
    if (predictionCache?.key === key) return predictionCache.fit;
    const { obs, log, shift } = observe(history);
    const nRuns = new Set(obs.points.map((p) => p.runId)).size;
    let fit: PredictionGP;
    if (nRuns >= Math.min(s.initial, 5) && obs.n >= 3) {
      fit = { gp: viewSurrogate(obs, optionsFor(obs), hyper), log, shift };
    }
    predictionCache = { key, fit };
    return fit;
  };

  /**
   * With `recommend: 'verified'`, the best completed target run once one exists (its measured
   * value decides, the posterior only until then); undefined otherwise.
   */
  const verified = (history: History, model: Model): Recommendation | undefined => {
    if (s.recommend !== 'verified') return undefined;
    const run = bestTargetRun(history, space);
    if (run === undefined) return undefined;
    const p = model.gp.predict(Float64Array.from(xStar(run.mixture)));
    return {
      mixture: [...run.mixture],
      runId: run.id,
      predicted: metricPrediction(
        p.mean[0]! + model.shift(target.scale, target.steps),
        p.variance[0]!,
        model.log,
      ),
      basis: 'best completed target run (measured value)',
    };
  };

  /** SurrogateView: the latent joint posterior of the fitted surrogate (no fantasies). */
  const joint = (
    history: History,
    mixtures: readonly Mixture[],
    fidelity: Fidelity,
  ): SurrogateJoint | undefined => {
    const model = viewModelFor(history);
    if (model === undefined) return undefined;
    checkFidelity(scales, fidelity);
    const xs = mixtures.map((w) => encodeInput(space, w, fidelity.scale, fidelity.steps, enc));
    const j = jointPrediction(model.gp, xs, space.metric.direction);
    if (!model.log) return j;
    const off = model.shift(fidelity.scale, fidelity.steps);
    // Delta method for the covariance of exp(f): C_ij * exp(mu_i) * exp(mu_j).
    const mu = j.predictions.map((p) => p.mean + off);
    const m = mu.length;
    const covariance = j.covariance.map(
      (c, q) => c * Math.exp(mu[Math.floor(q / m)]! + mu[q % m]!),
    );
    return {
      predictions: mu.map((x, r) => metricPrediction(x, j.covariance[r * m + r]!, true)),
      covariance,
    };
  };

  const view: Optimizer & SurrogateView = {
    name: 'mfms-bo',
    propose(history: History, n: number): Proposal[] {
      checkBatch(n);
      const out: Proposal[] = [];
      const left = remainingBudget(history);
      const all = fidelityGrid(space, { steps });
      const fitting = all.filter((p) => p.cost <= left);
      const pairs =
        fitting.length > 0 ? fitting : [all.reduce((a, b) => (b.cost < a.cost ? b : a))];
      let model: Model | undefined;
      let gp: GaussianProcess | undefined;
      for (let j = 0; j < n; j++) {
        const i = history.runs.length + j;
        if (i < s.initial) {
          out.push(initialProposal(i));
          continue;
        }
        if (model === undefined) {
          model = modelFor(history);
          if (model === undefined) {
            out.push(initialProposal(i));
            continue;
          }
          gp = withFantasies(model.gp, space, pendingRuns(history), enc);
        }
        const p = proposeOne(history, model, gp as GaussianProcess, i, pairs, left);
        out.push(p);
        if (j + 1 < n) gp = withFantasies(gp as GaussianProcess, space, [p], enc);
      }
      return out;
    },
    recommend(history: History): Recommendation | undefined {
      if (s.recommend === 'best-raw') {
        const raw = recommendBestRaw(history, space);
        const fit = raw === undefined ? undefined : predictionGP(history);
        if (raw === undefined || fit === undefined) return raw;
        // With the surrogate's prediction of its target value.
        const p = fit.gp.predict(Float64Array.from(xStar(raw.mixture)));
        const mu = p.mean[0]! + fit.shift(target.scale, target.steps);
        return { ...raw, predicted: metricPrediction(mu, p.variance[0]!, fit.log) };
      }
      const model = viewModelFor(history);
      if (model === undefined) return recommendBestObserved(history, space);
      return verified(history, model) ?? targetRecommendation(model);
    },
    predictAt(history: History, mixtures: readonly Mixture[], fidelity: Fidelity) {
      return joint(history, mixtures, fidelity)?.predictions ?? [];
    },
    predictJoint: joint,
    recommendAt(history: History, fidelity: Fidelity): Recommendation | undefined {
      const model = viewModelFor(history);
      if (model === undefined) return undefined;
      checkFidelity(scales, fidelity);
      if (
        s.recommend !== 'best-raw' &&
        fidelity.scale === target.scale &&
        fidelity.steps === target.steps
      ) {
        return verified(history, model) ?? targetRecommendation(model);
      }
      const key = `${fidelity.scale}@${fidelity.steps}`;
      const hit = model.at.get(key);
      if (hit !== undefined) return hit;
      const xAt = (w: ArrayLike<number>) =>
        encodeInput(space, w, fidelity.scale, fidelity.steps, enc);
      const best = predictedArgmin(
        model.gp,
        space,
        model.observed,
        xAt,
        root.fork('incumbent-at').fork(key).fork(model.round),
      );
      const p = model.gp.predict(Float64Array.from(xAt(best.w)));
      const rec: Recommendation = {
        mixture: best.w,
        predicted: metricPrediction(
          p.mean[0]! + model.shift(fidelity.scale, fidelity.steps),
          p.variance[0]!,
          model.log,
        ),
        basis: `argmin of the predicted value at (${fidelity.scale}, ${fidelity.steps} steps) (observed mixtures and a search)`,
      };
      model.at.set(key, rec);
      return rec;
    },
    saveState: () => ({ hyper: hyper ?? null, fittedAt, recommended: recInc ?? null }),
    loadState: (state: unknown) => {
      const st = parseSavedState(MfmsStateSchema, state, 'mfms-bo');
      hyper = st?.hyper ?? undefined;
      fittedAt = st?.fittedAt ?? -1;
      const r = st?.recommended;
      recInc = r !== undefined && r !== null && r.length === k ? [...r] : undefined;
      cache = undefined;
      viewCache = undefined;
      predictionCache = undefined;
    },
  };
  return view;
}
