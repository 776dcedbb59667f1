/**
 * The acquisition of `mfms-bo`: the initial design, then for each proposal the candidate
 * runs (new runs at every affordable fidelity pair, continuations of completed runs), their
 * scores by the cost-aware target EI, and the affordable best.
 *
 * Notation (surrogate.ts for `x`, `x*`, `nu`):
 * - `mu(x)`, `sigma(x)` posterior mean / sd of the latent f (minimisation convention),
 *   `C(x, x')` the posterior covariance; `mu_best` the incumbent's predicted target value.
 * - For a run at fidelity `(m, z)` with mixture `w`, the one-step change of the target
 *   prediction at `w` is `N(0, sigma_tilde^2)` with
 *   `sigma_tilde = |C(x(w; m, z), x*(w))| / sqrt(sigma^2(x(w; m, z)) + nu(m))`.
 * - Score ("improvement at the target per cost"):
 *   `a(w, m, z) = log EI(mu(x*(w)), sigma_tilde, mu_best) - alpha_t log c`,
 *   the expected improvement of the target prediction that the run buys, per cost^alpha (a
 *   cheap knowledge-gradient-like lower bound; at the target itself it is plain EI with sigma
 *   shrunk by the noise). A new run costs `c(m, z)`; continuing a run from `z_r` to `z` costs
 *   `c(m, z) - c(m, z_r)`.
 * - `alpha_t = alpha_0 * (1 - spent / budget)` (`alphaSchedule: 'budget'`, when the history
 *   has a budget), else the paper's `alpha_0 * decay^t`, `t` the proposals after the initial
 *   design.
 *
 * One proposal (rng `root.fork(i)`, `i` the proposal's index overall):
 * 0. With `verify` (once `verifyFrom` of the budget is spent, while fewer than `verifyRuns` target
 *    runs reach the target steps; with `verifyWhen: 'confident'` only for a challenger that beats
 *    the best-predicted verified mixture with probability >= `pSwitch`): the target run of the
 *    recommended mixture, when no run near it reaches the target ({@link verificationProposal}).
 *    With `probes` > 1, before the first verification: short target-size probes of the best
 *    predicted distinct mixtures, then the best-valued probe continued to the target
 *    ({@link probeProposal}); with `probeRounds` > 1, later races of new mixtures once set
 *    shares of the budget are spent ({@link laterRaceProposal}).
 * 1. With `minTargetShare`, while less than that share of the spend went to target-size runs,
 *    only target-size pairs (and continuations) are considered; with `afterVerification:
 *    'target'`, the same once a target run has completed.
 * 2. Candidate mixtures: up to `candidates` local maxima of target EI
 *    `log EI(x*(w); mu_best)` (multi-start L-BFGS-B over the simplex), more than 1e-3 apart
 *    in L1, and the incumbent.
 * 3. Every candidate at every pair that no earlier run, and no earlier proposal of the same
 *    batch, covers (same scale, at least as many steps, mixture within L1 `minDistance`), and every continuation of a completed run to
 *    more steps within the budget, is scored by `a`; the best is proposed.
 * 4. When nothing scores finitely: the mixture of largest target EI at the target, if that
 *    pair is affordable and the run new; else a random mixture at the most expensive
 *    affordable pair.
 * With `acquisition: 'paper'` the step is the paper's instead (cost-aware-proposal.ts).
 */
import {
  costExponent,
  logEiObjective,
  logExpectedImprovement,
  type MixtureProduct,
  maximizeOverSimplex,
} from '../../acquisition/index.ts';
import {
  activeRuns,
  type History,
  isBetter,
  type Proposal,
  type Rng,
  type RunRecord,
  type SearchSpace,
} from '../../core/index.ts';
import type { GaussianProcess } from '../../gp/index.ts';
import { encodeInput } from '../encoding.ts';
import type { FidelityPair } from '../fidelity-grid.ts';
import { isTargetRun, valueAt } from '../observed.ts';
import { projectToSpace, sampleMixture } from '../sample-mixture.ts';
import { cheapestPair, costAwareProposal } from './cost-aware-proposal.ts';
import { probabilityBetter } from './early-stop.ts';
import { bestVerifiedRun, type MfmsModel } from './recommendation.ts';
import type { MfmsSettings } from './settings.ts';
import { type MfmsEncoding, rmsMixtureDistance, smallToTargetCorrelation } from './surrogate.ts';

/** A scored option: a new run at a pair, or a continuation of a run. */
interface Option {
  readonly proposal: Proposal;
  readonly score: number;
}

/**
 * The scores `a(w, m_j, z_j)` of observing each of `xs` (inputs `x(w; m_j, z_j)`) for the
 * target prediction at `w`, from one joint posterior covariance of `[x*(w), xs...]`.
 * @param costs `c_j`, the cost of each run; @param nu `nu(m_j)`, the noise of each observation.
 */
