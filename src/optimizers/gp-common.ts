/**
 * Pieces shared by the GP-based optimisers (`bo`, `mf-bo`, `mfms-bo`,
 * `mfms-bo:paper`): settings validation, budget and pending-run handling,
 * capped observation sets, the initial design, and the surrogate fit.
 *
 * Notation:
 * - `k` domains; GP inputs `x = [w, s, t]` (see encoding.ts), `d = k + 2`.
 * - `y` observations in the minimisation convention.
 * - `n_max` cap on the number of GP observations (`maxObservations`).
 */
import { z } from 'zod';
import {
  activeRuns,
  type History,
  type Proposal,
  type Rng,
  type RunRecord,
  type SearchSpace,
  ValidationError,
} from '../core/index.ts';
import {
  conditionGP,
  fitGP,
  type GaussianProcess,
  type GPHyperparameters,
  type GPOptions,
  type KernelSpec,
} from '../gp/index.ts';
import {
  type EncodingOptions,
  encodeInput,
  type ObservationOptions,
  type Observations,
  observationsFromHistory,
  thinIndices,
} from './encoding.ts';
import { PAPER_STEP_FRACTIONS, roundSteps } from './fidelity-grid.ts';
import { sampleMixture } from './sample-mixture.ts';

/**
 * Settings fields shared, with the paper's defaults, by the cost-aware methods
 * (`mf-bo`, `mfms-bo`, `mfms-bo:paper`): the cost exponent `alpha_t = alpha0 * decay^t`,
 * the gradient starts of the simplex search, and the step candidates as fractions of the
 * maximum steps.
 */
export const costAwareSettings = {
  alpha0: z.number().min(0).default(1),
  decay: z.number().gt(0).max(1).default(0.99),
  starts: z.number().int().min(1).default(5),
  stepFractions: z
    .array(z.number().gt(0).max(1))
    .min(1)
    .default([...PAPER_STEP_FRACTIONS]),
};

/**
 * Parses method settings with a strict zod schema.
 * @throws ValidationError listing every bad or unknown key, with the method name.
 */
export function parseSettings<T>(
  method: string,
  schema: z.ZodType<T>,
  settings: Readonly<Record<string, unknown>> | undefined,
): T {
  const r = schema.safeParse(settings ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const path = i.path.join('.');
    return path === '' ? i.message : `${path}: ${i.message}`;
  });
  throw new ValidationError(`invalid settings for optimiser '${method}': ${issues.join('; ')}`, {
    method,
    issues,
  });
}

/** @throws ValidationError unless `n` is a positive integer. */
export function checkBatch(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new ValidationError(`propose needs n >= 1 runs, got ${String(n)}`, { n });
  }
}

/**
 * Budget left (infinite when the history has none): the budget less what was
 * spent and what the pending and running runs will cost when they finish.
 */
export function remainingBudget(history: History): number {
  if (history.budget === undefined) return Number.POSITIVE_INFINITY;
  let committed = 0;
  for (const r of pendingRuns(history)) committed += r.cost;
  return history.budget - history.spent - committed;
}

/** Runs proposed but not finished: their outcome is fantasised (kriging believer). */
export function pendingRuns(history: History): RunRecord[] {
  return activeRuns(history).filter((r) => r.state === 'pending' || r.state === 'running');
}

/**
 * Observations with at most `maxObservations` rows: each run keeps
 * `max(1, floor(n_max / runs))` points of its curve (always its last one); if
 * there are more runs than `n_max`, only final values are kept, of `n_max`
 * runs: the ⌈n_max/2⌉ best final values (the incumbent's region), and an
 * evenly spaced subset, in history order, of the others (coverage). The cap is
 * what bounds the cost of a proposal (O(n³)) however many cheap runs a budget
 * buys.
 */
export function cappedObservations(
  space: SearchSpace,
  history: History,
  maxObservations: number,
  options: ObservationOptions = {},
  keep: 'best-and-spread' | 'spread' = 'best-and-spread',
): Observations {
  const all = observationsFromHistory(space, history, options);
  if (all.n <= maxObservations) return all;
  const runs = new Set(all.points.map((p) => p.runId)).size;
  const per = Math.max(1, Math.floor(maxObservations / runs));
  const capped = observationsFromHistory(space, history, {
    ...options,
    ...(per === 1 ? { curves: 'final' as const } : { maxPointsPerRun: per }),
  });
  return capped.n <= maxObservations ? capped : bestAndSpread(capped, maxObservations, keep);
}

/**
 * `m` rows of `obs` (one per run): the ⌈m/2⌉ smallest y, then an even spread of the rest; with
 * `keep: 'spread'` an even spread of all rows (in history order), so the rows kept do not depend
 * on their values (on noisy data, keeping the smallest keeps the luckiest runs).
 */
