/**
 * The replay testbed over recorded runs (./recorded-runs.ts): every answer
 * comes from a recorded run. A run is the set of rows with one mixture at one
 * size; it keeps its own grid of recorded steps `z_1 < ... < z_n`.
 *
 * Notation: `v(z)` a run's recorded value of one metric at step `z` (rows
 * whose cell for that metric is empty are left out of that metric's grid).
 *
 * - `z` recorded: `v(z)`, exactly.
 * - `z_j < z < z_{j+1}`: linear interpolation in log-step,
 *   `v(z) = v(z_j) + (v(z_{j+1}) - v(z_j)) · (ln z - ln z_j) / (ln z_{j+1} - ln z_j)`
 *   (learning curves are close to straight lines in log-step over one gap).
 * - `z < z_1` or `z > z_n`: an error naming the run's recorded range and the
 *   nearest recorded step (no extrapolation; the fitted mode, ./fitted.ts,
 *   answers anywhere).
 *
 * Candidates (the only mixtures an optimiser may propose): by default the
 * mixtures whose run at the target size reaches the target steps, so that
 * every recommendation can be scored at the target. The reference optimum is
 * the best candidate's value at the target.
 */
import {
  type CurvePoint,
  type MetricSpec,
  type Mixture,
  NotFoundError,
  type ReferenceOptimum,
  type Testbed,
  UnsupportedError,
} from '../core/index.ts';
import { checkQuery, type QueryShape, scaleIndex } from './query.ts';
import { mixtureKey, type RecordedRun, type RecordedRuns } from './recorded-runs.ts';

/** Options of {@link createRecordedTestbed}. */
export interface RecordedTestbedOptions {
  readonly name?: string;
  readonly description?: string;
  /**
   * Candidate mixtures: those whose target-size run reaches the target steps
   * (`'target'`, default), those recorded at every size (`'all-scales'`), or
   * at any size (`'any-scale'`).
   */
  readonly candidates?: 'target' | 'all-scales' | 'any-scale';
}

/**
 * The cost model of recorded runs: with a cost column, the mean per-step
 * recorded cost at that size times `steps`; otherwise (or for a size without
 * recorded costs) `(N_m / N_target) steps / 100`, i.e. units of 100 steps of
 * the target model. `scale` must be on the ladder.
 */
export function recordedCost(
  runs: RecordedRuns,
  targetScale: string,
): { cost(scale: string, steps: number): number; readonly unit: string } {
  const m = runs.mapping;
  const perStep = new Map<string, number>();
  if (m.cost !== undefined && 'column' in m.cost) {
    for (const s of runs.scales) {
      const rs = runs.runs.filter((r) => r.scale === s.name && r.cost !== undefined);
      if (rs.length > 0)
        perStep.set(s.name, rs.reduce((a, r) => a + (r.cost as number) / r.steps, 0) / rs.length);
    }
  }
  const params = new Map(runs.scales.map((s) => [s.name, s.params]));
  const targetParams = params.get(targetScale) as number;
  return {
    cost(scale, steps) {
      const c = perStep.get(scale);
      if (c !== undefined) return c * steps;
      return (((params.get(scale) as number) / targetParams) * steps) / 100;
    },
    unit:
      m.cost !== undefined && 'column' in m.cost
        ? `${m.cost.unit ?? m.cost.column} (recorded '${m.cost.column}', mean per step at each size)`
        : `100 steps of the ${targetScale} model (by parameter count)`,
  };
}

/**
 * The query shape and target of a testbed over recorded runs: the target is
 * the mapping's (steps default to the longest recorded run).
 * @throws NotFoundError when the target size is not on the ladder.
 */
export function recordedShape(
  runs: RecordedRuns,
  name: string,
): { target: { scale: string; steps: number }; shape: QueryShape } {
  const m = runs.mapping;
  const target = { scale: m.target.scale, steps: m.target.steps ?? runs.steps.max };
  const shape = {
    name,
    domains: runs.domains,
    scales: runs.scales,
    steps: runs.steps,
    metrics: runs.metrics,
  };
  scaleIndex(shape, target.scale);
  return { target, shape };
}

/** One recorded run: its rows sorted by step (one row per step). */
export interface ReplayRun {
  readonly mixture: Mixture;
  readonly scale: string;
  readonly rows: readonly RecordedRun[];
}

/** The runs of a table, keyed by `mixtureKey(w) + '|' + scale`. */
export function groupRuns(runs: RecordedRuns): Map<string, ReplayRun> {
  const out = new Map<string, { mixture: Mixture; scale: string; rows: RecordedRun[] }>();
  for (const r of runs.runs) {
    const key = `${mixtureKey(r.mixture)}|${r.scale}`;
    let g = out.get(key);
    if (g === undefined) {
      g = { mixture: r.mixture, scale: r.scale, rows: [] };
      out.set(key, g);
    }
    g.rows.push(r);
  }
  for (const g of out.values()) g.rows.sort((a, b) => a.steps - b.steps);
  return out;
}

