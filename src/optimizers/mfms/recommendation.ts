/**
 * The recommendation policy of `mfms-bo` (setting `recommend`) and the model it reads: the
 * surrogate's fit of one history with its incumbent and its recommendation.
 *
 * Notation: latent values in the minimisation convention; `mu(x)`, `sigma(x)` the posterior
 * mean and sd; `x*(w)` `w` at the target; `shift(m, z)` the latent offset of the trend
 * (mfms-observations.ts), so the metric's prediction at `(m, z)` is of `mu + shift(m, z)`.
 * - Incumbent: `w_inc = argmin mu(x*(w))` over the observed mixtures and a search
 *   (surrogate-view.ts `predictedArgmin`, rng `root.fork('incumbent').fork(i)`), `mu_best`
 *   its mean, `sd_inc` its sd; `i` the history length.
 * - `'stable'` (stable-recommendation.ts, rng `root.fork('p-best').fork(i)`): the incumbent
 *   of the last proposal kept until another mixture is better at the target with probability
 *   >= `pSwitch`; with `calibrate`, variances scaled by the held-out factor
 *   (mfms-calibration.ts). Its incumbent is state, updated only on the proposals' path.
 * - `'posterior'`, `'pessimistic'`: mfms-recommend.ts.
 * - `'verified'`: the best completed target run once one exists, else as `'posterior'`
 *   (or as `'stable'` / `'pessimistic'` with `verifiedFallback` set so);
 *   `'verified-posterior'`: the completed target run whose mixture has the smallest `mu(x*(w))`
 *   (the runs' values enter through the model, noise-aware), else the same fallback;
 *   `'verified-or-confident'`: as `'verified'`, but the fallback's choice `w_rec` while
 *   `P(f(x*(w_rec)) < f(x*(w_v))) >= pSwitch` (joint posterior), `w_v` the best completed target run.
 * - `'best-raw'`: the mixture of the best raw value at any fidelity (observed.ts), with the
 *   surrogate's prediction of its target value.
 * - At another fidelity `f`: `argmin mu(x(w; f))` (rng
 *   `root.fork('incumbent-at').fork('scale@steps').fork(i)`), computed once per model.
 */
import {
  activeRuns,
  type Fidelity,
  type History,
  type Prediction,
  type Recommendation,
  type Rng,
  type RunRecord,
  type SearchSpace,
} from '../../core/index.ts';
import type { GaussianProcess } from '../../gp/index.ts';
import { encodeInput, mixtureProducts } from '../encoding.ts';
import { bestObserved } from '../gp-common.ts';
import { heldOutCalibration } from '../mfms-calibration.ts';
import { metricPrediction } from '../mfms-observations.ts';
import { chooseRecommendation, type MfmsRec } from '../mfms-recommend.ts';
import { bestTargetRun, isTargetRun, valueAt } from '../observed.ts';
import { probabilityBestAmong } from '../stable-recommendation.ts';
import { checkFidelity, distinctMixtures, predictedArgmin } from '../surrogate-view.ts';
import { probabilityBetter } from './early-stop.ts';
import type { MfmsSettings } from './settings.ts';
import { type MfmsEncoding, newRunNoise, type SurrogateFit } from './surrogate.ts';

/** The surrogate of one history with its incumbent and recommendation. */
export interface MfmsModel extends SurrogateFit {
  /** The incumbent mixture and its predicted target value. */
  readonly wInc: number[];
  readonly muBest: number;
  readonly sdInc: number;
  /** The smallest observed y (latent units) at any fidelity. */
  readonly bestRaw: number;
  /** What `recommend` returns (the incumbent, or a target run within one sd of it). */
  readonly rec: MfmsRec;
  /** Distinct observed mixtures (candidates of the predicted best at any fidelity). */
  readonly observed: number[][];
  /** `history.runs.length` when built (keys the search rng). */
  readonly round: number;
  /** Predicted best per fidelity `scale@steps` (`recommendAt`), computed on demand. */
  readonly at: Map<string, Recommendation>;
}

/** The recommendation policy's saved state: the stable rule's incumbent. */
export interface PolicyState {
  incumbent: number[] | undefined;
}