function bestAndSpread(
  obs: Observations,
  m: number,
  mode: 'best-and-spread' | 'spread',
): Observations {
  const keep = new Set<number>();
  if (mode === 'best-and-spread') {
    const order = Array.from({ length: obs.n }, (_, i) => i).sort(
      (a, b) => obs.y[a]! - obs.y[b]! || a - b,
    );
    for (const i of order.slice(0, Math.ceil(m / 2))) keep.add(i);
  }
  const rest = Array.from({ length: obs.n }, (_, i) => i).filter((i) => !keep.has(i));
  for (const j of thinIndices(rest.length, m - keep.size)) keep.add(rest[j]!);
  const rows = [...keep].sort((a, b) => a - b);
  const { d } = obs;
  const X = new Float64Array(rows.length * d);
  rows.forEach((r, q) => {
    X.set(obs.X.subarray(r * d, (r + 1) * d), q * d);
  });
  return {
    X,
    y: Float64Array.from(rows, (r) => obs.y[r]!),
    n: rows.length,
    d,
    points: rows.map((r) => obs.points[r]!),
  };
}

/** The paper's initial step range, 100..900 steps of 19,700, scaled to the space's range. */
export function initialStepRange(space: SearchSpace): [number, number] {
  const lo = roundSteps(space, Math.max(space.steps.min, space.steps.logEvery));
  const hi = Math.max(lo, roundSteps(space, (900 / 19700) * space.steps.max));
  return [lo, hi];
}

/**
 * One run of the paper's initial design: `w ~ Dirichlet(1)` (within bounds),
 * a scale uniform over `scales`, steps uniform over `[lo, hi]` rounded to the log interval.
 */
export function initialRun(
  space: SearchSpace,
  rng: Rng,
  scales: readonly string[],
  stepRange: [number, number],
): Proposal {
  const mixture = sampleMixture(rng, space);
  const scale = rng.choice(scales);
  const grid = Math.floor((stepRange[1] - stepRange[0]) / space.steps.logEvery) + 1;
  const steps = stepRange[0] + space.steps.logEvery * rng.int(grid);
  return { mixture, scale, steps };
}

/** Product kernel `k_w(w) * k_s(s) * k_t(t)` over the MFMS input layout. */
export function mfmsKernel(
  k: number,
  wKind: 'rbf' | 'matern52',
  fidelityKind: 'rbf' | 'matern52',
  ard: boolean,
  dims: { size: boolean; steps: boolean } = { size: true, steps: true },
): KernelSpec {
  const terms: KernelSpec[] = [{ kind: wKind, dims: Array.from({ length: k }, (_, i) => i), ard }];
  if (dims.size) terms.push({ kind: fidelityKind, dims: [k] });
  if (dims.steps) terms.push({ kind: fidelityKind, dims: [k + 1] });
  return terms.length === 1 ? terms[0]! : { kind: 'product', terms };
}

/** Fit (with optional warm start) or condition a GP on `obs`. */
export function surrogate(
  obs: Observations,
  options: GPOptions,
  mode: { fit: true; warmStart?: GPHyperparameters } | { fit: false; hyper: GPHyperparameters },
): GaussianProcess {
  if (mode.fit) {
    return fitGP(obs.X, obs.y, obs.d, {
      ...options,
      ...(mode.warmStart !== undefined ? { warmStart: mode.warmStart } : {}),
    });
  }
  return conditionGP(obs.X, obs.y, obs.d, options, mode.hyper);
}

/**
 * A GP for a view that must not touch an optimiser's fit state: conditioned on the stored
 * hyper-parameters, or fitted (and not stored) when there are none yet.
 */
export function viewSurrogate(
  obs: Observations,
  options: GPOptions,
  hyper: GPHyperparameters | undefined,
): GaussianProcess {
  return hyper === undefined
    ? surrogate(obs, options, { fit: true })
    : surrogate(obs, options, { fit: false, hyper });
}

/**
 * Adds the pending runs as fantasies (kriging believer: observed at the
 * posterior mean) at their planned fidelity, so that parallel workers do not
 * get the same proposal.
 */
export function withFantasies(
  gp: GaussianProcess,
  space: SearchSpace,
  pending: readonly { mixture: readonly number[]; scale: string; steps: number }[],
  enc: EncodingOptions,
): GaussianProcess {
  let out = gp;
  for (const p of pending) {
    const x = encodeInput(space, p.mixture, p.scale, p.steps, enc);
    const mean = out.predict(Float64Array.from(x)).mean[0]!;
    out = out.addObservation(x, mean);
  }
  return out;
}

/** Best (smallest) observed `y` in the minimisation convention, over rows passing `keep`. */
export function bestObserved(obs: Observations, keep: (i: number) => boolean = () => true): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < obs.n; i++) if (keep(i)) best = Math.min(best, obs.y[i]!);
  return best;
}