/** Where a step falls on a run's grid of one metric. */
type Lookup =
  | { kind: 'exact'; row: RecordedRun }
  | { kind: 'between'; lo: RecordedRun; hi: RecordedRun }
  | { kind: 'outside'; first: number; last: number; nearest: number; count: number };

function locate(rows: readonly RecordedRun[], mi: number, steps: number): Lookup | undefined {
  const exact = rows.find((r) => r.steps === steps);
  if (exact !== undefined) return { kind: 'exact', row: exact };
  const pts = rows.filter((r) => r.values[mi] !== undefined);
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (first === undefined || last === undefined) return undefined;
  if (steps > first.steps && steps < last.steps) {
    const j = pts.findIndex((r) => r.steps > steps);
    return { kind: 'between', lo: pts[j - 1] as RecordedRun, hi: pts[j] as RecordedRun };
  }
  return {
    kind: 'outside',
    first: first.steps,
    last: last.steps,
    nearest: steps < first.steps ? first.steps : last.steps,
    count: pts.length,
  };
}

/** `v(z)` between two recorded steps, linear in `ln z` (module comment). */
export function interpolateLogStep(z1: number, v1: number, z2: number, v2: number, z: number) {
  return v1 + ((v2 - v1) * (Math.log(z) - Math.log(z1))) / (Math.log(z2) - Math.log(z1));
}

/**
 * A replay testbed over recorded runs (see the module comment).
 * Cost: with a cost column, the mean per-step recorded cost at that size
 * times `steps`; otherwise `(N_m / N_target) steps / 100` (units of 100 steps
 * of the target model).
 * @throws NotFoundError when the target size is not on the ladder; queries
 *   throw ValidationError / NotFoundError (see the interface contract).
 */
