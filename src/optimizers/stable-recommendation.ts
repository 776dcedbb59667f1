/**
 * The stable recommendation rule of `mfms-bo`: recommend the mixture predicted
 * best AT THE TARGET, and change it only on evidence.
 *
 * Notation (minimisation convention, latent GP values at the target `x*(w)`):
 * - `C` candidate mixtures: the distinct observed mixtures, plus the model's
 *   own argmin `w_s` of the predicted target value when it is confidently
 *   better than every observed one (`mu(w_s) + sd(w_s) < min_obs mu`);
 * - `c = argmin_{w in C} mu(x*(w)) + risk * sd(x*(w))` the challenger (`risk = 0`:
 *   the smallest mean; `risk = 1`: the smallest upper bound, so a mixture known only
 *   from far-off fidelities does not win on its mean alone);
 * - `r` the incumbent (the previous recommendation, when there is one);
 * - `P(c < r) = Phi((mu_r - mu_c) / sqrt(v_c + v_r - 2 C_cr))` from the joint
 *   posterior of the two target values (so a shared error of the model, e.g.
 *   both extrapolated from the same small runs, cancels).
 *
 * Rule: recommend `c` when there is no incumbent, when the incumbent is no
 * longer a candidate, or when `P(c < r) >= pSwitch`; else keep `r`. With
 * `againstMean`, also when `P(c < mu_r) = Phi((mu_r - mu_c) / sd_c) >= pSwitch`:
 * the challenger is confidently better than the incumbent's predicted value, so
 * an incumbent the model knows poorly (large `sd_r`) is not kept by its own
 * uncertainty. An
 * `anchor` (e.g. the uniform mixture) is a candidate like an observed one and
 * the incumbent until there is another, so the rule leaves it only on evidence. Raw
 * observed values never enter: a 1B partial run is never compared against a
 * 20M run, and a completed target run is one more observation in the GP
 * (evidence, not a noisy minimum to chase).
 *
 * With `inflate = c` every target variance and covariance above is multiplied by `c` (a
 * calibration of the model's confidence; see mfms-calibration.ts).
 *
 * `P(best)` of the recommendation: the share of `samples` joint draws of the
 * target values of the top `top` candidates (by mean, with the recommendation)
 * in which the recommendation is the smallest (a seeded Monte Carlo estimate).
 */
import type { Rng } from '../core/index.ts';
import type { GaussianProcess } from '../gp/index.ts';
import { cholesky, normCdf } from '../linalg/index.ts';

/** Inputs of {@link stableRecommendation}. */
export interface StableInput {
  readonly gp: GaussianProcess;
  /** Encodes a mixture at the target fidelity. */
  readonly xStar: (w: ArrayLike<number>) => number[];
  /** Distinct observed mixtures (at least one). */
  readonly observed: readonly (readonly number[])[];
  /**
   * A default mixture that is always a candidate, as if observed (e.g. the uniform mixture):
   * with no incumbent it is the incumbent, so the rule leaves it only on evidence.
   */
  readonly anchor?: readonly number[];
  /** The model's argmin of the predicted target value, when searched. */
  readonly searched?: { readonly w: readonly number[] };
  /** The previous recommendation, if any. */
  readonly incumbent?: readonly number[];
  /** Switch threshold on `P(challenger better than incumbent)`. */
  readonly pSwitch: number;
  /** Also switch when `P(challenger < the incumbent's predicted value) >= pSwitch` (default false). */
  readonly againstMean?: boolean;
  /**
   * The challenger is the smallest `mu + risk * sd` (default 0: the smallest mean); with
   * `risk > 0` a mixture the model knows only from far-off fidelities (large sd at the target)
   * does not become the challenger on its mean alone.
   */
  readonly risk?: number;
  /**
   * Multiplies every posterior variance and covariance of the target values (default 1): a
   * calibration of the model's confidence from how well it predicted held-out runs.
   */
  readonly inflate?: number;
  /** Rng of the P(best) estimate. */
  readonly rng: Rng;
  /** Candidates in the P(best) estimate (default 8). */
  readonly top?: number;
  /** Monte Carlo draws of the P(best) estimate (default 512). */
  readonly samples?: number;
}

/** The rule's answer (latent values, minimisation convention). */
export interface StableChoice {
  readonly mixture: number[];
  readonly mean: number;
  readonly sd: number;
  /** Estimated probability that it is the best of the leading candidates at the target (absent when the joint covariance cannot be factorised). */
  readonly pBest?: number;
  /** Whether the incumbent was replaced (or there was none). */
  readonly changed: boolean;
  /** `P(challenger < incumbent)` when both existed and differ. */
  readonly pBetter?: number;
  readonly basis: string;
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-12);

