/**
 * Recorded runs: a CSV of real training runs and a column mapping. A row is
 * one checkpoint `(w, m, z)` of a run with its metric values; the rows of one
 * mixture at one size form that run's learning curve, on its own grid of
 * steps (irregular logs welcome). The replay testbed is in ./replay.ts, the
 * fitted one in ./fitted.ts; this file reads and checks the data.
 *
 * Loader checks (each a {@link DataError} naming the file, line and fix; the
 * whole file is checked before anything is returned, so nothing is loaded
 * half-way): a mapped column missing from the header; a weight that is not a
 * number or is negative (named by column); weights that do not sum to 1
 * (listing the header columns the mapping leaves out, in case a weight
 * column is missing from it); a size not on the ladder; two rows with the
 * same mixture, size and step but different values (both line numbers).
 * Two identical rows are merged, with a note in `notes`.
 *
 * Mapping (JSON, validated by {@link RecordedMappingSchema}):
 * ```json
 * { "name": "admire-ift", "csv": "admire-ift-runs.csv",
 *   "mixture": { "prefix": "ratio_" },            // or { "columns": [...] }
 *   "scale": { "column": "model", "ladder": [{ "value": "Qwen2.5-0.5B", "name": "0.5B", "params": 5e8 }] },
 *   "steps": { "fixed": 1 },                        // or { "column": "steps", "logEvery": 100 }
 *   "metrics": [{ "name": "gsm8k", "column": "metric_gsm8k::tulu", "direction": "maximize" }],
 *   "cost": { "column": "train_time", "unit": "minutes" }, // or { "formula": "params" }
 *   "target": { "scale": "7B" } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  ConfigError,
  DataError,
  type MetricSpec,
  type Mixture,
  type Scale,
  type StepRange,
} from '../core/index.ts';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

/** Schema of a column mapping. */
export const RecordedMappingSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** CSV path; relative paths are resolved by the caller (see the registry). */
  csv: z.string().min(1).optional(),
  mixture: z.union([
    z.strictObject({ prefix: z.string().min(1), columns: z.undefined().optional() }),
    z.strictObject({
      columns: z.array(z.string().min(1)).min(2),
      prefix: z.undefined().optional(),
    }),
  ]),
  /** Recorded weights are renormalised when `|sum - 1| <= sumTolerance` (default 0.01). */
  sumTolerance: finite.optional(),
  scale: z.strictObject({
    column: z.string().min(1),
    ladder: z
      .array(
        z.strictObject({ value: z.string(), name: z.string().min(1), params: finite.positive() }),
      )
      .min(1),
  }),
  steps: z
    .union([
      z.strictObject({ fixed: z.number().int().positive() }),
      z.strictObject({
        column: z.string().min(1),
        logEvery: z.number().int().positive().optional(),
      }),
    ])
    .optional(),
  metrics: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        column: z.string().min(1),
        direction: z.enum(['minimize', 'maximize']),
        description: z.string().optional(),
      }),
    )
    .min(1),
  cost: z
    .union([
      z.strictObject({ column: z.string().min(1), unit: z.string().optional() }),
      z.strictObject({ formula: z.literal('params') }),
    ])
    .optional(),
  target: z.strictObject({
    scale: z.string().min(1),
    steps: z.number().int().positive().optional(),
  }),
  /**
   * Open the mapping as a fitted testbed (a surrogate over the runs, see
   * ./fitted.ts) instead of a replay: `true`, or settings.
   */
  fit: z
    .union([
      z.boolean(),
      z.strictObject({
        seed: z.number().int().nonnegative().optional(),
        heldOut: finite.min(0).max(0.5).optional(),
        maxFitPoints: z.number().int().min(10).optional(),
        maxPoints: z.number().int().min(10).optional(),
      }),
    ])
    .optional(),
});

/** A column mapping (the parsed JSON). */
export type RecordedMapping = z.infer<typeof RecordedMappingSchema>;

/** One recorded run. */
export interface RecordedRun {
  /** 1-based CSV line number (header = line 1). */
  readonly line: number;
  readonly mixture: Mixture;
  readonly scale: string;
  readonly steps: number;
  /** Metric values in `metrics` order; `undefined` where the cell was empty. */
  readonly values: readonly (number | undefined)[];
  readonly cost?: number;
}

/** A loaded run table. */
export interface RecordedRuns {
  readonly mapping: RecordedMapping;
  readonly csvPath: string;
  readonly domains: readonly string[];
  readonly scales: readonly Scale[];
  readonly metrics: readonly MetricSpec[];
  readonly steps: StepRange;
  /** Rows, in file order (identical duplicates merged into the first). */
  readonly runs: readonly RecordedRun[];
  /** What the loader did that the user should know (e.g. merged duplicates). */
  readonly notes: readonly string[];
}

/**
 * Validates a mapping object.
 * @throws ConfigError listing every problem with its path.
 */