export function createRecordedTestbed(
  runs: RecordedRuns,
  opts: RecordedTestbedOptions = {},
): Testbed {
  const m = runs.mapping;
  const name = opts.name ?? m.name;
  const { target, shape } = recordedShape(runs, name);
  const byRun = groupRuns(runs);
  const scalesOf = new Map<string, Set<string>>();
  const mixOf = new Map<string, Mixture>();
  for (const r of byRun.values()) {
    const k = mixtureKey(r.mixture);
    if (!scalesOf.has(k)) scalesOf.set(k, new Set());
    scalesOf.get(k)?.add(r.scale);
    if (!mixOf.has(k)) mixOf.set(k, r.mixture);
  }
  const reachesTarget = (k: string): boolean => {
    const rows = byRun.get(`${k}|${target.scale}`)?.rows ?? [];
    return (
      rows.length > 0 &&
      (rows[0] as RecordedRun).steps <= target.steps &&
      (rows[rows.length - 1] as RecordedRun).steps >= target.steps
    );
  };
  const mode = opts.candidates ?? 'target';
  const candidates = [...mixOf.entries()]
    .filter(([k]) =>
      mode === 'any-scale'
        ? true
        : mode === 'all-scales'
          ? scalesOf.get(k)?.size === runs.scales.length
          : reachesTarget(k),
    )
    .map(([, w]) => w);
  const cost = recordedCost(runs, target.scale);
  const runOf = (mixture: Mixture, scale: string, steps: number): ReplayRun => {
    const r = byRun.get(`${mixtureKey(mixture)}|${scale}`);
    if (r === undefined) {
      throw new NotFoundError(
        `testbed '${name}' (replay) has no recorded run for mixture [${mixture.join(', ')}] at size ${scale}, ${steps} steps; query one of its ${candidates.length} candidate mixtures (see 'candidates') at a size where it was recorded, or open the testbed fitted (--fit) to query any mixture`,
        { mixture, scale, steps },
      );
    }
    return r;
  };
  const valueAt = (run: ReplayRun, mi: number, metric: string, steps: number): number => {
    const at = locate(run.rows, mi, steps);
    if (at?.kind === 'exact') {
      const v = at.row.values[mi];
      if (v === undefined) {
        throw new NotFoundError(
          `testbed '${name}': the run on line ${at.row.line} of ${runs.csvPath} has no value for metric '${metric}'`,
          { line: at.row.line, metric },
        );
      }
      return v;
    }
    if (at?.kind === 'between') {
      const { lo, hi } = at;
      return interpolateLogStep(
        lo.steps,
        lo.values[mi] as number,
        hi.steps,
        hi.values[mi] as number,
        steps,
      );
    }
    const where = `mixture [${run.mixture.join(', ')}] at size ${run.scale}, ${steps} steps`;
    if (at === undefined) {
      throw new NotFoundError(
        `testbed '${name}' (replay): the run of ${where} has no value for metric '${metric}' at any step (lines ${run.rows.map((r) => r.line).join(', ')} of ${runs.csvPath})`,
        { mixture: run.mixture, scale: run.scale, steps, metric },
      );
    }
    throw new NotFoundError(
      `testbed '${name}' (replay) has no value for ${where}: that run's ${metric} was recorded at steps ${at.first}..${at.last} (${at.count} checkpoint${at.count === 1 ? '' : 's'}), nearest recorded step ${at.nearest}; query steps in that range (values between checkpoints are interpolated in log-step), or open the testbed fitted (--fit) to query any step`,
      {
        mixture: run.mixture,
        scale: run.scale,
        steps,
        metric,
        recorded: [at.first, at.last],
        nearest: at.nearest,
      },
    );
  };
  const tb: Testbed = {
    ...shape,
    description:
      opts.description ??
      m.description ??
      `Replay of ${runs.runs.length} recorded runs from ${runs.csvPath} (${candidates.length} candidate mixtures)`,
    target,
    costUnit: cost.unit,
    candidates,
    evaluate(mixture, scale, steps, metric) {
      const q = checkQuery(shape, mixture, scale, steps, metric);
      return valueAt(runOf(mixture, scale, steps), q.metric, metric, steps);
    },
    curve(mixture, scale, steps, metric) {
      const q = checkQuery(shape, mixture, scale, steps, metric);
      const run = runOf(mixture, scale, steps);
      const last = valueAt(run, q.metric, metric, steps);
      const pts: CurvePoint[] = [];
      for (const r of run.rows) {
        const v = r.values[q.metric];
        if (r.steps < steps && v !== undefined) pts.push({ step: r.steps, value: v });
      }
      pts.push({ step: steps, value: last });
      return pts;
    },
    cost(scale, steps) {
      scaleIndex(shape, scale);
      return cost.cost(scale, steps);
    },
    /** @throws UnsupportedError naming the cause when no candidate has a value at the target. */
    referenceOptimum(metric): ReferenceOptimum {
      const mi = runs.metrics.findIndex((x) => x.name === metric);
      if (mi < 0) {
        throw new NotFoundError(
          `unknown metric '${metric}' for testbed '${name}'; accepted metrics: ${runs.metrics.map((x) => x.name).join(', ')}`,
          { metric },
        );
      }
      const dir = (runs.metrics[mi] as MetricSpec).direction;
      let best: { w: Mixture; v: number } | undefined;
      for (const w of candidates) {
        const run = byRun.get(`${mixtureKey(w)}|${target.scale}`);
        if (run === undefined) continue;
        const at = locate(run.rows, mi, target.steps);
        if (at === undefined || at.kind === 'outside') continue;
        if (at.kind === 'exact' && at.row.values[mi] === undefined) continue;
        const v = valueAt(run, mi, metric, target.steps);
        if (best === undefined || (dir === 'minimize' ? v < best.v : v > best.v)) best = { w, v };
      }
      if (best === undefined) throw new UnsupportedError(noOptimumReason(runs, tb, metric));
      return {
        metric,
        mixture: best.w,
        value: best.v,
        method: `best candidate at the target (${target.scale}, ${target.steps} steps) among ${candidates.length} candidate mixtures`,
      };
    },
  };
  return tb;
}

/**
 * Why a replay testbed has no reference optimum for a metric: a message
 * naming the target and the longest runs at the target size, with the fix.
 */
function noOptimumReason(runs: RecordedRuns, tb: Testbed, metric: string): string {
  const byRun = groupRuns(runs);
  const lengths = [...byRun.values()]
    .filter((r) => r.scale === tb.target.scale)
    .map((r) => (r.rows[r.rows.length - 1] as RecordedRun).steps)
    .sort((a, b) => b - a);
  const have =
    lengths.length === 0
      ? `no run was recorded at ${tb.target.scale}`
      : `the ${lengths.length} runs at ${tb.target.scale} reach at most ${lengths[0]} steps`;
  return `testbed '${tb.name}' (replay) has no reference optimum for '${metric}': no candidate mixture has a recorded ${metric} at the target (${tb.target.scale}, ${tb.target.steps} steps); ${have}. Set "target": {"scale": "${tb.target.scale}", "steps": N} in the mapping to a length the runs reach, or open it fitted (--fit) for an optimum on the fitted surface`;
}
