/**
 * The recommendation of a study, explained: the mixture to train at the
 * target, the surrogate's predicted value there with a 90% interval, the
 * probability that it beats the runner-up, the observed runs it rests on, and
 * how the predicted best mixture moves across the scale ladder.
 *
 * Notation: `mu_1, s_1` predicted mean and standard deviation of the
 * recommended mixture at the target, `mu_2, s_2` those of the runner-up;
 * `P(beat) = Phi(d / sqrt(s_1^2 + s_2^2 - 2 c_12))` with `d = mu_2 - mu_1` when
 * minimising (`mu_1 - mu_2` when maximising) and `c_12` their posterior
 * covariance when the surrogate exposes `predictJoint`; without it `c_12 = 0`
 * (treated as independent, which understates the probability when they are
 * positively correlated). When the
 * optimiser exposes no surrogate but predicts its recommendation, and the
 * runner-up was observed at the target (value `y_2`), `d = y_2 - mu_1` and
 * `P(beat) = Phi(d / s_1)` (the observation taken as exact).
 */
import type {
  Fidelity,
  Mixture,
  Prediction,
  Recommendation,
  RunRecord,
  StudyConfig,
} from '../core/index.ts';
import { activeRuns, hasSurrogateView, isBetter } from '../core/index.ts';
import { normCdf } from '../linalg/index.ts';
import type { Study } from './study.ts';

/** One observed run behind the recommendation. */
export interface SupportingRun {
  readonly trial: number;
  readonly scale: string;
  readonly steps: number;
  /** Last observed value of the study metric. */
  readonly value: number;
  /** L1 distance of its mixture from the recommended one (0 = same mixture). */
  readonly distance: number;
}

/** The best mixture at one rung of the ladder. */
export interface LadderEntry {
  readonly scale: string;
  readonly steps: number;
  readonly mixture: Mixture;
  readonly predicted?: Prediction;
  /** `predicted` (surrogate) or `observed` (best completed run at that scale). */
  readonly source: 'predicted' | 'observed';
}

/** A study's recommendation with its explanation (the `--json` output). */
export interface RecommendationReport {
  readonly study: string;
  readonly metric: { readonly name: string; readonly direction: string };
  readonly target: Fidelity;
  readonly domains: readonly string[];
  readonly mixture: Mixture;
  readonly basis: string;
  readonly trial?: number;
  readonly predicted?: Prediction;
  readonly runnerUp?: {
    readonly mixture: Mixture;
    readonly trial: number;
    /** Fidelity of its observation. */
    readonly scale: string;
    readonly steps: number;
    readonly predicted?: Prediction;
    /** Its last observed value (at `scale`, `steps`). */
    readonly observed?: number;
  };
  /** P(the recommendation is better than the runner-up at the target), when a surrogate gives both predictions. */
  readonly probBeatsRunnerUp?: number;
  /** How `probBeatsRunnerUp` was computed. */
  readonly probBasis?: string;
  readonly notes: readonly string[];
  readonly restsOn: readonly SupportingRun[];
  readonly ladder: readonly LadderEntry[];
  /** Whether `ladder` comes from the surrogate. */
  readonly ladderPredicted: boolean;
}

function l1(a: Mixture, b: Mixture): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return s;
}

function last(run: RunRecord): number | undefined {
  return run.curve[run.curve.length - 1]?.value;
}

/** Best completed run per scale at its longest length (observed ladder). */
function observedLadder(config: StudyConfig, runs: readonly RunRecord[]): LadderEntry[] {
  const out: LadderEntry[] = [];
  for (const s of config.scales) {
    let best: RunRecord | undefined;
    for (const r of runs) {
      if (r.scale !== s.name || r.state !== 'completed') continue;
      const v = last(r);
      if (v === undefined) continue;
      if (
        best === undefined ||
        r.steps > best.steps ||
        (r.steps === best.steps && isBetter(config.metric.direction, v, last(best) as number))
      )
        best = r;
    }
    if (best !== undefined)
      out.push({ scale: s.name, steps: best.steps, mixture: best.mixture, source: 'observed' });
  }
  return out;
}

/**
 * Builds the explained recommendation of `study`, or undefined when no run has an observation yet.
 */
