/**
 * Pieces of the {@link SurrogateView} of the GP optimisers: predictions of the
 * study metric from a fitted GP, and the predicted best mixture at a fidelity.
 *
 * Notation:
 * - `k` domains; GP input `x(w; m, z) = [w, s(m), t(z)]` (see encoding.ts).
 * - `mu(x)`, `C(x, x')` posterior mean and covariance of the LATENT f, in the
 *   minimisation convention (`y = sign * metric`, `sign = +1` when minimising,
 *   `-1` when maximising); `sigma^2(x) = C(x, x)`.
 * - Prediction of the metric: `mean = sign * mu`, `std = sigma`,
 *   90% interval `mean -/+ z90 * std` with `z90 = Phi^-1(0.95) = 1.6448536...`.
 *   The interval is for the latent value (the noise-free metric the model
 *   believes in), not for a new noisy observation.
 * - Covariance of the metric at two inputs: `sign^2 * C = C`.
 */
import {
  type MixtureProduct,
  maximizeOverSimplex,
  negativeMeanObjective,
} from '../acquisition/index.ts';
import {
  type Direction,
  type Fidelity,
  type History,
  type Mixture,
  type Prediction,
  type Recommendation,
  type Rng,
  type SearchSpace,
  type SurrogateJoint,
  type SurrogateView,
  ValidationError,
} from '../core/index.ts';
import type { GaussianProcess } from '../gp/index.ts';
import { type EncodingOptions, encodeInput } from './encoding.ts';

/**
 * A fidelity a surrogate view can predict at: a scale of the ladder and steps > 0.
 * @throws ValidationError naming the fidelity and the ladder otherwise
 */
export function checkFidelity(scales: readonly string[], f: Fidelity): void {
  if (!scales.includes(f.scale) || !(f.steps > 0)) {
    throw new ValidationError(
      `cannot predict at (${f.scale}, ${String(f.steps)} steps): the scale must be one of ${scales.join(', ')} and steps > 0`,
      { fidelity: f },
    );
  }
}

/** `Phi^-1(0.95)`: half-width of a 90% normal interval in standard deviations. */
export const Z90 = 1.6448536269514722;

/**
 * A {@link Prediction} in the metric's units and direction from a latent mean
 * `mu` (minimisation convention) and variance `v` (clamped at 0):
 * `mean = sign * mu`, `std = sqrt(v)`, `[mean - z90 std, mean + z90 std]`.
 */
export function toPrediction(mu: number, v: number, direction: Direction): Prediction {
  const mean = direction === 'minimize' ? mu : -mu;
  const std = Math.sqrt(Math.max(v, 0));
  return { mean, std, lower: mean - Z90 * std, upper: mean + Z90 * std };
}

/**
 * Joint latent posterior of the GP at the encoded inputs `xs` (each of length
 * `d`), as metric predictions and their covariance (row-major `m x m`, metric
 * units squared, latent: no observation noise).
 * @throws ValidationError (from the GP) on malformed inputs
 */
export function jointPrediction(
  gp: GaussianProcess,
  xs: readonly (readonly number[])[],
  direction: Direction,
): SurrogateJoint {
  const d = gp.d;
  const X = new Float64Array(xs.length * d);
  for (let r = 0; r < xs.length; r++) X.set(xs[r]!, r * d);
  if (xs.length === 0) return { predictions: [], covariance: new Float64Array(0) };
  const p = gp.predict(X);
  const covariance = gp.covariance(X);
  const m = xs.length;
  const predictions = xs.map((_, r) => toPrediction(p.mean[r]!, covariance[r * m + r]!, direction));
  return { predictions, covariance };
}

/**
 * The predicted best mixture at one fidelity: `argmin_w mu(x(w))` over the
 * `observed` mixtures, then (when the space is continuous) a 2-start
 * L-BFGS-B search of `-mu` over the simplex from the two best observed ones.
 * This is the incumbent search of `mfms-bo` (its recommendation at the
 * target), usable at any fidelity. `xAt(w)` encodes `w` at the fidelity; `products` its
 * columns that are a weight times a factor of the fidelity (encoding.ts `mixtureProducts`).
 * @returns the mixture and its latent mean (minimisation convention)
 */