/** Applies the rule (see the module comment). */
export function stableRecommendation(input: StableInput): StableChoice {
  const { gp, xStar, observed } = input;
  const d = gp.d;
  const cands: (readonly number[])[] = [...observed];
  if (input.anchor !== undefined && !cands.some((w) => same(w, input.anchor!))) {
    cands.push(input.anchor);
  }
  const incumbent = input.incumbent ?? input.anchor;
  let incIndex = -1;
  if (incumbent !== undefined) incIndex = cands.findIndex((w) => same(w, incumbent));
  const nObs = cands.length;
  if (input.searched !== undefined) cands.push(input.searched.w);
  const X = new Float64Array(cands.length * d);
  cands.forEach((w, r) => {
    X.set(xStar(w), r * d);
  });
  const p = gp.predict(X);
  const c = input.inflate ?? 1;
  const sd = (r: number) => Math.sqrt(c * Math.max(p.variance[r]!, 0));
  const risk = input.risk ?? 0;
  const key = (r: number) => p.mean[r]! + risk * sd(r);
  let best = 0;
  for (let r = 1; r < nObs; r++) if (key(r) < key(best)) best = r;
  if (input.searched !== undefined) {
    const r = nObs;
    if (p.mean[r]! + sd(r) < p.mean[best]!) best = r;
  }
  let chosen = best;
  let changed = true;
  let pBetter: number | undefined;
  if (incIndex >= 0 && incIndex !== best) {
    const Xp = new Float64Array(2 * d);
    Xp.set(X.subarray(best * d, (best + 1) * d), 0);
    Xp.set(X.subarray(incIndex * d, (incIndex + 1) * d), d);
    const C = gp.covariance(Xp);
    const vDiff = Math.max(c * (C[0]! + C[3]! - 2 * C[1]!), 1e-300);
    pBetter = normCdf((p.mean[incIndex]! - p.mean[best]!) / Math.sqrt(vDiff));
    const beatsMean =
      input.againstMean === true &&
      normCdf((p.mean[incIndex]! - p.mean[best]!) / Math.max(sd(best), 1e-300)) >= input.pSwitch;
    if (pBetter < input.pSwitch && !beatsMean) {
      chosen = incIndex;
      changed = false;
    }
  } else if (incIndex >= 0) {
    changed = false;
  }
  const rows = leadingRows(p.mean, chosen, input.top ?? 8);
  const pBest = probabilityBest(gp, X, rows, input.rng, input.samples ?? 512, c);
  const kept = !changed ? 'kept: no candidate is better at the target with enough probability' : '';
  return {
    mixture: [...cands[chosen]!],
    mean: p.mean[chosen]!,
    sd: sd(chosen),
    ...(pBest !== undefined ? { pBest } : {}),
    changed,
    ...(pBetter !== undefined ? { pBetter } : {}),
    basis:
      chosen >= nObs
        ? 'predicted best at the target (model argmin, confidently better than every observed mixture)'
        : `predicted best at the target among the observed mixtures${kept === '' ? '' : ` (${kept})`}`,
  };
}

/**
 * `P(best)` of mixture `w` at the target: the share of `samples` joint posterior draws in which
 * `f(x*(w))` is below the predicted values of the `top - 1` other candidates with the smallest
 * posterior means (`others` without `w`); undefined when their covariance cannot be factored.
 */
export function probabilityBestAmong(
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
  w: readonly number[],
  others: readonly (readonly number[])[],
  rng: Rng,
  top = 8,
  samples = 512,
): number | undefined {
  const cands = [w, ...others.filter((o) => !same(o, w))];
  const d = gp.d;
  const X = new Float64Array(cands.length * d);
  cands.forEach((v, r) => {
    X.set(xStar(v), r * d);
  });
  return probabilityBest(gp, X, leadingRows(gp.predict(X).mean, 0, top), rng, samples, 1);
}

/**
 * Row `first`, then the `top - 1` other rows with the smallest `mean` (ties: the lower row):
 * the candidates `P(best)` is taken over.
 */
function leadingRows(mean: ArrayLike<number>, first: number, top: number): number[] {
  const order = Array.from({ length: mean.length }, (_, r) => r)
    .filter((r) => r !== first)
    .sort((a, b) => mean[a]! - mean[b]! || a - b)
    .slice(0, Math.max(0, top - 1));
  return [first, ...order];
}

/**
 * Share of joint posterior draws in which row `rows[0]` of `X` has the smallest value among
 * `rows` (1 when there is a single row).
 */
function probabilityBest(
  gp: GaussianProcess,
  X: Float64Array,
  rows: readonly number[],
  rng: Rng,
  samples: number,
  inflate: number,
): number | undefined {
  const m = rows.length;
  if (m <= 1) return 1;
  const d = gp.d;
  const Xs = new Float64Array(m * d);
  rows.forEach((r, q) => {
    Xs.set(X.subarray(r * d, (r + 1) * d), q * d);
  });
  const mean = gp.predict(Xs).mean;
  const C = gp.covariance(Xs);
  if (inflate !== 1) for (let i = 0; i < C.length; i++) C[i] = C[i]! * inflate;
  let L: Float64Array;
  try {
    L = cholesky(C, m, { jitter: 1e-12 }).L;
  } catch {
    return undefined;
  }
  const z = new Float64Array(m);
  let wins = 0;
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < m; i++) z[i] = rng.normal();
    let first = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < m; i++) {
      let v = mean[i]!;
      for (let j = 0; j <= i; j++) v += L[i * m + j]! * z[j]!;
      if (i === 0) first = v;
      else min = Math.min(min, v);
    }
    if (first <= min) wins++;
  }
  return wins / samples;
}