/** The recommendation policy of one `mfms-bo` instance. */
export interface MfmsPolicy {
  readonly state: PolicyState;
  /** The model of `fit` (built for `history`); `store`: the proposals' path, which moves the stable incumbent. */
  model(fit: SurrogateFit, history: History, store: boolean): MfmsModel;
  /** The recommendation at the target (every policy but `'best-raw'`). */
  atTarget(history: History, model: MfmsModel): Recommendation;
  /** `'best-raw'`: the raw best with the prediction of `fit` (when there is one). */
  bestRaw(raw: Recommendation, fit: SurrogateFit | undefined): Recommendation;
  /** The predicted best at fidelity `f` (the target recommendation at the target, except `'best-raw'`). */
  at(history: History, model: MfmsModel, f: Fidelity): Recommendation;
}

/** A latent `(mu, v)` of `fit` at `(scale, steps)` (shift added) as a metric prediction. */
function predictionOf(
  space: SearchSpace,
  fit: SurrogateFit,
  x: number[],
  scale: string,
  steps: number,
): Prediction {
  const p = fit.gp.predict(Float64Array.from(x));
  return metricPrediction(space, p.mean[0]! + fit.shift(scale, steps), p.variance[0]!, fit.log);
}

/**
 * The completed target run (target size and steps) whose mixture has the smallest posterior mean
 * `mu(x*(w))`, or undefined when none has completed (`'verified-posterior'`, `verifyWhen`).
 */
export function bestVerifiedRun(
  history: History,
  space: SearchSpace,
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
): RunRecord | undefined {
  let best: RunRecord | undefined;
  let bestMean = Number.POSITIVE_INFINITY;
  for (const run of activeRuns(history)) {
    if (!isTargetRun(run, space)) continue;
    const mean = gp.predict(Float64Array.from(xStar(run.mixture))).mean[0]!;
    if (mean < bestMean) {
      best = run;
      bestMean = mean;
    }
  }
  return best;
}

/**
 * `verifiedSwitch` `z > 0` (with `'verified'`): the completed target runs in history order, the
 * first kept until a later one's measured value beats the kept one's by more than
 * `z sqrt(2 v_t)` in latent units (`log` of a positive loss, or the value with the sign making
 * smaller better), `v_t = newRunNoise(gp, 0)` the model's noise variance of one target run. Of
 * several noisy target runs the best measured is the luckiest (winner's curse); a later run
 * must beat the kept one by more than the noise of their difference. Undefined when none has
 * completed.
 */
export function steadyTargetRun(
  history: History,
  space: SearchSpace,
  gp: GaussianProcess,
  log: boolean,
  z: number,
): RunRecord | undefined {
  const sign = space.metric.direction === 'minimize' ? 1 : -1;
  const latent = (v: number) => (log ? Math.log(v) : sign * v);
  const margin = z * Math.sqrt(2 * Math.max(newRunNoise(gp, 0), 0));
  let kept: RunRecord | undefined;
  let keptY = 0;
  for (const run of activeRuns(history)) {
    if (!isTargetRun(run, space)) continue;
    const y = latent(valueAt(run, space.target.steps) as number);
    if (kept === undefined || y < keptY - margin) {
      kept = run;
      keptY = y;
    }
  }
  return kept;
}

