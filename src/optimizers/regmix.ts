/**
 * RegMix (Liu et al. 2024, "RegMix: Data Mixture as Regression for Language
 * Model Pre-training", arXiv 2407.01492) as a baseline: many small runs on
 * random mixtures, a regression of their metric on the mixture, then the
 * mixture predicted best trained at the target.
 *
 * Notation: `k` domains; `B` the budget (`history.budget`); `c_s = c(m_s, z_s)`
 * the cost of one small run (by default the smallest scale `m_s` for the
 * target's steps `z_s = z*`); `c_t = c(m*, z*)`; `f` the share of the budget
 * spent on small runs (`fraction`, default 0.5).
 *
 * 1. Small runs: `N = min(⌊f·B / c_s⌋, ⌊(B − c_t) / c_s⌋)` (at least 0; the
 *    second term keeps one target run affordable), or `smallRuns` when given,
 *    or 64 when the history has no budget. Small run `i` trains
 *    `w ~ Dirichlet(α·1)` with `α` log-uniform in `concentration` (default
 *    [0.1, 5], RegMix's range), drawn from `Rng(seed).fork('regmix').fork('small').fork(i)`;
 *    bounds by rejection, then projection; replay spaces draw a candidate.
 * 2. Regression: gradient-boosted trees (src/gbt; RegMix uses LightGBM) of
 *    the small runs' final value on `w`, with the settings in `gbt`.
 * 3. Prediction: over `candidates` (default 20,000) mixtures drawn like the
 *    small runs from `fork('candidates')` (for a replay space: its candidate
 *    mixtures); ranked best first.
 * 4. Target runs: the first trains the mean of the `topK` (default 100) best
 *    predicted mixtures (RegMix's averaging; top-1 in a replay space); the
 *    j-th one after it, the j-th best predicted mixture, while the budget lasts.
 *
 * Recommendation: the best completed target run; before one exists, the
 * first target mixture of step 4 from a model of the first `2^⌊log2 n⌋` of
 * the `n` small runs observed so far (all `N` once they are done): refitting
 * at doublings keeps the benchmark's per-run recommendation cheap; before any
 * small run, the best observed run (./observed.ts).
 *
 * Deterministic from (seed, history): the model of a set of small runs is
 * cached by their ids and refitted identically when absent.
 */
import { z } from 'zod';
import {
  activeRuns,
  type History,
  type Mixture,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  type Recommendation,
  Rng,
  type RunRecord,
  ValidationError,
} from '../core/index.ts';
import { fitGbt, predictGbt } from '../gbt/index.ts';
import { checkBatch, parseSettings } from './gp-common.ts';
import { bestTargetRun, recommendBestObserved, valueAt } from './observed.ts';
import { projectToSpace, withinBounds } from './sample-mixture.ts';

/** Settings of `regmix` (all optional). */
export const RegMixSettingsSchema = z.strictObject({
  /** Share of the budget spent on small runs (default 0.5). */
  fraction: z.number().gt(0).lt(1).default(0.5),
  /** Number of small runs, overriding `fraction`. */
  smallRuns: z.number().int().min(0).optional(),
  /** Scale of the small runs (default: the smallest of the ladder). */
  scale: z.string().optional(),
  /** Steps of the small runs (default: the target's steps). */
  steps: z.number().int().positive().optional(),
  /** Range of the Dirichlet concentration α, drawn log-uniformly per mixture (default [0.1, 5]). */
  concentration: z.tuple([z.number().gt(0), z.number().gt(0)]).default([0.1, 5]),
  /** Mixtures scored by the regression (default 20,000). */
  candidates: z.number().int().min(1).default(20_000),
  /** Best predicted mixtures averaged for the first target run (default 100). */
  topK: z.number().int().min(1).default(100),
  /** Gradient-boosted trees (src/gbt). */
  gbt: z
    .strictObject({
      nEstimators: z.number().int().min(1).default(100),
      learningRate: z.number().gt(0).max(1).default(0.1),
      maxDepth: z.number().int().min(1).default(3),
      minSamplesLeaf: z.number().int().min(1).default(2),
      subsample: z.number().gt(0).max(1).default(0.8),
    })
    .prefault({}),
});
export type RegMixSettings = z.infer<typeof RegMixSettingsSchema>;

