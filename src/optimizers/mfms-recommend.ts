/**
 * The recommendation policies of `mfms-bo` (setting `recommend`), given the
 * fitted surrogate of one history. Latent values, minimisation convention.
 *
 * - `'stable'`: {@link stableRecommendation} (the default);
 * - `'posterior'`: the incumbent `inc` (argmin of the predicted target value over the
 *   observed mixtures and a search), or, with `preferTargetRuns`, a completed target run
 *   whose predicted value is within one sd of it;
 * - `'pessimistic'`: the smallest `mean + sd` at the target over `inc` and the observed
 *   mixtures;
 * - `'verified*'` and `'best-raw'` are decided by the optimiser itself (they read the
 *   history); here they get the posterior choice.
 */
import type { Rng, SearchSpace } from '../core/index.ts';
import type { GaussianProcess } from '../gp/index.ts';
import type { Observations } from './encoding.ts';
import { stableRecommendation } from './stable-recommendation.ts';

/** A recommendation in latent units. */
export interface MfmsRec {
  readonly mixture: number[];
  readonly mean: number;
  readonly sd: number;
  readonly pBest?: number;
  readonly runId?: string;
  readonly basis: string;
}

/** Inputs of {@link chooseRecommendation}. */
export interface ChooseArgs {
  readonly policy: {
    readonly recommend:
      | 'stable'
      | 'posterior'
      | 'best-raw'
      | 'pessimistic'
      | 'verified'
      | 'verified-posterior'
      | 'verified-or-confident';
    readonly preferTargetRuns: boolean;
    readonly pSwitch: number;
    readonly switchTest: 'pair' | 'pair-or-mean';
    readonly recommendSearch: boolean;
    readonly recommendRisk: number;
  };
  readonly space: SearchSpace;
  readonly gp: GaussianProcess;
  readonly obs: Observations;
  readonly observed: readonly (readonly number[])[];
  readonly xStar: (w: ArrayLike<number>) => number[];
  /** The predicted target optimum: mixture, latent mean and sd. */
  readonly inc: { readonly w: number[]; readonly mean: number; readonly sd: number };
  /** The stable rule's incumbent. */
  readonly incumbent?: readonly number[];
  readonly anchor?: readonly number[];
  /** The stable rule's variance factor (mfms-calibration.ts; default 1). */
  readonly inflate?: number;
  readonly rng: Rng;
}

/** The policy's choice, and the stable rule's new incumbent (when it ran). */
export function chooseRecommendation(args: ChooseArgs): {
  rec: MfmsRec;
  incumbent?: number[];
} {
  const { policy, space, gp, obs, observed, xStar, inc } = args;
  const target = space.target;
  let incumbent: number[] | undefined;
  let rec: MfmsRec = {
    mixture: inc.w,
    mean: inc.mean,
    sd: inc.sd,
    basis: 'argmin of the predicted target value (observed mixtures and a search)',
  };
  if (policy.recommend === 'pessimistic') {
    // The candidate with the smallest upper bound mean + sd of its target value, over the
    // observed mixtures and the predicted optimum: a mixture the data support, rather than
    // an extrapolation that may move with the next run. A completed target run keeps its id.
    const cands = [inc.w, ...observed];
    const d = gp.d;
    const Xs = new Float64Array(cands.length * d);
    cands.forEach((w, r) => {
      Xs.set(xStar(w), r * d);
    });
    const pr = gp.predict(Xs);
    let b = 0;
    let bBound = Number.POSITIVE_INFINITY;
    for (let r = 0; r < cands.length; r++) {
      const bound = pr.mean[r]! + Math.sqrt(Math.max(pr.variance[r]!, 0));
      if (bound < bBound) {
        bBound = bound;
        b = r;
      }
    }
    const w = cands[b]!;
    const runId = targetRunId(obs, target, w);
    rec = {
      mixture: [...w],
      mean: pr.mean[b]!,
      sd: Math.sqrt(Math.max(pr.variance[b]!, 0)),
      ...(runId !== undefined ? { runId } : {}),
      basis:
        'smallest upper bound (mean + sd) of the predicted target value (observed mixtures and the predicted optimum)',
    };
  } else if (policy.recommend !== 'stable' && policy.preferTargetRuns) {
    // A completed target run whose predicted value is within one sd of the incumbent's is
    // recommended instead: its value is known, and it needs no confirmation run.
    let bestRun: { runId: string; mixture: readonly number[]; y: number } | undefined;
    for (let r = 0; r < obs.n; r++) {
      const pt = obs.points[r]!;
      if (pt.scale !== target.scale || pt.steps !== target.steps) continue;
      if (bestRun === undefined || obs.y[r]! < bestRun.y) {
        bestRun = { runId: pt.runId, mixture: pt.mixture, y: obs.y[r]! };
      }
    }
    if (bestRun !== undefined) {
      const pr = gp.predict(Float64Array.from(xStar(bestRun.mixture)));
      if (pr.mean[0]! <= inc.mean + inc.sd) {
        rec = {
          mixture: [...bestRun.mixture],
          mean: pr.mean[0]!,
          sd: Math.sqrt(Math.max(pr.variance[0]!, 0)),
          runId: bestRun.runId,
          basis: 'observed target run within one sd of the predicted target optimum',
        };
      }
    }
  } else if (policy.recommend === 'stable') {
    const choice = stableRecommendation({
      gp,
      xStar,
      observed,
      ...(space.candidates === undefined && policy.recommendSearch
        ? { searched: { w: inc.w } }
        : {}),
      ...(args.incumbent !== undefined ? { incumbent: args.incumbent } : {}),
      ...(args.anchor !== undefined ? { anchor: args.anchor } : {}),
      pSwitch: policy.pSwitch,
      againstMean: policy.switchTest === 'pair-or-mean',
      risk: policy.recommendRisk,
      ...(args.inflate !== undefined ? { inflate: args.inflate } : {}),
      rng: args.rng,
    });
    incumbent = choice.mixture;
    const runId = targetRunId(obs, target, choice.mixture);
    rec = {
      mixture: choice.mixture,
      mean: choice.mean,
      sd: choice.sd,
      ...(choice.pBest !== undefined ? { pBest: choice.pBest } : {}),
      ...(runId !== undefined ? { runId } : {}),
      basis: choice.basis,
    };
  }
  return { rec, ...(incumbent !== undefined ? { incumbent } : {}) };
}

/** The id of the latest observed point at the target fidelity with exactly mixture `w`, if any. */
function targetRunId(
  obs: Observations,
  target: { readonly scale: string; readonly steps: number },
  w: readonly number[],
): string | undefined {
  for (let r = obs.n - 1; r >= 0; r--) {
    const pt = obs.points[r]!;
    if (pt.scale !== target.scale || pt.steps !== target.steps) continue;
    if (pt.mixture.every((x, q) => x === w[q])) return pt.runId;
  }
  return undefined;
}
