/**
 * Recorded-runs testbeds: a CSV of real training runs (one row per run) and
 * a column mapping. Replay mode: the candidate mixtures are the recorded ones
 * and every answer is a recorded value, returned exactly; a query at an
 * unrecorded (mixture, scale, steps) point is an error that names it.
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
  type CurvePoint,
  DataError,
  type MetricSpec,
  type Mixture,
  NotFoundError,
  type ReferenceOptimum,
  type Scale,
  type StepRange,
  type Testbed,
} from '../core/index.ts';
import { checkQuery, scaleIndex } from './query.ts';

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
  readonly runs: readonly RecordedRun[];
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
  const header = rows[0];
  if (header === undefined)
    throw new DataError(`runs file ${csvPath} is empty; it needs a header row and runs`, {
      path: csvPath,
    });
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
  const tol = mapping.sumTolerance ?? 0.01;
  const num = (
    cell: string | undefined,
    line: number,
    what: string,
    allowEmpty: boolean,
  ): number | undefined => {
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
  };
  const byValue = new Map(mapping.scale.ladder.map((s) => [s.value, s.name]));
  const runs: RecordedRun[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    const line = r + 1;
    const w = mixIdx.map((i, j) => num(row[i], line, `weight ${mixCols[j]}`, false) as number);
    const s = w.reduce((a, b) => a + b, 0);
    if (w.some((x) => x < 0) || Math.abs(s - 1) > tol) {
      throw new DataError(
        `runs file ${csvPath} line ${line}: mixture weights sum to ${s} (or are negative); they must be >= 0 and sum to 1 within ${tol} (mapping 'sumTolerance')`,
        { path: csvPath, line },
      );
    }
    const scaleValue = row[scaleIdx] ?? '';
    const scale = byValue.get(scaleValue);
    if (scale === undefined) {
      throw new DataError(
        `runs file ${csvPath} line ${line}: scale '${scaleValue}' is not in the mapping's ladder (${[...byValue.keys()].join(', ')}); add it to 'scale.ladder'`,
        { path: csvPath, line },
      );
    }
    const steps = stepsIdx >= 0 ? (num(row[stepsIdx], line, 'steps', false) as number) : fixedSteps;
    runs.push({
      line,
      mixture: w.map((x) => x / s),
      scale,
      steps,
      values: metricIdx.map((i, j) =>
        num(row[i], line, `metric ${mapping.metrics[j]?.name}`, true),
      ),
      ...(costIdx >= 0 ? { cost: num(row[costIdx], line, 'cost', false) as number } : {}),
    });
  }
  if (runs.length === 0)
    throw new DataError(`runs file ${csvPath} has no runs; it needs at least one data row`, {
      path: csvPath,
    });
  const scales = [...mapping.scale.ladder]
    .sort((a, b) => a.params - b.params)
    .map((s) => ({ name: s.name, params: s.params }));
  const allSteps = runs.map((r) => r.steps);
  const min = Math.min(...allSteps);
  const max = Math.max(...allSteps);
  const logEvery =
    mapping.steps !== undefined && 'logEvery' in mapping.steps
      ? (mapping.steps.logEvery ?? min)
      : min;
  const metrics: MetricSpec[] = mapping.metrics.map((m) => ({
    name: m.name,
    direction: m.direction,
    description: m.description ?? `column ${m.column}`,
  }));
  return { mapping, csvPath, domains, scales, metrics, steps: { min, max, logEvery }, runs };
}

function mixtureKey(w: readonly number[]): string {
  // Recorded mixtures are renormalised; keys round to 1e-9 so that a
  // candidate passed back (or re-typed with 9+ digits) finds its run.
  return w.map((x) => x.toFixed(9)).join(',');
}

/** Options of {@link createRecordedTestbed}. */
export interface RecordedTestbedOptions {
  readonly name?: string;
  readonly description?: string;
  /** Candidate mixtures: those recorded at every scale (default) or at any scale. */
  readonly candidates?: 'all-scales' | 'any-scale';
}

/**
 * A replay testbed over recorded runs: `evaluate` returns the recorded value
 * of the run with exactly this mixture, scale and steps.
 * Cost: with a cost column, the mean per-step recorded cost at that scale
 * times `steps`; with `formula: params`, `(N_m / N_target) steps / 100`
 * (units of 100 steps of the target model); without either, the same formula.
 * @throws ValidationError / NotFoundError on queries (see the interface contract).
 */