/** Builds the recommendation policy of `mfms-bo` from its parsed settings. */
export function createMfmsPolicy(
  space: SearchSpace,
  s: MfmsSettings,
  encoding: MfmsEncoding,
  root: Rng,
  anchor: readonly number[] | undefined,
): MfmsPolicy {
  const { xStar, enc } = encoding;
  const { target } = space;
  const state: PolicyState = { incumbent: undefined };
  // The rule that chooses among predicted mixtures ('verified*' falls back to it until a
  // target run has completed).
  const rule =
    s.recommend.startsWith('verified') && s.verifiedFallback !== 'posterior'
      ? { ...s, recommend: s.verifiedFallback }
      : s;

  const model = (fit: SurrogateFit, history: History, store: boolean): MfmsModel => {
    const { gp, obs } = fit;
    const i = history.runs.length;
    const observed = distinctMixtures(obs.points);
    const inc = predictedArgmin(
      gp,
      space,
      observed,
      xStar,
      root.fork('incumbent').fork(i),
      encoding.targetProducts,
    );
    const pInc = gp.predict(Float64Array.from(xStar(inc.w)));
    const sdInc = Math.sqrt(Math.max(pInc.variance[0]!, 0));
    const inflate =
      rule.recommend === 'stable' && s.calibrate ? heldOutCalibration(gp, obs, space).factor : 1;
    const chosen = chooseRecommendation({
      policy: rule,
      space,
      gp,
      obs,
      observed,
      xStar,
      inc: { w: inc.w, mean: inc.mean, sd: sdInc },
      ...(state.incumbent !== undefined ? { incumbent: state.incumbent } : {}),
      ...(anchor !== undefined ? { anchor } : {}),
      ...(inflate !== 1 ? { inflate } : {}),
      rng: root.fork('p-best').fork(i),
    });
    if (store && chosen.incumbent !== undefined) state.incumbent = chosen.incumbent;
    return {
      ...fit,
      wInc: inc.w,
      muBest: inc.mean,
      sdInc,
      bestRaw: bestObserved(obs),
      rec: chosen.rec,
      observed,
      round: i,
      at: new Map(),
    };
  };

  const atTarget = (history: History, m: MfmsModel): Recommendation => {
    const run =
      s.recommend === 'verified' && s.verifiedSwitch > 0
        ? steadyTargetRun(history, space, m.gp, m.log, s.verifiedSwitch)
        : s.recommend === 'verified' || s.recommend === 'verified-or-confident'
          ? bestTargetRun(history, space)
          : s.recommend === 'verified-posterior'
            ? bestVerifiedRun(history, space, m.gp, xStar)
            : undefined;
    // 'verified-or-confident': the model's choice while it is sure to beat the verified run.
    const pOverRun =
      run !== undefined && s.recommend === 'verified-or-confident'
        ? probabilityBetter(m.gp, xStar, m.rec.mixture, run.mixture)
        : undefined;
    const followModel = pOverRun !== undefined && pOverRun >= s.pSwitch;
    // P(best) of a recommendation the rule did not score itself: against the observed
    // mixtures and the predicted optimum (its own rng, so asking never changes a proposal).
    const pBestOf = (w: readonly number[]) =>
      probabilityBestAmong(
        m.gp,
        xStar,
        w,
        [m.wInc, ...m.observed],
        root.fork('p-best-at').fork(m.round),
      );
    if (run !== undefined && !followModel) {
      const pBest = pBestOf(run.mixture);
      return {
        mixture: [...run.mixture],
        runId: run.id,
        predicted: predictionOf(space, m, xStar(run.mixture), target.scale, target.steps),
        ...(pBest !== undefined ? { pBest } : {}),
        basis:
          s.recommend !== 'verified-posterior'
            ? 'best completed target run (measured value)'
            : 'the completed target run whose mixture is predicted best at the target (posterior mean)',
      };
    }
    const { rec } = m;
    const pBest = rec.pBest ?? pBestOf(rec.mixture);
    return {
      mixture: rec.mixture,
      predicted: metricPrediction(
        space,
        rec.mean + m.shift(target.scale, target.steps),
        rec.sd * rec.sd,
        m.log,
      ),
      ...(pBest !== undefined ? { pBest } : {}),
      ...(rec.runId !== undefined ? { runId: rec.runId } : {}),
      basis:
        followModel && run !== undefined
          ? `${rec.basis}; predicted better at the target than the best completed target run (${run.id}) with probability ${pOverRun.toFixed(3)} >= pSwitch ${s.pSwitch}`
          : rec.basis,
    };
  };

  return {
    state,
    model,
    atTarget,
    bestRaw: (raw, fit) =>
      fit === undefined
        ? raw
        : {
            ...raw,
            predicted: predictionOf(space, fit, xStar(raw.mixture), target.scale, target.steps),
          },
    at(history, m, f) {
      checkFidelity(
        space.scales.map((x) => x.name),
        f,
      );
      if (s.recommend !== 'best-raw' && f.scale === target.scale && f.steps === target.steps) {
        return atTarget(history, m);
      }
      const key = `${f.scale}@${f.steps}`;
      const hit = m.at.get(key);
      if (hit !== undefined) return hit;
      const xAt = (w: ArrayLike<number>) => encodeInput(space, w, f.scale, f.steps, enc);
      const rng = root.fork('incumbent-at').fork(key).fork(m.round);
      const best = predictedArgmin(
        m.gp,
        space,
        m.observed,
        xAt,
        rng,
        mixtureProducts(space, f.scale, f.steps, enc),
      );
      const rec: Recommendation = {
        mixture: best.w,
        predicted: predictionOf(space, m, xAt(best.w), f.scale, f.steps),
        basis: `argmin of the predicted value at (${f.scale}, ${f.steps} steps) (observed mixtures and a search)`,
      };
      m.at.set(key, rec);
      return rec;
    },
  };
}