/** Runs without a budget: small runs made before the regression (documented default). */
const SMALL_RUNS_WITHOUT_BUDGET = 64;

/** The checked settings of one regmix instance and the small fidelity they pick. */
interface RegMixPlan {
  readonly s: RegMixSettings;
  readonly k: number;
  readonly smallScale: string;
  readonly smallSteps: number;
  /** The concentration range of the Dirichlet draws. */
  readonly aLo: number;
  readonly aHi: number;
}

/** Parses and checks the settings. @throws ValidationError naming the bad setting. */
function regMixPlan(ctx: OptimizerContext): RegMixPlan {
  const { space } = ctx;
  const s = parseSettings('regmix', RegMixSettingsSchema, ctx.settings);
  const k = space.domains.length;
  const smallScale = s.scale ?? space.scales[0]?.name ?? space.target.scale;
  if (!space.scales.some((x) => x.name === smallScale)) {
    throw new ValidationError(
      `regmix setting scale '${smallScale}' is not on the ladder; use one of ${space.scales.map((x) => x.name).join(', ')}`,
    );
  }
  const smallSteps = s.steps ?? space.target.steps;
  if (smallSteps < space.steps.min || smallSteps > space.steps.max) {
    throw new ValidationError(
      `regmix setting steps ${smallSteps} is outside ${space.steps.min}..${space.steps.max}`,
    );
  }
  const [aLo, aHi] = s.concentration;
  if (aLo > aHi) {
    throw new ValidationError(
      `regmix setting concentration [${aLo}, ${aHi}] is empty; give [low, high] with low <= high`,
    );
  }
  return { s, k, smallScale, smallSteps, aLo, aHi };
}

/**
 * Target mixtures in proposal order for a model of the small `runs`: the pool ranked by a
 * boosted-tree regression of their values (best first), led by the mean of the top `topK`
 * unless the space has fixed candidates.
 */
function rankTargets(
  ctx: OptimizerContext,
  plan: RegMixPlan,
  pool: { X: Float64Array; mixtures: Mixture[] },
  runs: readonly RunRecord[],
): Mixture[] {
  const { space } = ctx;
  const { s, k, smallSteps } = plan;
  const { X, mixtures } = pool;
  let pred: Float64Array;
  if (runs.length === 0) pred = new Float64Array(mixtures.length);
  else {
    const Xt = new Float64Array(runs.length * k);
    runs.forEach((r, i) => {
      Xt.set(r.mixture, i * k);
    });
    const y = runs.map((r) => valueAt(r, smallSteps) as number);
    const model = fitGbt(Xt, runs.length, k, y, { ...s.gbt, seed: ctx.seed });
    pred = predictGbt(model, X);
  }
  const sign = space.metric.direction === 'minimize' ? 1 : -1;
  const ranked = mixtures
    .map((_, i) => i)
    .sort((a, b) => sign * ((pred[a] as number) - (pred[b] as number)) || a - b)
    .map((i) => mixtures[i] as Mixture);
  if (space.candidates !== undefined && space.candidates.length > 0) return ranked;
  const top = ranked.slice(0, Math.min(s.topK, ranked.length));
  const mean = new Array<number>(k).fill(0);
  for (const w of top)
    for (let j = 0; j < k; j++) mean[j] = (mean[j] as number) + (w[j] as number) / top.length;
  // Renormalise away rounding so the mean lies on the simplex to machine precision.
  const sum = mean.reduce((a, b) => a + b, 0);
  return [mean.map((x) => x / sum), ...ranked];
}

