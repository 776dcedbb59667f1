/**
 * Recorded runs from finished work: job folders written by mixopt's
 * executors (`trial.json` + `metrics.jsonl`, see docs/executors.md) or the
 * trials of a study, turned into a runs CSV and its column mapping (the
 * format of ./recorded-runs.ts), so that a finished study becomes a testbed.
 *
 * CSV layout: `run, scale, step, w_<domain>..., <metric>...`, one row per
 * reported step of a run; the mapping selects the weights by the prefix `w_`.
 * Rows of the same mixture, size and step from several runs (repeats of a
 * mixture) are averaged, with a note.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { csvCell, DataError, type Direction, ValidationError } from '../core/index.ts';
import { mixtureKey, parseRecordedMapping, type RecordedMapping } from './recorded-runs.ts';

/** One run to import: its mixture, size and reported points. */
export interface ImportedRun {
  /** Where it came from (a trial id or a job folder), for messages and the `run` column. */
  readonly id: string;
  readonly domains: readonly string[];
  readonly mixture: readonly number[];
  readonly scale: string;
  readonly params: number;
  readonly points: readonly {
    readonly step: number;
    readonly metric: string;
    readonly value: number;
  }[];
}

/** What an import produced. */
export interface ImportResult {
  readonly csv: string;
  readonly mapping: RecordedMapping;
  readonly runs: number;
  readonly rows: number;
  /** Skipped job folders, averaged repeats, ... */
  readonly notes: readonly string[];
}

/** Options of {@link buildRecordedRuns}. */
export interface ImportOptions {
  /** Testbed name (the mapping's `name`). */
  readonly name: string;
  /** CSV file name written into the mapping's `csv` (relative to the mapping). */
  readonly csvName: string;
  /** Direction of each metric (default: `minimize`). */
  readonly directions?: Readonly<Record<string, Direction>>;
  /** Target (default: the largest size, at the longest run reached there). */
  readonly target?: { readonly scale: string; readonly steps?: number };
  readonly description?: string;
}

/**
 * Builds the runs CSV and its mapping from runs (module comment).
 * @throws DataError when there are no runs with points, or runs disagree on
 *   the domains or on a size's parameter count.
 */