export function targetScores(
  gp: GaussianProcess,
  xStarW: readonly number[],
  xs: readonly number[][],
  costs: readonly number[],
  muBest: number,
  alpha: number,
  nu: readonly number[],
): number[] {
  const d = gp.d;
  const m = xs.length + 1;
  const X = new Float64Array(m * d);
  X.set(xStarW, 0);
  for (let j = 0; j < xs.length; j++) X.set(xs[j]!, (j + 1) * d);
  const C = gp.covariance(X);
  const mu = gp.predict(X.subarray(0, d)).mean[0]!;
  return xs.map((_, j) => {
    const a = j + 1;
    const sdTilde = Math.abs(C[a]!) / Math.sqrt(Math.max(C[a * m + a]!, 0) + nu[j]!);
    return logExpectedImprovement(mu, sdTilde, muBest).value - alpha * Math.log(costs[j]!);
  });
}

/** `alpha_t` of proposal `i` (see the module notation). */
export function costExponentAt(
  s: Pick<MfmsSettings, 'alphaSchedule' | 'alpha0' | 'decay' | 'initial'>,
  history: Pick<History, 'budget' | 'spent'>,
  i: number,
): number {
  return s.alphaSchedule === 'budget' && history.budget !== undefined && history.budget > 0
    ? s.alpha0 * Math.max(0, 1 - history.spent / history.budget)
    : costExponent(Math.max(0, i - s.initial), s.alpha0, s.decay);
}

/** Step 1: the pairs to consider, and whether only the target size is (`minTargetShare`). */
export function targetSharePairs(
  history: History,
  pairs: readonly FidelityPair[],
  minTargetShare: number,
  targetScale: string,
): { pairs: readonly FidelityPair[]; onlyTarget: boolean } {
  if (minTargetShare > 0 && pairs.some((p) => p.scale === targetScale)) {
    let all = 0;
    let atTarget = 0;
    for (const r of history.runs) {
      all += r.cost;
      if (r.scale === targetScale) atTarget += r.cost;
    }
    if (all > 0 && atTarget < minTargetShare * all) {
      return { pairs: pairs.filter((p) => p.scale === targetScale), onlyTarget: true };
    }
  }
  return { pairs, onlyTarget: false };
}

/**
 * The share of the spend that must go to target-size runs before anything else is proposed
 * (step 1): 1 with `afterVerification: 'target'` once a target run has completed; else
 * `minTargetShare`, but with `targetShareWhen` < 1 only while `gp`'s correlation of a mixture's
 * effect between the smallest size and the target (`smallToTargetCorrelation`) is at most
 * `targetShareWhen`; else 0.
 */
export function targetShareNow(
  history: History,
  space: SearchSpace,
  s: Pick<MfmsSettings, 'afterVerification' | 'minTargetShare' | 'targetShareWhen'>,
  gp: GaussianProcess,
  encoding: MfmsEncoding,
): number {
  if (s.afterVerification === 'target' && hasCompletedTargetRun(history, space)) return 1;
  if (s.minTargetShare <= 0) return 0;
  if (s.targetShareWhen >= 1) return s.minTargetShare;
  return smallToTargetCorrelation(gp, space, encoding) <= s.targetShareWhen + 1e-9
    ? s.minTargetShare
    : 0;
}

/**
 * Setting `maxScaleShare`: `pairs` without those at a size other than the target whose runs
 * took more than `share` of the spend so far, once the spend reaches `targetCost` (one target
 * run); `pairs` unchanged when that would leave none.
 */
export function scaleSharePairs(
  history: History,
  pairs: readonly FidelityPair[],
  share: number,
  targetScale: string,
  targetCost: number,
): readonly FidelityPair[] {
  if (share >= 1) return pairs;
  let all = 0;
  const by = new Map<string, number>();
  for (const r of history.runs) {
    all += r.cost;
    by.set(r.scale, (by.get(r.scale) ?? 0) + r.cost);
  }
  if (!(all >= targetCost) || !(all > 0)) return pairs;
  const kept = pairs.filter(
    (p) => p.scale === targetScale || (by.get(p.scale) ?? 0) <= share * all,
  );
  return kept.length > 0 ? kept : pairs;
}

/**
 * Step 0 (`verify`): the target run that tests the recommended mixture `w`, or undefined when a
 * run at the target size within L2 distance `radius` of `w` reaches the target steps (completed,
 * pending or failed there, or proposed earlier in the same `batch`; or, with `minDistance` > 0,
 * within that L1 distance), or nothing affordable is left. A completed shorter target-size run
 * within `radius` (the longest) is continued; otherwise a new run of `w` at the target.
 */
export function verificationProposal(
  history: History,
  space: SearchSpace,
  w: readonly number[],
  left: number,
  radius: number,
  batch: readonly Proposal[] = [],
  minDistance = 0,
): Proposal | undefined {
  const { scale, steps } = space.target;
  const near = (r: { scale: string; mixture: readonly number[] }) =>
    r.scale === scale && Math.hypot(...r.mixture.map((v, j) => v - w[j]!)) <= radius;
  // Covered: a run near w (or within the minDistance setting's L1) already reaches the target.
  const covers = (r: { scale: string; steps: number; mixture: readonly number[] }) =>
    r.steps >= steps && (near(r) || (r.scale === scale && l1(r.mixture, w) <= minDistance));
  if ([...history.runs, ...batch].some(covers)) return undefined;
  let partial: RunRecord | undefined;
  for (const r of activeRuns(history)) {
    if (near(r) && r.state === 'completed' && (partial === undefined || r.steps > partial.steps))
      partial = r;
  }
  if (partial !== undefined) {
    const extra = space.cost(scale, steps) - space.cost(scale, partial.steps);
    if (extra > 0 && extra <= left)
      return { mixture: [...partial.mixture], scale, steps, continues: partial.id };
  }
  return space.cost(scale, steps) <= left ? { mixture: [...w], scale, steps } : undefined;
}