export function parseRecordedMapping(raw: unknown, where = 'mapping'): RecordedMapping {
  const r = RecordedMappingSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ConfigError(
      `invalid recorded-runs mapping ${where}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return r.data;
}

/** The rows of a runs CSV (header first). @throws DataError when unreadable, malformed or empty. */
function readRunsCsv(csvPath: string): string[][] {
  let text: string;
  try {
    text = readFileSync(csvPath, 'utf8');
  } catch (err) {
    throw new DataError(
      `cannot read runs file ${csvPath} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path, or pass --data-dir DIR (runs are read from DIR/../runs)`,
      { path: csvPath },
    );
  }
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new DataError(`malformed runs file ${csvPath}: ${(err as Error).message}; fix the CSV`, {
      path: csvPath,
    });
  }
  if (rows[0] === undefined)
    throw new DataError(`runs file ${csvPath} is empty; it needs a header row and runs`, {
      path: csvPath,
    });
  return rows;
}

/** Where the mapping's columns are in the CSV header (−1: not mapped). */
interface ColumnLayout {
  readonly csvPath: string;
  readonly mapping: RecordedMapping;
  readonly mixCols: string[];
  readonly mixIdx: number[];
  readonly domains: string[];
  readonly scaleIdx: number;
  readonly stepsIdx: number;
  readonly fixedSteps: number;
  readonly metricIdx: number[];
  readonly costIdx: number;
  /** Header columns the mapping leaves out. */
  readonly unmapped: string[];
}

/** Finds the mapping's columns in `header`. @throws DataError naming a missing column. */
function columnLayout(csvPath: string, header: string[], mapping: RecordedMapping): ColumnLayout {
  const col = (name: string, what: string): number => {
    const i = header.indexOf(name);
    if (i < 0) {
      throw new DataError(
        `runs file ${csvPath} has no column '${name}' (${what}); fix the mapping or the CSV header`,
        {
          path: csvPath,
          column: name,
        },
      );
    }
    return i;
  };
  const mixCols =
    mapping.mixture.columns ?? header.filter((h) => h.startsWith(mapping.mixture.prefix as string));
  if (mixCols.length < 2) {
    throw new DataError(
      `runs file ${csvPath}: the mixture mapping selects ${mixCols.length} columns; a mixture needs at least 2 (check 'mixture.prefix' or 'mixture.columns')`,
      { path: csvPath },
    );
  }
  const mixIdx = mixCols.map((c) => col(c, 'mixture weight'));
  const domains = mixCols.map((c) =>
    mapping.mixture.prefix !== undefined ? c.slice(mapping.mixture.prefix.length) : c,
  );
  const scaleIdx = col(mapping.scale.column, 'scale');
  const stepsIdx =
    mapping.steps !== undefined && 'column' in mapping.steps
      ? col(mapping.steps.column, 'steps')
      : -1;
  const fixedSteps =
    mapping.steps !== undefined && 'fixed' in mapping.steps ? mapping.steps.fixed : 1;
  const metricIdx = mapping.metrics.map((m) => col(m.column, `metric ${m.name}`));
  const costIdx =
    mapping.cost !== undefined && 'column' in mapping.cost ? col(mapping.cost.column, 'cost') : -1;
  const used = new Set([...mixIdx, scaleIdx, stepsIdx, ...metricIdx, costIdx]);
  const unmapped = header.filter((_, i) => !used.has(i));
  return {
    csvPath,
    mapping,
    mixCols,
    mixIdx,
    domains,
    scaleIdx,
    stepsIdx,
    fixedSteps,
    metricIdx,
    costIdx,
    unmapped,
  };
}

/** A numeric cell (undefined for an empty one when `allowEmpty`). @throws DataError naming the line. */
function cellNumber(
  csvPath: string,
  cell: string | undefined,
  line: number,
  what: string,
  allowEmpty: boolean,
): number | undefined {
  if (cell === undefined || cell === '') {
    if (allowEmpty) return undefined;
    throw new DataError(
      `runs file ${csvPath} line ${line}: empty ${what}; fill it in or drop the row`,
      { path: csvPath, line },
    );
  }
  const x = Number(cell);
  if (!Number.isFinite(x)) {
    throw new DataError(
      `runs file ${csvPath} line ${line}: ${what} '${cell}' is not a number; fix the cell`,
      {
        path: csvPath,
        line,
      },
    );
  }
  return x;
}

/** One data row as a run (mixture renormalised). @throws DataError naming the line and the fix. */
function parseRunRow(c: ColumnLayout, row: string[], line: number): RecordedRun {
  const { csvPath, mapping, mixCols } = c;
  const num = (cell: string | undefined, what: string, allowEmpty: boolean) =>
    cellNumber(csvPath, cell, line, what, allowEmpty);
  const tol = mapping.sumTolerance ?? 0.01;
  const w = c.mixIdx.map((i, j) => num(row[i], `weight ${mixCols[j]}`, false) as number);
  const neg = w.findIndex((x) => x < 0);
  if (neg >= 0) {
    throw new DataError(
      `runs file ${csvPath} line ${line}: weight ${mixCols[neg]} is ${w[neg]}; mixture weights must be >= 0, fix the cell`,
      { path: csvPath, line, column: mixCols[neg] },
    );
  }
  const s = w.reduce((a, b) => a + b, 0);
  if (Math.abs(s - 1) > tol) {
    throw new DataError(
      `runs file ${csvPath} line ${line}: mixture weights sum to ${s}; they must sum to 1 within ${tol} (mapping 'sumTolerance'). The mapping reads ${mixCols.length} weight columns (${mixCols.join(', ')}); if one is missing, add it to 'mixture'${c.unmapped.length > 0 ? ` (header columns the mapping leaves out: ${c.unmapped.join(', ')})` : ''}`,
      { path: csvPath, line, sum: s },
    );
  }
  const byValue = new Map(mapping.scale.ladder.map((x) => [x.value, x.name]));
  const scaleValue = row[c.scaleIdx] ?? '';
  const scale = byValue.get(scaleValue);
  if (scale === undefined) {
    throw new DataError(
      `runs file ${csvPath} line ${line}: scale '${scaleValue}' is not in the mapping's ladder (${[...byValue.keys()].join(', ')}); add it to 'scale.ladder'`,
      { path: csvPath, line },
    );
  }
  const steps = c.stepsIdx >= 0 ? (num(row[c.stepsIdx], 'steps', false) as number) : c.fixedSteps;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new DataError(
      `runs file ${csvPath} line ${line}: steps '${row[c.stepsIdx] ?? steps}' must be a positive integer; fix the cell`,
      { path: csvPath, line },
    );
  }
  return {
    line,
    mixture: w.map((x) => x / s),
    scale,
    steps,
    values: c.metricIdx.map((i, j) => num(row[i], `metric ${mapping.metrics[j]?.name}`, true)),
    ...(c.costIdx >= 0 ? { cost: num(row[c.costIdx], 'cost', false) as number } : {}),
  };
}

