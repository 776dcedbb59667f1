/**
 * How far to trust the `mfms-bo` surrogate's confidence: a calibration factor
 * for its posterior variances, from how well it predicts held-out runs at the
 * largest sizes observed.
 *
 * Notation: for a run `r` among the held-out set `R`, `B_r` are the GP rows of
 * its learning curve and `f_r` the row of its last (longest) point. Holding
 * out ALL of `B_r` (its shared seed offset included), the GP with the same
 * hyper-parameters predicts `y_{f_r} | rest ~ N(m_r, v_r)`
 * (GaussianProcess.heldOut); `z_r = (y_{f_r} - m_r) / sqrt(v_r)`. A calibrated
 * model has `E z_r^2 = 1`. The factor is
 *
 *   c = max(1, (sum_{r in R} z_r^2 + nu0) / (|R| + nu0)),   nu0 = 3,
 *
 * a shrunk mean of `z^2` (three pseudo-runs at 1, so a handful of runs cannot
 * swing it far). `R` = the most recent `maxRuns` runs at the largest observed
 * sizes: runs at the largest size, then the next size down, until at least
 * `minRuns` (the held-out test is about predicting large runs from the rest,
 * which is what a recommendation at the target does). Fewer than `minRuns`
 * runs in all: `c = 1`.
 */
import type { SearchSpace } from '../core/index.ts';
import type { GaussianProcess } from '../gp/index.ts';
import type { Observations } from './encoding.ts';

/** Pseudo-runs at z^2 = 1 in the shrunk mean. */
const NU0 = 3;

/** Options of {@link heldOutCalibration}. */
export interface CalibrationOptions {
  /** Fewest held-out runs for a factor other than 1 (default 3). */
  readonly minRuns?: number;
  /** Most held-out runs (the latest; default 24). */
  readonly maxRuns?: number;
}

/** The GP rows of each run of `obs`, in order of first appearance (history order). */
export function rowsByRun(obs: Observations): Map<string, number[]> {
  const rowsOf = new Map<string, number[]>();
  obs.points.forEach((p, i) => {
    const rows = rowsOf.get(p.runId);
    if (rows === undefined) rowsOf.set(p.runId, [i]);
    else rows.push(i);
  });
  return rowsOf;
}

/**
 * Runs held out whole, each on its own (`blocks`, one per run: its curve's rows;
 * GaussianProcess.heldOutBlocks, so a run's shared offset goes with it): the residual `y_f - m`
 * of its last point `f` and the held-out variance `v` there. Undefined for a run whose held-out
 * prediction fails numerically or whose `v` is not positive.
 */
export function heldOutLast(
  gp: GaussianProcess,
  obs: Observations,
  blocks: readonly (readonly number[])[],
): ({ residual: number; variance: number } | undefined)[] {
  const held = gp.heldOutBlocks(blocks);
  return blocks.map((rows, i) => {
    const h = held[i];
    if (h === null || h === undefined) return undefined;
    const b = rows.length;
    const last = b - 1;
    const variance = h.covariance[last * b + last]!;
    if (!(variance > 0)) return undefined;
    return { residual: obs.y[rows[last]!]! - h.mean[last]!, variance };
  });
}

/** The factor `c` of the module comment, with the z-scores behind it. */
export function heldOutCalibration(
  gp: GaussianProcess,
  obs: Observations,
  space: SearchSpace,
  options: CalibrationOptions = {},
): { factor: number; z: number[] } {
  const minRuns = options.minRuns ?? 3;
  const maxRuns = options.maxRuns ?? 24;
  const rowsOf = rowsByRun(obs);
  const scaleOf = new Map([...rowsOf].map(([r, rows]) => [r, obs.points[rows[0]!]!.scale]));
  const params = new Map(space.scales.map((s) => [s.name, s.params]));
  const sizes = [...new Set(scaleOf.values())].sort(
    (a, b) => (params.get(b) ?? 0) - (params.get(a) ?? 0),
  );
  const runs = [...rowsOf.keys()];
  let chosen: string[] = [];
  for (const size of sizes) {
    chosen = chosen.concat(runs.filter((r) => scaleOf.get(r) === size));
    if (chosen.length >= minRuns) break;
  }
  if (chosen.length < minRuns || runs.length < 2) return { factor: 1, z: [] };
  // The latest runs (rows are in history order, so a run's first row orders it).
  chosen.sort((a, b) => rowsOf.get(a)![0]! - rowsOf.get(b)![0]!);
  chosen = chosen.slice(-maxRuns);
  const z: number[] = [];
  for (const held of heldOutLast(
    gp,
    obs,
    chosen.map((r) => rowsOf.get(r)!),
  )) {
    if (held !== undefined) z.push(held.residual / Math.sqrt(held.variance));
  }
  if (z.length < minRuns) return { factor: 1, z };
  const ss = z.reduce((a, x) => a + x * x, 0);
  return { factor: Math.max(1, (ss + NU0) / (z.length + NU0)), z };
}