/** What the probe steps need: how many probes, their steps `zp`, the budget left and distances. */
interface ProbeOptions {
  probes: number;
  zp: number;
  left: number;
  /** A target-size run within this L2 distance of a mixture has probed it. */
  radius: number;
  /** Probes of one race are farther apart than this (L2). */
  spread: number;
  batch?: readonly Proposal[];
}

/** The completed run of `runs` with the best value at exactly `zp` steps (ties: the earlier). */
function bestValuedAt(
  runs: readonly RunRecord[],
  zp: number,
  direction: SearchSpace['metric']['direction'],
): { run: RunRecord; v: number } | undefined {
  let out: { run: RunRecord; v: number } | undefined;
  for (const r of runs) {
    const v = r.state === 'completed' ? valueAt(r, zp) : undefined;
    if (v !== undefined && (out === undefined || isBetter(direction, v, out.v)))
      out = { run: r, v };
  }
  return out;
}

/** The continuation of a target-size run at `zp` steps to the target steps, when affordable. */
function continuedToTarget(
  space: SearchSpace,
  run: RunRecord,
  zp: number,
  left: number,
): Proposal | undefined {
  const { scale, steps } = space.target;
  const extra = space.cost(scale, steps) - space.cost(scale, zp);
  return extra > 0 && extra <= left
    ? { mixture: [...run.mixture], scale, steps, continues: run.id }
    : undefined;
}

/**
 * Step 0 with `probes` > 1: the next short target-size probe before the first verification, or
 * undefined when probing is over. Probing is over once a run at the target size reaches the target
 * steps, or `probes` runs at the target size reach the probe steps `zp` (completed, pending or
 * failed, or proposed earlier in the same `batch`). The probe candidates are the `probes`
 * mixtures of `pool` with the smallest posterior mean at the target, taken greedily at L2
 * distance > `spread` from each other; the best-ranked one without a target-size run within
 * `radius` that reaches `zp` is probed at `(target size, zp)` when affordable.
 */
export function probeProposal(
  history: History,
  space: SearchSpace,
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
  pool: readonly (readonly number[])[],
  opts: ProbeOptions & {
    /** `probeOptimism`: the last probe goes to the smallest `mean - optimist * sd` (0: none). */
    optimist?: number;
    /**
     * `probeExplore`: the last probe goes to the `pool` mixture farthest (L2) from the other
     * probes and from every target-size run (the largest smallest distance; ties: the earlier).
     */
    explore?: boolean;
    /**
     * `probeUniform`: this mixture (the uniform one, projected into the bounds) takes the last
     * probe as a control, unless a probe chosen by the mean lies within `spread` of it (the
     * slot then goes by the mean). Before `explore`.
     */
    control?: readonly number[];
  },
): Proposal | null | undefined {
  const { scale, steps } = space.target;
  const runs: readonly Proposal[] = [...history.runs, ...(opts.batch ?? [])];
  if (runs.some((r) => r.scale === scale && r.steps >= steps)) return undefined;
  const probed = runs.filter((r) => r.scale === scale && r.steps >= opts.zp);
  if (probed.length >= opts.probes)
    return raceWinner(history, space, opts.zp, opts.left, opts.batch);
  const kappa = opts.optimist ?? 0;
  const scored = pool.map((w) => {
    const p = gp.predict(Float64Array.from(xStar(w)));
    return {
      w,
      mean: p.mean[0]!,
      lcb: p.mean[0]! - kappa * Math.sqrt(Math.max(p.variance[0]!, 0)),
    };
  });
  const chosen: (readonly number[])[] = [];
  const pick = (ranked: typeof scored, upTo: number) => {
    for (const { w } of ranked) {
      if (chosen.length >= upTo) break;
      if (chosen.every((c) => l2(c, w) > opts.spread)) chosen.push(w);
    }
  };
  const { control } = opts;
  const explore = opts.explore === true && control === undefined;
  const byMean = [...scored].sort((a, b) => a.mean - b.mean);
  pick(byMean, kappa > 0 || explore || control !== undefined ? opts.probes - 1 : opts.probes);
  if (control !== undefined) {
    if (chosen.every((c) => l2(c, control) > opts.spread)) chosen.push(control);
    else pick(byMean, opts.probes);
  } else if (kappa > 0 && !explore)
    pick(
      [...scored].sort((a, b) => a.lcb - b.lcb),
      opts.probes,
    );
  if (explore) {
    // Away from what the target size has seen: the other probes and every target-size run.
    const seen = [...chosen, ...runs.filter((r) => r.scale === scale).map((r) => r.mixture)];
    let far: readonly number[] | undefined;
    let farD = -1;
    for (const w of pool) {
      const d = Math.min(...seen.map((c) => l2(c, w)));
      if (d > farD) {
        far = w;
        farD = d;
      }
    }
    if (far !== undefined && farD > opts.spread) chosen.push(far);
  }
  if (space.cost(scale, opts.zp) > opts.left) return undefined;
  for (const w of chosen) {
    if (probed.some((r) => l2(r.mixture, w) <= opts.radius)) continue;
    return { mixture: [...w], scale, steps: opts.zp };
  }
  return undefined;
}

