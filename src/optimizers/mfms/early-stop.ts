/**
 * The early-stop rule of `mfms-bo` (setting `stopBelow`; 0, the default, stops nothing).
 *
 * Notation (surrogate.ts, recommendation.ts): latent values in the minimisation convention,
 * `x*(w)` the mixture `w` at the target, `w_rec` the recommended mixture, and for a running run
 * `r` with mixture `w_r` the joint posterior of `(f(x*(w_r)), f(x*(w_rec)))` given every
 * observation, the points `r` has logged so far included:
 *   `P_r = P(f(x*(w_r)) < f(x*(w_rec))) = Phi((mu_rec - mu_r) / sqrt(v_r + v_rec - 2 c))`.
 * A run is stopped when `P_r < stopBelow`, it has logged at least `MIN_POINTS` points (its own
 * curve is part of the evidence) and its mixture is not the recommended one. The study then
 * cancels the job and charges what ran (docs/executors.md); the simulated harness does the same
 * (src/bench/simulate.ts).
 */
import type { History } from '../../core/index.ts';
import type { GaussianProcess } from '../../gp/index.ts';
import { normCdf } from '../../linalg/index.ts';

/** Logged points a running run needs before it can be stopped. */
export const MIN_POINTS = 2;

/** `P_r` for a run of mixture `wr` against the recommendation `wRec` (see the module notation). */
export function probabilityBetter(
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
  wr: readonly number[],
  wRec: readonly number[],
): number {
  const d = gp.d;
  const X = new Float64Array(2 * d);
  X.set(xStar(wr), 0);
  X.set(xStar(wRec), d);
  const mean = gp.predict(X).mean;
  const C = gp.covariance(X);
  const vDiff = C[0]! + C[3]! - 2 * C[1]!;
  const diff = mean[1]! - mean[0]!;
  if (!(vDiff > 1e-18)) return diff > 0 ? 1 : 0;
  return normCdf(diff / Math.sqrt(vDiff));
}

/** The ids of the running runs to stop now (see the module notation), in history order. */
export function hopelessRuns(
  history: History,
  gp: GaussianProcess,
  xStar: (w: ArrayLike<number>) => number[],
  wRec: readonly number[],
  stopBelow: number,
): string[] {
  if (!(stopBelow > 0)) return [];
  const out: string[] = [];
  for (const r of history.runs) {
    if (r.state !== 'running' || r.curve.length < MIN_POINTS) continue;
    if (r.mixture.every((v, j) => Math.abs(v - wRec[j]!) <= 1e-9)) continue;
    if (probabilityBetter(gp, xStar, r.mixture, wRec) < stopBelow) out.push(r.id);
  }
  return out;
}