export function buildRecordedRuns(runs: readonly ImportedRun[], opts: ImportOptions): ImportResult {
  const withPoints = runs.filter((r) => r.points.length > 0);
  const first = withPoints[0];
  if (first === undefined) {
    throw new DataError(
      'nothing to import: no completed run with reported points; check the folder or the study',
    );
  }
  const domains = first.domains;
  const params = new Map<string, number>();
  for (const r of withPoints) {
    if (r.domains.join(',') !== domains.join(',')) {
      throw new DataError(
        `run ${r.id} has domains ${r.domains.join(', ')}, but run ${first.id} has ${domains.join(', ')}; import runs of one study at a time`,
        { run: r.id },
      );
    }
    const p = params.get(r.scale);
    if (p !== undefined && p !== r.params) {
      throw new DataError(
        `size ${r.scale} has ${p} parameters in one run and ${r.params} in run ${r.id}; import runs of one study at a time`,
        { run: r.id },
      );
    }
    params.set(r.scale, r.params);
  }
  const metrics = [...new Set(withPoints.flatMap((r) => r.points.map((p) => p.metric)))].sort();
  const notes: string[] = [];
  // (mixture, size, step) -> sums per metric, and the runs seen there.
  const cells = new Map<
    string,
    { run: ImportedRun; step: number; sums: Map<string, [number, number]>; ids: Set<string> }
  >();
  for (const r of withPoints) {
    for (const p of r.points) {
      const key = `${mixtureKey(r.mixture)}|${r.scale}|${p.step}`;
      let c = cells.get(key);
      if (c === undefined) {
        c = { run: r, step: p.step, sums: new Map(), ids: new Set() };
        cells.set(key, c);
      }
      c.ids.add(r.id);
      const s = c.sums.get(p.metric) ?? [0, 0];
      c.sums.set(p.metric, [s[0] + p.value, s[1] + 1]);
    }
  }
  const repeated = [...cells.values()].filter((c) => [...c.sums.values()].some((s) => s[1] > 1));
  if (repeated.length > 0) {
    notes.push(
      `${repeated.length} checkpoints were reported by more than one run of the same mixture and size (e.g. runs ${[...(repeated[0]?.ids ?? [])].join(', ')} at step ${repeated[0]?.step}); their values are averaged`,
    );
  }
  // Weight columns `w_<domain>` (the mapping selects them by prefix); a metric
  // whose name starts with `w_` gets the column `metric_<name>`.
  const column = (m: string): string => (m.startsWith('w_') ? `metric_${m}` : m);
  const header = ['run', 'scale', 'step', ...domains.map((d) => `w_${d}`), ...metrics.map(column)];
  const lines = [header.map(csvCell).join(',')];
  const sorted = [...cells.values()].sort(
    (a, b) =>
      (params.get(a.run.scale) as number) - (params.get(b.run.scale) as number) ||
      mixtureKey(a.run.mixture).localeCompare(mixtureKey(b.run.mixture)) ||
      a.step - b.step,
  );
  for (const c of sorted) {
    lines.push(
      [
        [...c.ids].join(' '),
        c.run.scale,
        c.step,
        ...c.run.mixture,
        ...metrics.map((m) => {
          const s = c.sums.get(m);
          return s === undefined ? undefined : s[0] / s[1];
        }),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  const ladder = [...params.entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([name, p]) => ({ value: name, name, params: p }));
  const largest = (ladder[ladder.length - 1] as { name: string }).name;
  const targetScale = opts.target?.scale ?? largest;
  const longest = Math.max(
    ...sorted.filter((c) => c.run.scale === targetScale).map((c) => c.step),
    0,
  );
  const targetSteps = opts.target?.steps ?? (longest > 0 ? longest : undefined);
  const mapping = parseRecordedMapping(
    {
      name: opts.name,
      description:
        opts.description ??
        `${withPoints.length} imported runs over ${domains.length} domains (${ladder.map((l) => l.name).join(', ')})`,
      csv: opts.csvName,
      mixture: { prefix: 'w_' },
      scale: { column: 'scale', ladder },
      steps: { column: 'step' },
      metrics: metrics.map((m) => ({
        name: m,
        column: column(m),
        direction: opts.directions?.[m] ?? 'minimize',
      })),
      cost: { formula: 'params' },
      target: { scale: targetScale, ...(targetSteps !== undefined ? { steps: targetSteps } : {}) },
    },
    'built by import',
  );
  return {
    csv: `${lines.join('\n')}\n`,
    mapping,
    runs: withPoints.length,
    rows: sorted.length,
    notes,
  };
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new DataError(`cannot read ${path} (${(err as Error).message}); fix or remove the file`, {
      path,
    });
  }
}

/** Metric lines `{"step", "metric"?, "value"}` of a job's output (other lines are skipped). */
function metricLines(
  text: string,
  single: string | undefined,
): { step: number; metric: string; value: number }[] {
  const out: { step: number; metric: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    let o: { step?: unknown; metric?: unknown; value?: unknown };
    try {
      o = JSON.parse(t) as typeof o;
    } catch {
      continue;
    }
    const metric = typeof o.metric === 'string' ? o.metric : single;
    if (
      metric !== undefined &&
      typeof o.step === 'number' &&
      Number.isInteger(o.step) &&
      o.step >= 1 &&
      typeof o.value === 'number' &&
      Number.isFinite(o.value)
    ) {
      out.push({ step: o.step, metric, value: o.value });
    }
  }
  return out;
}

/**
 * The completed runs in a folder of job folders (`<dir>/<study>-t<trial>-a<attempt>/`
 * with `trial.json`, `metrics.jsonl`, `stdout`, `exit-code`; docs/executors.md).
 * A job counts when its `exit-code` is 0; its points are the metric lines of
 * `metrics.jsonl` and `stdout`. Other folders are skipped with a note.
 * @throws NotFoundError-like DataError when `dir` is not a folder; DataError
 *   for an unreadable `trial.json`.
 */
export function readJobFolders(dir: string): { runs: ImportedRun[]; notes: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(
      `job folder ${dir} does not exist or is not a folder; pass the executor's workDir (where the <study>-t<trial>-a<attempt> folders are)`,
      { path: dir },
    );
  }
  const folders = existsSync(join(dir, 'trial.json'))
    ? [dir]
    : readdirSync(dir)
        .sort()
        .map((f) => join(dir, f))
        .filter((f) => statSync(f).isDirectory() && existsSync(join(f, 'trial.json')));
  const runs: ImportedRun[] = [];
  const notes: string[] = [];
  let skipped = 0;
  for (const f of folders) {
    const exit = existsSync(join(f, 'exit-code'))
      ? readFileSync(join(f, 'exit-code'), 'utf8').trim()
      : undefined;
    if (exit !== '0') {
      skipped++;
      continue;
    }
    const t = readJsonFile(join(f, 'trial.json')) as {
      domains?: unknown;
      mixture?: unknown;
      scale?: unknown;
      params?: unknown;
      metrics?: unknown;
    };
    const ok =
      Array.isArray(t.domains) &&
      Array.isArray(t.mixture) &&
      t.mixture.length === t.domains.length &&
      typeof t.scale === 'string' &&
      typeof t.params === 'number';
    if (!ok) {
      throw new DataError(
        `${join(f, 'trial.json')} lacks domains, mixture, scale or params; it is not a mixopt job file`,
        { path: f },
      );
    }
    const single =
      Array.isArray(t.metrics) && t.metrics.length === 1 ? String(t.metrics[0]) : undefined;
    const text = ['metrics.jsonl', 'stdout']
      .map((n) => (existsSync(join(f, n)) ? readFileSync(join(f, n), 'utf8') : ''))
      .join('\n');
    runs.push({
      id: f.split('/').pop() ?? f,
      domains: (t.domains as unknown[]).map(String),
      mixture: (t.mixture as unknown[]).map(Number),
      scale: t.scale as string,
      params: t.params as number,
      points: metricLines(text, single),
    });
  }
  if (skipped > 0)
    notes.push(`${skipped} job folders without exit code 0 (failed or unfinished) were skipped`);
  if (folders.length === 0) {
    throw new DataError(
      `no job folders (with a trial.json) in ${dir}; pass the executor's workDir`,
      { path: dir },
    );
  }
  return { runs, notes };
}

/**
 * Parses `--maximize a,b` into directions (the other metrics minimise).
 * @throws ValidationError for an empty name.
 */
export function directionsFrom(maximize: readonly string[]): Record<string, Direction> {
  const out: Record<string, Direction> = {};
  for (const m of maximize) {
    if (m.trim() === '')
      throw new ValidationError('--maximize takes metric names, e.g. --maximize acc');
    out[m.trim()] = 'maximize';
  }
  return out;
}