/**
 * Step 0 with `probeRounds` > 1: a later race, after the first verification. Round `r` (2..rounds)
 * starts once `verifyFrom + (r - 1)(1 - verifyFrom) / rounds` of the budget is spent; it probes
 * `probes` new mixtures (the smallest posterior means at the target among the `pool` mixtures
 * farther than `radius` from every target-size run at `zp` steps or more, at L2 distance > `spread`
 * from each other) at `(target size, zp)`, then continues its best-valued probe to the target steps
 * when that value beats every earlier probe's (one fidelity, so the values compare). A probe is
 * a new run (no parent) at the target size and exactly `zp` steps. Returns the proposal, `null`
 * (nothing now: a probe of the round is still running) or undefined (no race now).
 */
export function laterRaceProposal(
  history: History,
  space: SearchSpace,
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
  pool: readonly (readonly number[])[],
  opts: ProbeOptions & { round: number },
): Proposal | null | undefined {
  const { scale } = space.target;
  const isProbe = (r: Proposal & { parent?: string }) =>
    r.scale === scale && r.steps === opts.zp && r.parent === undefined && r.continues === undefined;
  const batch = opts.batch ?? [];
  const probes = [...history.runs.filter(isProbe), ...batch.filter(isProbe)];
  if (probes.length < opts.probes * opts.round) {
    const atTarget = [...history.runs, ...batch].filter(
      (r) => r.scale === scale && r.steps >= opts.zp,
    );
    const fresh = pool
      .filter((w) => atTarget.every((r) => l2(r.mixture, w) > opts.radius))
      .map((w) => ({ w, mean: gp.predict(Float64Array.from(xStar(w))).mean[0]! }))
      .sort((a, b) => a.mean - b.mean);
    // This round's probes so far: the next one keeps its distance from them.
    const mine = probes.slice(opts.probes * (opts.round - 1));
    const next = fresh.find(({ w }) => mine.every((r) => l2(r.mixture, w) > opts.spread));
    if (next === undefined || space.cost(scale, opts.zp) > opts.left) return undefined;
    return { mixture: [...next.w], scale, steps: opts.zp };
  }
  const cut = opts.probes * (opts.round - 1);
  const mine = history.runs.filter(isProbe).slice(cut, cut + opts.probes);
  if (mine.length < opts.probes) return null;
  if (mine.some((r) => r.state === 'pending' || r.state === 'running')) return null;
  if (history.runs.some((r) => r.parent !== undefined && mine.some((m) => m.id === r.parent)))
    return undefined;
  const { direction } = space.metric;
  const now = bestValuedAt(mine, opts.zp, direction);
  const before = bestValuedAt(history.runs.filter(isProbe).slice(0, cut), opts.zp, direction);
  if (now === undefined) return undefined;
  if (before !== undefined && !isBetter(direction, now.v, before.v)) return undefined;
  return continuedToTarget(space, now.run, opts.zp, opts.left);
}

/**
 * The end of probing: once every probe (a target-size run at the probe steps `zp`) has completed,
 * the continuation to the target steps of the probe with the best observed value at `zp` (all
 * probes are at one fidelity, so their values compare; the model's ranking would rest on the
 * small runs the probes are there to check); `null` (no verification now) while a probe is still
 * running or in the batch; undefined when none completed or the continuation is not affordable.
 */
function raceWinner(
  history: History,
  space: SearchSpace,
  zp: number,
  left: number,
  batch: readonly Proposal[] = [],
): Proposal | null | undefined {
  const { scale } = space.target;
  const probes = history.runs.filter((r) => r.scale === scale && r.steps === zp);
  if (batch.some((r) => r.scale === scale && r.steps >= zp)) return null;
  if (probes.some((r) => r.state === 'pending' || r.state === 'running')) return null;
  const best = bestValuedAt(probes, zp, space.metric.direction);
  return best === undefined ? undefined : continuedToTarget(space, best.run, zp, left);
}

/**
 * `verifyWhen: 'confident'`: whether the recommended mixture `w` is worth a verification run:
 * always while no completed target run (target size and steps) exists; after that only when
 * `P(f(x*(w)) < f(x*(w_v))) >= pSwitch` under the joint posterior, `w_v` the mixture of the
 * completed target run with the smallest posterior mean at the target.
 */
