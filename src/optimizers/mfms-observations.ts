/**
 * What the `mfms-bo` surrogate is fitted to, and how its latent predictions
 * map back to the metric.
 *
 * Notation (see encoding.ts for `x`):
 * - `y` observed values in the minimisation convention, at most
 *   `maxObservations` of them (gp-common.ts `cappedObservations`);
 * - `log`: with `transform: 'auto'` and a minimised metric whose observed
 *   values are all positive (a loss), the GP models `log y`;
 * - `L(N, D)` the power-law trend (src/gp/power-law-trend.ts) fitted to the
 *   same points with `trend: 'power-law'`; the GP then models
 *   `g = log y - log L(N, D)`; `shift(m, z) = log L(N_m, z)` (0 otherwise);
 * - a latent prediction `(mu, v)` at fidelity `(m, z)` is of `g`; the metric's
 *   prediction is of `mu + shift(m, z)`, mapped by {@link metricPrediction}.
 */
import type { History, Prediction, SearchSpace } from '../core/index.ts';
import { fitPowerLawTrend, trendValue } from '../gp/index.ts';
import type { EncodingOptions, Observations } from './encoding.ts';
import { cappedObservations } from './gp-common.ts';
import { toPrediction, Z90 } from './surrogate-view.ts';

/** Latent offset at a fidelity: `log L(N, D)` of the fitted trend, or 0. */
export type Shift = (scale: string, steps: number) => number;

/** The surrogate's data for one history. */
export interface MfmsData {
  readonly obs: Observations;
  /** Whether `obs.y` are logs of the metric. */
  readonly log: boolean;
  readonly shift: Shift;
}

/** The settings this module reads. */
export interface MfmsDataSettings {
  readonly maxObservations: number;
  /** Which runs' final values are kept when there are more runs than `maxObservations`. */
  readonly capKeep: 'best-and-spread' | 'spread';
  readonly pointsPerRun: number;
  readonly transform: 'auto' | 'none';
  readonly trend: 'linear' | 'quadratic' | 'power-law';
}

const noShift: Shift = () => 0;

/** The GP's observations of `history` (see the module notation). */
export function mfmsData(
  space: SearchSpace,
  history: History,
  s: MfmsDataSettings,
  enc: EncodingOptions,
): MfmsData {
  const raw = cappedObservations(
    space,
    history,
    s.maxObservations,
    { ...enc, ...(s.pointsPerRun > 0 ? { maxPointsPerRun: s.pointsPerRun } : {}) },
    s.capKeep,
  );
  const log =
    s.transform === 'auto' &&
    space.metric.direction === 'minimize' &&
    raw.n > 0 &&
    raw.y.every((v) => v > 0);
  if (!log) return { obs: raw, log, shift: noShift };
  if (s.trend !== 'power-law') {
    return { obs: { ...raw, y: raw.y.map(Math.log) }, log, shift: noShift };
  }
  const paramsOf = (scale: string): number => space.scales.find((x) => x.name === scale)!.params;
  const trend = fitPowerLawTrend(
    raw.points.map((p) => paramsOf(p.scale)),
    raw.points.map((p) => p.steps),
    raw.y,
    { params: paramsOf(space.target.scale), steps: space.target.steps },
  );
  const shift: Shift = (scale, z) => Math.log(trendValue(trend, paramsOf(scale), z));
  const y = raw.y.map((v, i) => Math.log(v) - shift(raw.points[i]!.scale, raw.points[i]!.steps));
  return { obs: { ...raw, y }, log, shift };
}

/**
 * A latent prediction `(mu, v)` (shift included) in the metric's units: with `log`, mean
 * `exp(mu)`, std `exp(mu) sqrt(v)` and the 90% interval `exp(mu -/+ z90 sqrt(v))`; otherwise
 * {@link toPrediction}.
 */
export function metricPrediction(
  space: SearchSpace,
  mu: number,
  v: number,
  log: boolean,
): Prediction {
  if (!log) return toPrediction(mu, v, space.metric.direction);
  const sd = Math.sqrt(Math.max(v, 0));
  const m = Math.exp(mu);
  return { mean: m, std: m * sd, lower: Math.exp(mu - Z90 * sd), upper: Math.exp(mu + Z90 * sd) };
}