export function createRecordedTestbed(
  runs: RecordedRuns,
  opts: RecordedTestbedOptions = {},
): Testbed {
  const m = runs.mapping;
  const name = opts.name ?? m.name;
  const target = { scale: m.target.scale, steps: m.target.steps ?? runs.steps.max };
  const shape = {
    name,
    domains: runs.domains,
    scales: runs.scales,
    steps: runs.steps,
    metrics: runs.metrics,
  };
  scaleIndex(shape, target.scale);
  const index = new Map<string, RecordedRun>();
  const scalesOf = new Map<string, Set<string>>();
  const mixOf = new Map<string, Mixture>();
  for (const r of runs.runs) {
    const k = mixtureKey(r.mixture);
    const key = `${k}|${r.scale}|${r.steps}`;
    if (!index.has(key)) index.set(key, r); // first recorded run wins on duplicates
    if (!scalesOf.has(k)) scalesOf.set(k, new Set());
    scalesOf.get(k)?.add(r.scale);
    if (!mixOf.has(k)) mixOf.set(k, r.mixture);
  }
  const candidates = [...mixOf.entries()]
    .filter(
      ([k]) => opts.candidates === 'any-scale' || scalesOf.get(k)?.size === runs.scales.length,
    )
    .map(([, w]) => w);
  const perStepCost = new Map<string, number>();
  if (m.cost !== undefined && 'column' in m.cost) {
    for (const s of runs.scales) {
      const rs = runs.runs.filter((r) => r.scale === s.name && r.cost !== undefined);
      if (rs.length > 0)
        perStepCost.set(
          s.name,
          rs.reduce((a, r) => a + (r.cost as number) / r.steps, 0) / rs.length,
        );
    }
  }
  const targetParams = (runs.scales[scaleIndex(shape, target.scale)] as Scale).params;
  const find = (mixture: Mixture, scale: string, steps: number): RecordedRun => {
    const r = index.get(`${mixtureKey(mixture)}|${scale}|${steps}`);
    if (r === undefined) {
      throw new NotFoundError(
        `testbed '${name}' (replay) has no recorded run for mixture [${mixture.join(', ')}] at size ${scale}, ${steps} steps; query one of its ${candidates.length} candidate mixtures (see 'candidates') at a size where it was recorded`,
        { mixture, scale, steps },
      );
    }
    return r;
  };
  const value = (r: RecordedRun, mi: number, metric: string): number => {
    const v = r.values[mi];
    if (v === undefined) {
      throw new NotFoundError(
        `testbed '${name}': the run on line ${r.line} of ${runs.csvPath} has no value for metric '${metric}'`,
        { line: r.line, metric },
      );
    }
    return v;
  };
  const tb: Testbed = {
    name,
    description:
      opts.description ??
      m.description ??
      `Replay of ${runs.runs.length} recorded runs from ${runs.csvPath} (${candidates.length} candidate mixtures)`,
    domains: runs.domains,
    scales: runs.scales,
    steps: runs.steps,
    metrics: runs.metrics,
    target,
    costUnit:
      m.cost !== undefined && 'column' in m.cost
        ? `${m.cost.unit ?? m.cost.column} (recorded '${m.cost.column}', mean per step at each size)`
        : `100 steps of the ${target.scale} model (by parameter count)`,
    candidates,
    evaluate(mixture, scale, steps, metric) {
      const q = checkQuery(shape, mixture, scale, steps, metric);
      return value(find(mixture, scale, steps), q.metric, metric);
    },
    curve(mixture, scale, steps, metric) {
      const q = checkQuery(shape, mixture, scale, steps, metric);
      find(mixture, scale, steps);
      const pts: CurvePoint[] = [];
      for (const r of runs.runs) {
        if (
          r.scale === scale &&
          r.steps <= steps &&
          mixtureKey(r.mixture) === mixtureKey(mixture)
        ) {
          if (!pts.some((p) => p.step === r.steps))
            pts.push({ step: r.steps, value: value(r, q.metric, metric) });
        }
      }
      return pts.sort((a, b) => a.step - b.step);
    },
    cost(scale, steps) {
      const s = runs.scales[scaleIndex(shape, scale)] as Scale;
      const c = perStepCost.get(s.name);
      if (c !== undefined) return c * steps;
      return ((s.params / targetParams) * steps) / 100;
    },
    referenceOptimum(metric): ReferenceOptimum | undefined {
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
        const r = index.get(`${mixtureKey(w)}|${target.scale}|${target.steps}`);
        const v = r?.values[mi];
        if (v === undefined) continue;
        if (best === undefined || (dir === 'minimize' ? v < best.v : v > best.v)) best = { w, v };
      }
      return best === undefined
        ? undefined
        : {
            metric,
            mixture: best.w,
            value: best.v,
            method: `best recorded value at ${target.scale} among ${candidates.length} candidate mixtures`,
          };
    },
  };
  return tb;
}