/** Builds the `regmix` optimiser (see the module comment). @throws ValidationError for bad settings. */
export function createRegMix(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const plan = regMixPlan(ctx);
  const { s, k, smallScale, smallSteps, aLo, aHi } = plan;
  const root = new Rng(ctx.seed).fork('regmix');
  const smallCost = space.cost(smallScale, smallSteps);
  const targetCost = space.cost(space.target.scale, space.target.steps);

  const draw = (rng: Rng): number[] => {
    if (space.candidates !== undefined && space.candidates.length > 0) {
      return [...rng.choice(space.candidates)];
    }
    const alpha = aLo * (aHi / aLo) ** rng.uniform();
    let w = rng.dirichlet(alpha, k);
    if (space.bounds === undefined) return w;
    for (let t = 0; t < 200 && !withinBounds(w, space); t++) w = rng.dirichlet(alpha, k);
    return withinBounds(w, space) ? w : projectToSpace(w, space.bounds);
  };

  let pool: { X: Float64Array; mixtures: Mixture[] } | undefined;
  const candidatePool = (): { X: Float64Array; mixtures: Mixture[] } => {
    if (pool !== undefined) return pool;
    const mixtures: Mixture[] =
      space.candidates !== undefined && space.candidates.length > 0
        ? space.candidates.map((w) => [...w])
        : Array.from({ length: s.candidates }, (_, i) => draw(root.fork('candidates').fork(i)));
    const X = new Float64Array(mixtures.length * k);
    mixtures.forEach((w, i) => {
      X.set(w, i * k);
    });
    pool = { X, mixtures };
    return pool;
  };

  const isSmall = (r: RunRecord): boolean => r.scale === smallScale && r.steps === smallSteps;
  const isTarget = (r: RunRecord): boolean =>
    r.scale === space.target.scale && r.steps === space.target.steps;
  const smallObservations = (h: History): RunRecord[] =>
    activeRuns(h).filter(
      (r) => r.state === 'completed' && isSmall(r) && valueAt(r, smallSteps) !== undefined,
    );

  const plannedSmall = (h: History): number => {
    if (s.smallRuns !== undefined) return s.smallRuns;
    if (h.budget === undefined) return SMALL_RUNS_WITHOUT_BUDGET;
    if (!(smallCost > 0)) return SMALL_RUNS_WITHOUT_BUDGET;
    const byShare = Math.floor((s.fraction * h.budget) / smallCost + 1e-9);
    const byRoom = Math.floor((h.budget - targetCost) / smallCost + 1e-9);
    return Math.max(0, Math.min(byShare, byRoom));
  };

  /** Target mixtures in proposal order for a model of `runs`. */
  const cache = new Map<string, Mixture[]>();
  const targetOrder = (runs: readonly RunRecord[]): Mixture[] => {
    const key = runs.map((r) => r.id).join(',');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const order = rankTargets(ctx, plan, candidatePool(), runs);
    if (cache.size > 32) cache.clear();
    cache.set(key, order);
    return order;
  };

  return {
    name: 'regmix',
    propose(history: History, n: number): Proposal[] {
      checkBatch(n);
      const runs = activeRuns(history);
      const N = plannedSmall(history);
      let small = history.runs.filter(isSmall).length;
      let targets = runs.filter(isTarget).length;
      const out: Proposal[] = [];
      for (let j = 0; j < n; j++) {
        if (small < N) {
          out.push({
            mixture: draw(root.fork('small').fork(small)),
            scale: smallScale,
            steps: smallSteps,
          });
          small++;
          continue;
        }
        const order = targetOrder(smallObservations(history));
        out.push({
          mixture: [...(order[targets % order.length] as Mixture)],
          scale: space.target.scale,
          steps: space.target.steps,
        });
        targets++;
      }
      return out;
    },
    recommend(history: History): Recommendation | undefined {
      if (bestTargetRun(history, space) !== undefined) return recommendBestObserved(history, space);
      const obs = smallObservations(history);
      if (obs.length === 0) return recommendBestObserved(history, space);
      const N = plannedSmall(history);
      const m = obs.length >= N ? obs.length : 2 ** Math.floor(Math.log2(obs.length));
      const first = targetOrder(obs.slice(0, m))[0] as Mixture;
      return {
        mixture: [...first],
        basis: `RegMix: ${space.candidates !== undefined ? 'the best' : `the mean of the top ${s.topK}`} predicted mixture(s) of a boosted-tree regression on ${m} small run(s) at ${smallScale}, ${smallSteps} steps`,
      };
    },
  };
}