export function worthVerifying(
  history: History,
  space: SearchSpace,
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
  w: readonly number[],
  pSwitch: number,
): boolean {
  const wv = bestVerifiedRun(history, space, gp, xStar)?.mixture;
  return wv === undefined || probabilityBetter(gp, xStar, w, wv) >= pSwitch;
}

/** Whether a run at the target size has completed at the target steps (`afterVerification`). */
export function hasCompletedTargetRun(history: History, space: SearchSpace): boolean {
  return history.runs.some((r) => isTargetRun(r, space));
}

/**
 * `earlyCostCap` < 1 with `verify`, before verification starts: the pairs that cost at most
 * `earlyCostCap` target runs (the cheapest when none does) and the budget left capped at that
 * cost; undefined when no cap applies.
 */
export function earlyCap(
  history: Pick<History, 'budget' | 'spent'>,
  space: SearchSpace,
  s: Pick<MfmsSettings, 'verify' | 'verifyFrom' | 'earlyCostCap'>,
  pairs: readonly FidelityPair[],
  left: number,
): { pairs: readonly FidelityPair[]; left: number } | undefined {
  if (!s.verify || !(s.earlyCostCap < 1) || verificationStarted(history, s.verifyFrom)) {
    return undefined;
  }
  const cap = s.earlyCostCap * space.cost(space.target.scale, space.target.steps);
  const fitting = pairs.filter((p) => p.cost <= cap);
  const cheapest = cheapestPair(pairs);
  return {
    pairs: fitting.length > 0 ? fitting : cheapest !== undefined ? [cheapest] : [],
    left: Math.min(left, Math.max(cap, cheapest?.cost ?? 0)),
  };
}

/** `verifyFrom`: whether `share` of the budget is spent (always true without a budget). */
export function verificationStarted(
  history: Pick<History, 'budget' | 'spent'>,
  share: number,
): boolean {
  return (
    share <= 0 ||
    history.budget === undefined ||
    !(history.budget > 0) ||
    history.spent >= share * history.budget
  );
}

/** The runs (completed, pending or failed) at the target size that reach the target steps. */
export function fullTargetRuns(history: History, space: SearchSpace): number {
  const { scale, steps } = space.target;
  return history.runs.filter((r) => r.scale === scale && r.steps >= steps).length;
}

/** L2 distance. */
const l2 = (a: readonly number[], b: readonly number[]): number =>
  Math.hypot(...a.map((v, j) => v - b[j]!));

/** L1 distance. */
const l1 = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((acc, v, j) => acc + Math.abs(v - b[j]!), 0);

/** Whether the same run `(w, scale, z)` was proposed before and failed: never asked again. */
function failedRunAt(
  history: History,
  w: readonly number[],
  scale: string,
  z: number,
  tol: number,
): boolean {
  return history.runs.some(
    (r) => r.state === 'failed' && r.scale === scale && r.steps === z && l1(r.mixture, w) <= tol,
  );
}

/**
 * Whether an earlier (or pending) run, or an earlier proposal of the same batch, covers a new
 * run at `(w, scale, z)` (step 3: same scale, at least as many steps, mixture within L1 `tol`),
 * or that very run failed before (e.g. a replay testbed without that checkpoint).
 */
export function coveredBy(
  history: History,
  batch: readonly Proposal[],
  w: readonly number[],
  scale: string,
  z: number,
  tol: number,
): boolean {
  const runs: readonly (Proposal & { state?: RunRecord['state'] })[] = [...history.runs, ...batch];
  return runs.some(
    (r) =>
      r.scale === scale &&
      (r.state === 'failed' ? r.steps === z : r.steps >= z) &&
      l1(r.mixture, w) <= tol,
  );
}

/**
 * Up to `count` of the local maxima `local` (best first), in that order, each with a finite
 * value, more than 1e-3 (L1) from those kept before it and more than `apart` (L2; 0: no such
 * condition).
 */
export function spreadCandidates(
  local: readonly { readonly w: number[]; readonly value: number }[],
  count: number,
  apart: number,
): number[][] {
  const kept: number[][] = [];
  for (const l of local) {
    if (kept.length >= count) break;
    if (!Number.isFinite(l.value)) continue;
    if (kept.every((c) => l1(c, l.w) > 1e-3 && (apart === 0 || l2(c, l.w) > apart))) kept.push(l.w);
  }
  return kept;
}

/**
 * Step 2: the candidate mixtures and the target-EI search they came from: up to `candidates`
 * local maxima of target EI, best first, each more than 1e-3 (L1) and, with `candidateSpread`
 * `f`, more than `f` times the rms distance of two random mixtures (L2) from those before it;
 * then the incumbent when it is not among them.
 */