export function recommendStudy(study: Study): RecommendationReport | undefined {
  const config = study.config;
  const history = study.history();
  const opt = study.optimizer();
  const rec: Recommendation | undefined = opt.recommend(history);
  if (rec === undefined) return undefined;
  const dir = config.metric.direction;
  const target: Fidelity = config.target;
  const notes: string[] = [];
  const runs = activeRuns(history).filter((r) => r.curve.length > 0);

  // Runner-up: the best completed run with a different mixture at the target
  // fidelity; else at the highest fidelity reached (largest scale, then most
  // steps), so that values are compared at one fidelity only.
  const others = runs.filter((r) => r.state === 'completed' && l1(r.mixture, rec.mixture) > 1e-9);
  const atTarget = others.filter((r) => r.scale === target.scale && r.steps === target.steps);
  const rank = (r: RunRecord) => {
    const i = config.scales.findIndex((s) => s.name === r.scale);
    return i * 1e9 + r.steps;
  };
  const top = others.reduce((m, r) => Math.max(m, rank(r)), Number.NEGATIVE_INFINITY);
  const pool = atTarget.length > 0 ? atTarget : others.filter((r) => rank(r) === top);
  let runnerUp: RunRecord | undefined;
  for (const r of pool) {
    const v = last(r) as number;
    if (runnerUp === undefined || isBetter(dir, v, last(runnerUp) as number)) runnerUp = r;
  }

  let predicted = rec.predicted;
  let runnerPred: Prediction | undefined;
  let prob: number | undefined;
  let probBasis = 'both predicted at the target by the surrogate, treated as independent normals';
  const surrogate = hasSurrogateView(opt);
  if (surrogate) {
    const mixtures = runnerUp === undefined ? [rec.mixture] : [rec.mixture, runnerUp.mixture];
    const joint = opt.predictJoint?.(history, mixtures, target);
    const preds = joint?.predictions ?? opt.predictAt(history, mixtures, target);
    // The joint law of both at the target: the surrogate's prediction of the
    // recommended mixture (not rec.predicted, which may be of another model).
    const p1 = preds[0];
    predicted = predicted ?? p1;
    runnerPred = preds[1];
    if (p1 !== undefined && runnerPred !== undefined) {
      const cov = joint !== undefined && joint.covariance.length === 4 ? joint.covariance[1]! : 0;
      if (joint !== undefined)
        probBasis =
          'both predicted at the target by the surrogate, jointly normal with their posterior covariance';
      const d = dir === 'minimize' ? runnerPred.mean - p1.mean : p1.mean - runnerPred.mean;
      const s = Math.sqrt(Math.max(p1.std ** 2 + runnerPred.std ** 2 - 2 * cov, 0));
      prob = s > 0 ? normCdf(d / s) : d > 0 ? 1 : d < 0 ? 0 : 0.5;
    } else if (preds.length === 0) {
      notes.push(
        `the surrogate of optimiser '${config.optimizer.method}' has no fit yet (too few runs): no predicted value for the runner-up, and no probability of beating it`,
      );
    }
  } else if (predicted !== undefined && runnerUp !== undefined && atTarget.length > 0) {
    // No joint prediction: compare with the runner-up's observed target value, taken as exact.
    const obs = last(runnerUp) as number;
    const d = dir === 'minimize' ? obs - predicted.mean : predicted.mean - obs;
    prob = predicted.std > 0 ? normCdf(d / predicted.std) : d > 0 ? 1 : d < 0 ? 0 : 0.5;
    probBasis = `the recommendation's predicted target value against the runner-up's observed target value (taken as exact; optimiser '${config.optimizer.method}' exposes no surrogate to predict both)`;
  } else {
    notes.push(
      predicted === undefined
        ? `optimiser '${config.optimizer.method}' has no surrogate: no predicted value, interval or probability of beating the runner-up is available`
        : `optimiser '${config.optimizer.method}' exposes no surrogate to predict the runner-up, and no runner-up was observed at the target: the probability of beating it is not available`,
    );
  }
  if (runnerUp === undefined) notes.push('no runner-up: only one mixture has completed runs');

  const restsOn: SupportingRun[] = runs
    .map((r) => ({
      trial: Number(r.id),
      scale: r.scale,
      steps: r.curve[r.curve.length - 1]?.step ?? r.steps,
      value: last(r) as number,
      distance: l1(r.mixture, rec.mixture),
    }))
    .sort((a, b) => a.distance - b.distance || a.trial - b.trial)
    .slice(0, 8);

  let ladder: LadderEntry[] = [];
  let ladderPredicted = false;
  if (surrogate && opt.recommendAt !== undefined) {
    for (const s of config.scales) {
      const fid = { scale: s.name, steps: target.steps };
      const r = opt.recommendAt(history, fid);
      if (r !== undefined)
        ladder.push({
          scale: s.name,
          steps: target.steps,
          mixture: r.mixture,
          ...(r.predicted !== undefined ? { predicted: r.predicted } : {}),
          source: 'predicted',
        });
    }
    ladderPredicted = ladder.length > 0;
    const missing = config.scales.filter((s) => !ladder.some((l) => l.scale === s.name));
    if (ladderPredicted && missing.length > 0)
      notes.push(
        `the surrogate does not predict at scale(s) ${missing.map((s) => s.name).join(', ')} (optimiser '${config.optimizer.method}' models only part of the ladder): no predicted best there`,
      );
  }
  if (!ladderPredicted && surrogate && opt.recommendAt !== undefined) {
    ladder = observedLadder(config, runs);
    notes.push(
      'the surrogate has no fit yet: the ladder shows the best observed run per scale instead',
    );
  } else if (!ladderPredicted) {
    ladder = observedLadder(config, runs);
    notes.push(
      'how the predicted best moves across the ladder is not available (the optimiser exposes no surrogate); the ladder shows the best observed run per scale instead',
    );
  }

  return {
    study: study.name,
    metric: { name: config.metric.name, direction: dir },
    target,
    domains: config.domains.map((d) => d.name),
    mixture: rec.mixture,
    basis: rec.basis,
    ...(rec.runId !== undefined ? { trial: Number(rec.runId) } : {}),
    ...(predicted !== undefined ? { predicted } : {}),
    ...(runnerUp !== undefined
      ? {
          runnerUp: {
            mixture: runnerUp.mixture,
            trial: Number(runnerUp.id),
            scale: runnerUp.scale,
            steps: runnerUp.steps,
            ...(runnerPred !== undefined ? { predicted: runnerPred } : {}),
            ...(last(runnerUp) !== undefined ? { observed: last(runnerUp) as number } : {}),
          },
        }
      : {}),
    ...(prob !== undefined ? { probBeatsRunnerUp: prob, probBasis } : {}),
    notes,
    restsOn,
    ladder,
    ladderPredicted,
  };
}
