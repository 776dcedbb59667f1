/**
 * Run sets from recorded runs: a CSV and a column mapping, read by the
 * recorded-runs testbed's loader (`loadRecordedRuns`; same mapping format,
 * same validation and error messages), regrouped into runs with curves.
 *
 * Notation: a CSV row is one `(w, m, z)` point with metric values; rows with
 * the same mixture (to 1e-9) and scale form one run, whose curve is its rows
 * sorted by `z`. With `"steps": {"fixed": 1}` (final values only, e.g.
 * ADMIRE IFT) every run has one point. An empty metric cell becomes a missing
 * value (NaN in `values`), which the experiments skip for that metric only.
 */
import { loadRecordedRuns, type RecordedRuns } from '../testbeds/index.ts';
import type { RunSet, TransferRun } from './run-set.ts';

/**
 * Groups recorded rows into runs.
 * (The loader has already refused two rows of one run at the same step with
 * different values, and merged identical ones.)
 */
export function runSetFromRecorded(recorded: RecordedRuns): RunSet {
  const groups = new Map<
    string,
    { scale: string; mixture: readonly number[]; rows: RecordedRuns['runs'][number][] }
  >();
  for (const r of recorded.runs) {
    const key = `${r.scale}|${r.mixture.map((x) => x.toFixed(9)).join(',')}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { scale: r.scale, mixture: r.mixture, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(r);
  }
  const runs: TransferRun[] = [];
  const counters = new Map<string, number>();
  for (const g of groups.values()) {
    // One row per step: the loader refuses conflicting duplicates and merges identical ones.
    const rows = [...g.rows].sort((a, b) => a.steps - b.steps);
    const values: Record<string, number[]> = {};
    recorded.metrics.forEach((m, j) => {
      values[m.name] = rows.map((r) => r.values[j] ?? Number.NaN);
    });
    const n = counters.get(g.scale) ?? 0;
    counters.set(g.scale, n + 1);
    runs.push({
      id: `${g.scale}-${n}`,
      mixture: g.mixture,
      scale: g.scale,
      steps: rows.map((r) => r.steps),
      values,
    });
  }
  const present = new Set(runs.map((r) => r.scale));
  return {
    source: recorded.csvPath,
    domains: recorded.domains,
    scales: recorded.scales.filter((s) => present.has(s.name)),
    metrics: recorded.metrics,
    maxSteps: recorded.steps.max,
    runs,
  };
}

/** Loads a CSV of runs with a mapping (file contents parsed as JSON) into a run set. */
export function loadRunSet(csvPath: string, mapping: unknown): RunSet {
  return runSetFromRecorded(loadRecordedRuns(csvPath, mapping));
}