export function candidateMixtures(
  gp: GaussianProcess,
  model: MfmsModel,
  rng: Rng,
  space: SearchSpace,
  s: Pick<MfmsSettings, 'starts' | 'rawSamples' | 'candidates' | 'candidateSpread'>,
  xStar: (w: ArrayLike<number>) => number[],
  products: readonly MixtureProduct[] = [],
): { cands: number[][]; eiW: number[] } {
  const k = space.domains.length;
  const apart = s.candidateSpread * rmsMixtureDistance(k);
  const objective = logEiObjective(gp, xStar(model.wInc), k, model.muBest, products);
  const ei = maximizeOverSimplex(objective, k, {
    starts: s.starts,
    rawSamples: s.rawSamples,
    rng,
    initial: [model.wInc],
    ...(space.bounds !== undefined ? { bounds: space.bounds } : {}),
    ...(space.candidates !== undefined ? { candidates: space.candidates } : {}),
  });
  const cands = spreadCandidates(ei.local, s.candidates, apart);
  const far = (w: readonly number[]) => cands.every((c) => l1(c, w) > 1e-3);
  if (cands.length === 0) cands.push(ei.w);
  if (far(model.wInc)) cands.push(model.wInc);
  return { cands, eiW: ei.w };
}

/**
 * Step 4's fallback: a random mixture at the most expensive affordable pair, skipping runs that
 * failed before (a replay testbed without that checkpoint would fail them again): the next pair
 * down when every listed mixture (`space.candidates`) failed at a pair, or a fresh draw on the
 * simplex. The first draw is `sampleMixture(rng.fork('explore'))`; when everything failed, that
 * draw at the most expensive pair.
 */
export function explorationProposal(
  history: History,
  space: SearchSpace,
  pairs: readonly FidelityPair[],
  rng: Rng,
  failedBefore: (history: History, w: readonly number[], scale: string, z: number) => boolean,
): Proposal {
  const first = sampleMixture(rng.fork('explore'), space);
  // Most expensive first; among equal costs, the pairs' order.
  const byCost = pairs.map((p, j) => ({ p, j })).sort((a, b) => b.p.cost - a.p.cost || a.j - b.j);
  const options =
    space.candidates !== undefined && space.candidates.length > 0
      ? [first, ...space.candidates]
      : [first, ...[0, 1, 2].map((t) => sampleMixture(rng.fork('explore').fork(t), space))];
  for (const { p } of byCost) {
    const w = options.find((m) => !failedBefore(history, m, p.scale, p.steps));
    if (w !== undefined) return { mixture: [...w], scale: p.scale, steps: p.steps };
  }
  const top = byCost[0]!.p;
  return { mixture: first, scale: top.scale, steps: top.steps };
}

/**
 * `probeUniform`'s control: the uniform mixture, projected into the bounds when the space has
 * them, or the listed candidate nearest to it (L2; the earlier on ties) when it lists them.
 */
export function uniformControl(space: SearchSpace): number[] {
  const k = space.domains.length;
  const u = new Array<number>(k).fill(1 / k);
  if (space.candidates !== undefined && space.candidates.length > 0) {
    let best = space.candidates[0]!;
    for (const c of space.candidates) if (l2(c, u) < l2(best, u)) best = c;
    return [...best];
  }
  return space.bounds !== undefined ? projectToSpace(u, space.bounds) : u;
}

/**
 * A design run's mixture: the design's `raw` (projected into the bounds), or a random candidate
 * when the space lists them.
 */
function designMixture(space: SearchSpace, rng: Rng, raw: number[]): number[] {
  return space.candidates !== undefined
    ? [...rng.choice(space.candidates)]
    : space.bounds !== undefined
      ? projectToSpace(raw, space.bounds)
      : raw;
}

/** A design run's steps: uniform over `stepRange` on the log interval. */
function designSteps(space: SearchSpace, rng: Rng, stepRange: readonly [number, number]): number {
  const grid = Math.floor((stepRange[1] - stepRange[0]) / space.steps.logEvery) + 1;
  return stepRange[0] + space.steps.logEvery * rng.int(grid);
}

/**
 * The `i`-th run of the initial design: the design's mixture `raw` (projected into the bounds;
 * a random candidate when the space lists them), a random scale, random steps of the range.
 */
function initialProposal(
  space: SearchSpace,
  rng: Rng,
  raw: number[],
  stepRange: readonly [number, number],
): Proposal {
  const mixture = designMixture(space, rng, raw);
  const scale = rng.choice(space.scales.map((x) => x.name));
  return { mixture, scale, steps: designSteps(space, rng, stepRange) };
}

/**
 * `initialDesign: 'nested'` (and the paired runs of `'half-nested'`): run `i` of a design of
 * pairs. Pair `p = floor(i / 2)` trains the design's mixture `p` for the same steps (uniform over
 * the range) at two sizes: a random one of the smaller half of the ladder by parameters (even
 * `i`) and a random one of the larger half (odd `i`); with an odd number of sizes the middle one
 * is in neither half, with one size both runs are at it. Each pair shows the fit directly how
 * much a mixture's effect changes with size, which a design of distinct mixtures at random sizes
 * leaves to the kernel's assumption. `rng` is the pair's.
 */