export function predictedArgmin(
  gp: GaussianProcess,
  space: SearchSpace,
  observed: readonly (readonly number[])[],
  xAt: (w: ArrayLike<number>) => number[],
  rng: Rng,
  products: readonly MixtureProduct[] = [],
): { w: number[]; mean: number } {
  const k = space.domains.length;
  const d = gp.d;
  const Xs = new Float64Array(observed.length * d);
  for (let r = 0; r < observed.length; r++) Xs.set(xAt(observed[r]!), r * d);
  const pred = gp.predict(Xs);
  const order = observed.map((_, r) => r).sort((a, b) => pred.mean[a]! - pred.mean[b]!);
  let w = [...observed[order[0]!]!];
  let mean = pred.mean[order[0]!]!;
  if (space.candidates === undefined) {
    const r = maximizeOverSimplex(negativeMeanObjective(gp, xAt(w), k, products), k, {
      starts: 2,
      rng,
      initial: order.slice(0, 2).map((r2) => observed[r2]!),
      ...(space.bounds !== undefined ? { bounds: space.bounds } : {}),
    });
    if (-r.value < mean) {
      mean = -r.value;
      w = r.w;
    }
  }
  return { w, mean };
}

/** The distinct mixtures of a list of observation points, in first-seen order. */
export function distinctMixtures(points: readonly { mixture: Mixture }[]): number[][] {
  const seen = new Map<string, readonly number[]>();
  for (const p of points) seen.set(p.mixture.join(','), p.mixture);
  return [...seen.values()].map((w) => [...w]);
}

/** A fitted surrogate for the view of one history. */
export interface ViewFit {
  readonly gp: GaussianProcess | undefined;
  /** Distinct observed mixtures the GP was fitted to. */
  readonly observed: readonly (readonly number[])[];
}

/**
 * A {@link SurrogateView} over a GP that models only some fidelities (`bo`:
 * the target only; `mf-bo`: the target scale at any steps). `fit(history)`
 * builds the GP without touching the optimiser's state (it is called with the
 * current `stamp()`, e.g. the stored hyper-parameters, and cached per history
 * and stamp). At a fidelity the GP does not model, `predictAt` is empty,
 * `predictJoint` and `recommendAt` undefined: nothing is claimed there.
 * `recommendAt(f)` = {@link predictedArgmin} at `f`, rng
 * `root.fork('incumbent-at').fork('scale@steps').fork(history.runs.length)`.
 * `check(f)`, when given, validates a fidelity once a GP exists (e.g. {@link checkFidelity}).
 */
export function partialView(opts: {
  space: SearchSpace;
  root: Rng;
  enc: EncodingOptions;
  models: (f: Fidelity) => boolean;
  stamp: () => unknown;
  fit: (history: History) => ViewFit;
  check?: (f: Fidelity) => void;
}): Required<SurrogateView> {
  const { space, root, enc } = opts;
  let cache: { key: string; stamp: unknown; fit: ViewFit } | undefined;
  const fitFor = (history: History): ViewFit => {
    const key = historyKey(history);
    const stamp = opts.stamp();
    if (cache?.key === key && cache.stamp === stamp) return cache.fit;
    const fit = opts.fit(history);
    cache = { key, stamp, fit };
    return fit;
  };
  const xAt = (f: Fidelity) => (w: ArrayLike<number>) =>
    encodeInput(space, w, f.scale, f.steps, enc);
  const predictJoint = (
    history: History,
    mixtures: readonly Mixture[],
    f: Fidelity,
  ): SurrogateJoint | undefined => {
    if (!opts.models(f)) return undefined;
    const { gp } = fitFor(history);
    if (gp === undefined) return undefined;
    opts.check?.(f);
    return jointPrediction(gp, mixtures.map(xAt(f)), space.metric.direction);
  };
  return {
    predictJoint,
    predictAt: (history, mixtures, f) => predictJoint(history, mixtures, f)?.predictions ?? [],
    recommendAt(history: History, f: Fidelity): Recommendation | undefined {
      if (!opts.models(f)) return undefined;
      const { gp, observed } = fitFor(history);
      if (gp === undefined || observed.length === 0) return undefined;
      opts.check?.(f);
      const key = `${f.scale}@${f.steps}`;
      const rng = root.fork('incumbent-at').fork(key).fork(history.runs.length);
      const best = predictedArgmin(gp, space, observed, xAt(f), rng);
      const p = gp.predict(Float64Array.from(xAt(f)(best.w)));
      return {
        mixture: best.w,
        predicted: toPrediction(p.mean[0]!, p.variance[0]!, space.metric.direction),
        basis: `argmin of the predicted value at (${f.scale}, ${f.steps} steps) (observed mixtures and a search)`,
      };
    },
  };
}

/** A key identifying a history's content (run ids, states and curve lengths). */
export function historyKey(h: History): string {
  return `${h.runs.length}|${h.runs.map((r) => `${r.id}:${r.state}:${r.curve.length}`).join(',')}`;
}