/**
 * Loads a CSV of runs with a mapping. Recorded mixtures whose weights sum to
 * 1 within `sumTolerance` are renormalised to sum to 1 exactly.
 * @throws DataError naming the file (and line/column) and the fix;
 *   ConfigError for an invalid mapping.
 */
export function loadRecordedRuns(
  csvPath: string,
  mappingRaw: RecordedMapping | unknown,
): RecordedRuns {
  const mapping = parseRecordedMapping(mappingRaw);
  const rows = readRunsCsv(csvPath);
  const c = columnLayout(csvPath, rows[0] as string[], mapping);
  const runs: RecordedRun[] = [];
  const seen = new Map<string, RecordedRun>();
  const notes: string[] = [];
  for (let r = 1; r < rows.length; r++) {
    const line = r + 1;
    const run = parseRunRow(c, rows[r] as string[], line);
    const { scale, steps } = run;
    const key = `${mixtureKey(run.mixture)}|${scale}|${steps}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      const diff = mapping.metrics.findIndex((_, j) => prev.values[j] !== run.values[j]);
      if (diff >= 0 || prev.cost !== run.cost) {
        const what =
          diff >= 0
            ? `metric ${mapping.metrics[diff]?.name}: ${String(prev.values[diff] ?? 'empty')} vs ${String(run.values[diff] ?? 'empty')}`
            : `cost: ${String(prev.cost)} vs ${String(run.cost)}`;
        throw new DataError(
          `runs file ${csvPath}: lines ${prev.line} and ${line} record the same mixture at size ${scale}, ${steps} steps with different values (${what}); delete the wrong row, or map a steps column if they are different checkpoints`,
          { path: csvPath, lines: [prev.line, line] },
        );
      }
      notes.push(
        `runs file ${csvPath}: line ${line} repeats line ${prev.line} (same mixture, size ${scale}, ${steps} steps, same values); merged`,
      );
      continue;
    }
    seen.set(key, run);
    runs.push(run);
  }
  if (runs.length === 0)
    throw new DataError(`runs file ${csvPath} has no runs; it needs at least one data row`, {
      path: csvPath,
    });
  const scales = [...mapping.scale.ladder]
    .sort((a, b) => a.params - b.params)
    .map((s) => ({ name: s.name, params: s.params }));
  const min = runs.reduce((a, r) => Math.min(a, r.steps), Number.POSITIVE_INFINITY);
  const max = runs.reduce((a, r) => Math.max(a, r.steps), 0);
  const logEvery =
    mapping.steps !== undefined && 'logEvery' in mapping.steps
      ? (mapping.steps.logEvery ?? min)
      : min;
  const metrics: MetricSpec[] = mapping.metrics.map((m) => ({
    name: m.name,
    direction: m.direction,
    description: m.description ?? `column ${m.column}`,
  }));
  return {
    mapping,
    csvPath,
    domains: c.domains,
    scales,
    metrics,
    steps: { min, max, logEvery },
    runs,
    notes,
  };
}

/**
 * Key of a mixture: weights rounded to 1e-9, so that a candidate passed back
 * (or re-typed with 9+ digits) finds its run.
 */
export function mixtureKey(w: readonly number[]): string {
  return w.map((x) => x.toFixed(9)).join(',');
}