function nestedInitialProposal(
  space: SearchSpace,
  rng: Rng,
  design: readonly number[][],
  i: number,
  stepRange: readonly [number, number],
): Proposal {
  const p = i >> 1;
  const ladder = [...space.scales].sort((a, b) => a.params - b.params).map((x) => x.name);
  const half = Math.floor(ladder.length / 2);
  const lower = half > 0 ? ladder.slice(0, half) : ladder;
  const upper = half > 0 ? ladder.slice(ladder.length - half) : ladder;
  const mixture = [...designMixture(space, rng, design[p % design.length]!)];
  const steps = designSteps(space, rng, stepRange);
  const small = rng.choice(lower);
  const large = rng.choice(upper);
  return { mixture, scale: i % 2 === 0 ? small : large, steps };
}

/**
 * Step 0 (`verify`): the verification run when verification is on and has started
 * (`verifyFrom`), fewer than `verifyRuns` target runs reach the target steps, and (with
 * `verifyWhen: 'confident'`) the recommendation is worth verifying; else undefined.
 */
function verificationStep(
  history: History,
  space: SearchSpace,
  s: MfmsSettings,
  model: MfmsModel,
  xStar: (w: ArrayLike<number>) => number[],
  left: number,
  radius: number,
  batch: readonly Proposal[],
  probe?: {
    probes: number;
    zp: number;
    spread: number;
    optimist: number;
    explore: boolean;
    control?: readonly number[];
  },
): Proposal | undefined {
  if (!s.verify || !verificationStarted(history, s.verifyFrom)) return undefined;
  if (fullTargetRuns(history, space) >= s.verifyRuns) return undefined;
  if (probe !== undefined) {
    const pool = [...model.observed, model.wInc, model.rec.mixture];
    const p = probeProposal(history, space, model.gp, xStar, pool, {
      ...probe,
      left,
      radius,
      batch,
    });
    if (p === null) return undefined;
    if (p !== undefined) return p;
    const round = raceRound(history, s);
    if (round >= 2 && fullTargetRuns(history, space) > 0) {
      const q = laterRaceProposal(history, space, model.gp, xStar, pool, {
        ...probe,
        round,
        left,
        radius,
        batch,
      });
      if (q === null) return undefined;
      if (q !== undefined) return q;
    }
  }
  if (
    s.verifyWhen === 'confident' &&
    !worthVerifying(history, space, model.gp, xStar, model.rec.mixture, s.pSwitch)
  )
    return undefined;
  return verificationProposal(
    history,
    space,
    model.rec.mixture,
    left,
    radius,
    batch,
    s.minDistance,
  );
}

/** `probeRounds`: the latest race round started by the spend (1 before the second starts). */
export function raceRound(
  history: Pick<History, 'budget' | 'spent'>,
  s: Pick<MfmsSettings, 'probeRounds' | 'verifyFrom'>,
): number {
  if (s.probeRounds <= 1 || history.budget === undefined || !(history.budget > 0)) return 1;
  const share = history.spent / history.budget;
  let r = 1;
  for (let k = 2; k <= s.probeRounds; k++) {
    if (share >= s.verifyFrom + ((k - 1) * (1 - s.verifyFrom)) / s.probeRounds) r = k;
  }
  return r;
}

/** The acquisition of one `mfms-bo` instance. */
export interface MfmsAcquisition {
  /** The `i`-th run of the initial design. */
  initial(i: number): Proposal;
  /** The proposal `i` given the model and its GP (with fantasies), over affordable `pairs`. */
  propose(
    history: History,
    model: MfmsModel,
    gp: GaussianProcess,
    i: number,
    pairs: readonly FidelityPair[],
    left: number,
    batch?: readonly Proposal[],
  ): Proposal;
}

/** Builds the acquisition part of `mfms-bo` from its parsed settings. */
export function createMfmsAcquisition(opts: {
  space: SearchSpace;
  s: MfmsSettings;
  encoding: MfmsEncoding;
  root: Rng;
  /** The design's mixtures (scrambled Sobol on the simplex). */
  design: readonly number[][];
  /** The initial design's step range. */
  stepRange: readonly [number, number];
  /** The step grid of new runs and continuations. */
  steps: readonly number[];
  /** `nu(m)` per scale of a GP. */
  noiseByScale: (gp: GaussianProcess) => Map<string, number>;
}): MfmsAcquisition {
  const { space, s, encoding, root, design, stepRange, steps } = opts;
  const { xStar, enc } = encoding;
  const k = space.domains.length;
  const { target } = space;
  const tol = Math.max(s.minDistance, 1e-9);
  /** `verify`: a quarter of the rms L2 distance of two uniform Dirichlet mixtures. */
  const verifyRadius = 0.25 * rmsMixtureDistance(k);
  /** `probes`: the probe steps (the smallest step candidate at or above the share) and spread. */
  const probe =
    s.probes > 1
      ? {
          probes: s.probes,
          zp: steps.find((z) => z >= s.probeSteps * target.steps) ?? target.steps,
          optimist: s.probeOptimism,
          explore: s.probeExplore,
          ...(s.probeUniform ? { control: uniformControl(space) } : {}),
          spread: 0.5 * rmsMixtureDistance(k),
        }
      : undefined;

  const failedBefore = (history: History, w: readonly number[], scale: string, z: number) =>
    failedRunAt(history, w, scale, z, tol);
  const covered = (
    history: History,
    batch: readonly Proposal[],
    w: readonly number[],
    scale: string,
    z: number,
  ): boolean => coveredBy(history, batch, w, scale, z, tol);
  const candidates = (gp: GaussianProcess, model: MfmsModel, rng: Rng) =>
    candidateMixtures(gp, model, rng, space, s, xStar, encoding.targetProducts);

  /** Step 3: every new run and continuation, scored. */
  const scored = (
    history: History,
    model: MfmsModel,
    gp: GaussianProcess,
    cands: readonly number[][],
    choice: {
      pairs: readonly FidelityPair[];
      onlyTarget: boolean;
      alpha: number;
      left: number;
      batch: readonly Proposal[];
    },
  ): Option[] => {
    const nuAt = opts.noiseByScale(gp);
    const options: Option[] = [];
    const score = (w: readonly number[], xs: number[][], costs: number[], nu: number[]) =>
      targetScores(gp, xStar(w), xs, costs, model.muBest, choice.alpha, nu);
    for (const w of cands) {
      const ps = choice.pairs.filter((p) => !covered(history, choice.batch, w, p.scale, p.steps));
      if (ps.length === 0) continue;
      const sc = score(
        w,
        ps.map((p) => encodeInput(space, w, p.scale, p.steps, enc)),
        ps.map((p) => p.cost),
        ps.map((p) => nuAt.get(p.scale)!),
      );
      ps.forEach((p, j) => {
        options.push({ proposal: { mixture: w, scale: p.scale, steps: p.steps }, score: sc[j]! });
      });
    }
    if (!s.continuations) return options;
    for (const r of activeRuns(history)) {
      if (r.state !== 'completed' || (choice.onlyTarget && r.scale !== target.scale)) continue;
      const extra = (z2: number) => space.cost(r.scale, z2) - space.cost(r.scale, r.steps);
      const zs = steps.filter(
        (z2) =>
          z2 > r.steps &&
          extra(z2) > 0 &&
          extra(z2) <= choice.left &&
          !failedBefore(history, r.mixture, r.scale, z2),
      );
      if (zs.length === 0) continue;
      const sc = score(
        r.mixture,
        zs.map((z2) => encodeInput(space, r.mixture, r.scale, z2, enc)),
        zs.map(extra),
        zs.map(() => nuAt.get(r.scale)!),
      );
      zs.forEach((z2, j) => {
        options.push({
          proposal: { mixture: r.mixture, scale: r.scale, steps: z2, continues: r.id },
          score: sc[j]!,
        });
      });
    }
    return options;
  };

  /** Runs of the initial design in pairs: 'nested' all, 'half-nested' half (whole pairs). */
  const paired =
    s.initialDesign === 'nested'
      ? s.initial
      : s.initialDesign === 'half-nested'
        ? 2 * Math.floor(s.initial / 4)
        : 0;

  return {
    initial: (i) => {
      if (i < paired) {
        return nestedInitialProposal(
          space,
          root.fork('init-pair').fork(i >> 1),
          design,
          i,
          stepRange,
        );
      }
      const j = paired / 2 + (i - paired);
      return initialProposal(
        space,
        root.fork('init').fork(i),
        design[j % design.length]!,
        stepRange,
      );
    },
    propose(history, model, gp, i, pairsIn, leftIn, batch = []) {
      const rng = root.fork(i);
      const share = targetSharePairs(
        history,
        scaleSharePairs(
          history,
          pairsIn,
          s.maxScaleShare,
          target.scale,
          space.cost(target.scale, target.steps),
        ),
        targetShareNow(history, space, s, gp, encoding),
        target.scale,
      );
      const { onlyTarget } = share;
      const { pairs, left } = earlyCap(history, space, s, share.pairs, leftIn) ?? {
        pairs: share.pairs,
        left: leftIn,
      };
      const alpha = costExponentAt(s, history, i);
      if (s.acquisition === 'paper') {
        const search = { starts: s.starts, rawSamples: s.rawSamples, initial: [model.wInc] };
        const step = { pairs, best: model.bestRaw, alpha, rng, search };
        return costAwareProposal(gp, space, step, enc).proposal;
      }
      const v = verificationStep(history, space, s, model, xStar, left, verifyRadius, batch, probe);
      if (v !== undefined) return v;
      const { cands, eiW } = candidates(gp, model, rng);
      let best: Option | undefined;
      for (const o of scored(history, model, gp, cands, {
        pairs,
        onlyTarget,
        alpha,
        left,
        batch,
      })) {
        if (best === undefined || o.score > best.score) best = o;
      }
      if (best !== undefined && Number.isFinite(best.score)) return best.proposal;
      // Step 4: nothing scores (the model sees no possible improvement anywhere): explore.
      const atTarget = pairs.some((p) => p.scale === target.scale && p.steps === target.steps);
      if (atTarget && !covered(history, batch, eiW, target.scale, target.steps)) {
        return { mixture: eiW, scale: target.scale, steps: target.steps };
      }
      return explorationProposal(history, space, pairs, rng, failedBefore);
    },
  };
}
