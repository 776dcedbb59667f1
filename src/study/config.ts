/**
 * The study config: a zod schema (the one source of truth; the JSON Schema in
 * `schema/study.schema.json` is generated from it), YAML/JSON loading, and
 * the cross-field checks zod cannot express per field.
 *
 * Every problem becomes a `ConfigIssue` with the field's dotted path, the bad
 * value and what is accepted; all of them are reported at once in one
 * `ConfigError` (exit code 2 in the CLI).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ConfigIssue, SlurmSettings, StudyConfig, StudyDomain } from '../core/index.ts';
import { ConfigError, DataError } from '../core/index.ts';
import { leaseProblem } from './leases.ts';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

const name = (what: string) =>
  z.string({ error: `${what} must be a string` }).regex(NAME_RE, {
    error: `${what} must start with a letter or digit and contain only letters, digits, '_', '.', ':' or '-'`,
  });

const weight = (what: string) =>
  z
    .number({ error: `${what} must be a number in [0, 1]` })
    .min(0, { error: `${what} must be in [0, 1]` })
    .max(1, { error: `${what} must be in [0, 1]` });

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a positive integer` })
    .int({ error: `${what} must be a positive integer` })
    .positive({ error: `${what} must be a positive integer` });

const DomainSchema = z.union(
  [
    name('a domain name'),
    z.strictObject({
      name: name('domain name'),
      min: weight('domain min').optional(),
      max: weight('domain max').optional(),
      fixed: weight('domain fixed weight').optional(),
    }),
  ],
  {
    error:
      'a domain is a name (e.g. "wikipedia") or an object { name, min?, max?, fixed? } with weights in [0, 1]',
  },
);

const ScaleSchema = z.strictObject({
  name: name('scale name'),
  params: z
    .number({ error: 'params must be a positive number of model parameters, e.g. 20e6' })
    .positive({ error: 'params must be a positive number of model parameters, e.g. 20e6' }),
  tokensPerStep: positiveInt('tokensPerStep').optional(),
});

const MetricPartSchema = z.strictObject({
  metric: name('metric name'),
  weight: z.number({ error: 'weight must be a finite number' }).refine(Number.isFinite, {
    error: 'weight must be a finite number',
  }),
});

const DirectionSchema = z.enum(['minimize', 'maximize'], {
  error: "direction must be 'minimize' (a loss) or 'maximize' (an accuracy)",
});

const MetricSchema = z.strictObject({
  name: name('metric name'),
  direction: DirectionSchema,
  combine: z
    .array(MetricPartSchema, { error: 'combine must be a list of { metric, weight }' })
    .min(1, { error: 'combine must list at least one { metric, weight }' })
    .optional(),
});

const CostSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('flops') }),
    z.strictObject({
      kind: z.literal('table'),
      perStep: z.record(
        z.string(),
        z
          .number({ error: 'a per-step cost must be a positive number' })
          .positive({ error: 'a per-step cost must be a positive number' }),
        { error: 'perStep maps each scale name to its per-step cost relative to the target' },
      ),
    }),
  ],
  { error: "cost.kind must be 'flops' (6 x params x tokens) or 'table' (with perStep)" },
);

const JsonRecord = z.record(z.string(), z.json(), {
  error: 'settings must be an object of method-specific settings',
});

// The Slurm executor's settings. Formats (time, mem, extra lines) are checked by
// createSlurmExecutor, at `mixopt run`. The fields are SlurmSettings
// (src/core/study-types.ts), where they are documented; SLURM_SCHEMA_MATCHES
// below fails to compile when the two disagree.
const SlurmSchema = z.strictObject({
  kind: z.literal('slurm'),
  template: z
    .string({ error: 'template must be a batch script path, e.g. "job.sbatch"' })
    .min(1, { error: 'template must be a batch script path, e.g. "job.sbatch"' }),
  partition: z.string().optional(),
  account: z.string().optional(),
  time: z
    .union([z.string(), z.number().int().positive()], {
      error: 'time must be a Slurm time limit, e.g. "2:00:00" or 120 (minutes)',
    })
    .optional(),
  gpus: z
    .number({ error: 'gpus must be a whole number of GPUs per job' })
    .int({ error: 'gpus must be a whole number of GPUs per job' })
    .min(0, { error: 'gpus must be a whole number of GPUs per job' })
    .optional(),
  cpusPerTask: positiveInt('cpusPerTask').optional(),
  mem: z.string({ error: 'mem must be a Slurm memory size, e.g. "64G"' }).optional(),
  extra: z
    .array(z.string(), { error: 'extra must be a list of sbatch options, e.g. ["--qos=high"]' })
    .optional(),
  array: z.boolean({ error: 'array must be true or false' }).optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string(), { error: 'env maps names to string values' }).optional(),
  workDir: z.string().optional(),
  accounting: z
    .enum(['auto', 'sacct', 'none'], {
      error: "accounting must be 'auto', 'sacct' or 'none'",
    })
    .optional(),
  statusIntervalSeconds: z
    .number({ error: 'statusIntervalSeconds must be a positive number' })
    .positive({ error: 'statusIntervalSeconds must be a positive number' })
    .optional(),
});

type SlurmFields = Omit<z.output<typeof SlurmSchema>, 'kind'>;
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never]
  ? true
  : false;
/** Compile-time check: the schema's Slurm fields are exactly {@link SlurmSettings}, with the same types. */
const SLURM_SCHEMA_MATCHES: SameKeys<SlurmFields, SlurmSettings> = true;
const slurmSettingsOf = (x: SlurmFields): SlurmSettings => x;
void [SLURM_SCHEMA_MATCHES, slurmSettingsOf];

const ExecutorSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('simulator'),
      testbed: name('testbed name'),
      dataDir: z.string().optional(),
      secondsPer1000Steps: z
        .number({ error: 'secondsPer1000Steps must be a number >= 0' })
        .min(0, { error: 'secondsPer1000Steps must be a number >= 0' })
        .default(0),
    }),
    z.strictObject({
      kind: z.literal('local'),
      command: z
        .string({ error: 'command must be a shell command, e.g. "node train.mjs"' })
        .refine((c) => c.trim() !== '', {
          error: 'command must be a non-empty shell command, e.g. "node train.mjs"',
        }),
      cwd: z.string().optional(),
      env: z
        .record(z.string(), z.string(), { error: 'env maps names to string values' })
        .optional(),
      timeoutSeconds: z
        .number({ error: 'timeoutSeconds must be a positive number' })
        .positive({ error: 'timeoutSeconds must be a positive number' })
        .optional(),
      workDir: z.string().optional(),
    }),
    SlurmSchema,
  ],
  { error: "executor.kind must be 'simulator', 'local' or 'slurm'" },
);

/** The zod schema of a study config file (input form: defaults not yet applied). */
export const StudyConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: name('study name'),
    description: z.string().optional(),
    domains: z
      .array(DomainSchema, { error: 'domains must be a list of domain names or objects' })
      .min(2, { error: 'domains must list at least 2 domains' }),
    scales: z
      .array(ScaleSchema, { error: 'scales must be a list of { name, params }' })
      .min(1, { error: 'scales must list at least one { name, params }' }),
    steps: z.strictObject({
      min: positiveInt('steps.min'),
      max: positiveInt('steps.max'),
      logEvery: positiveInt('steps.logEvery'),
      candidates: z
        .array(positiveInt('a candidate step length'), {
          error: 'steps.candidates must be a list of step lengths',
        })
        .min(1, { error: 'steps.candidates must list at least one step length' })
        .optional(),
    }),
    target: z.strictObject({
      scale: name('target scale'),
      steps: positiveInt('target.steps'),
    }),
    metric: MetricSchema,
    cost: CostSchema.default({ kind: 'flops' }),
    budget: z
      .number({ error: 'budget must be a positive number of cost units (100 target steps)' })
      .positive({ error: 'budget must be a positive number of cost units (100 target steps)' })
      .optional(),
    optimizer: z
      .strictObject({
        method: z.string({ error: 'optimizer.method must be a method name, e.g. "mfms-bo"' }),
        settings: JsonRecord.default({}),
      })
      .default({ method: 'mfms-bo', settings: {} }),
    seed: z
      .number({ error: 'seed must be a non-negative integer' })
      .int({ error: 'seed must be a non-negative integer' })
      .min(0, { error: 'seed must be a non-negative integer' })
      .default(0),
    trials: z
      .strictObject({
        leaseSeconds: z
          .number({ error: `leaseSeconds ${leaseProblem(Number.NaN)}` })
          .refine((x) => leaseProblem(x) === undefined, {
            error: `leaseSeconds ${leaseProblem(Number.NaN)}`,
          })
          .default(600),
        maxAttempts: positiveInt('maxAttempts').default(3),
        /** `mixopt run` stops after this many failed attempts in a row (exit 4). */
        maxConsecutiveFailures: positiveInt('maxConsecutiveFailures').default(5),
      })
      .default({ leaseSeconds: 600, maxAttempts: 3, maxConsecutiveFailures: 5 }),
    executor: ExecutorSchema.optional(),
  })
  .describe('A mixopt study: what to optimise, over which runs, and how to run them.');

/** The config as written in a file (before defaults). */
export type StudyConfigInput = z.input<typeof StudyConfigSchema>;

/** Value at `path` inside `root` (undefined when the path does not exist). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** Renders a value for an error message, briefly. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function issue(raw: unknown, path: readonly PropertyKey[], message: string): ConfigIssue {
  const value = valueAt(raw, path);
  return { path: dotted(path), message: `${message}; got ${show(value)}`, value };
}

/** Domain bounds in normal form. */
function normaliseDomain(
  d: string | { name: string; min?: number; max?: number; fixed?: number },
): StudyDomain {
  if (typeof d === 'string') return { name: d, min: 0, max: 1 };
  if (d.fixed !== undefined) return { name: d.name, min: d.fixed, max: d.fixed };
  return { name: d.name, min: d.min ?? 0, max: d.max ?? 1 };
}

/** The cross-field checks; returns every problem found. */
function crossCheck(raw: unknown, c: StudyConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const rawDomains = valueAt(raw, ['domains']) as unknown[];
  const seen = new Set<string>();
  c.domains.forEach((d, i) => {
    if (seen.has(d.name))
      out.push(
        issue(raw, ['domains', i], `domain '${d.name}' is listed twice; names must be unique`),
      );
    seen.add(d.name);
    const rd = rawDomains[i];
    if (rd !== null && typeof rd === 'object' && 'fixed' in rd && ('min' in rd || 'max' in rd)) {
      out.push(issue(raw, ['domains', i], 'give either fixed or min/max for a domain, not both'));
    } else if (d.min > d.max) {
      out.push(
        issue(
          raw,
          ['domains', i],
          `domain '${d.name}' has min ${d.min} > max ${d.max}; need min <= max`,
        ),
      );
    }
  });
  const sumMin = c.domains.reduce((s, d) => s + d.min, 0);
  const sumMax = c.domains.reduce((s, d) => s + d.max, 0);
  if (sumMin > 1 + 1e-9)
    out.push(
      issue(
        raw,
        ['domains'],
        `the domain minimums sum to ${+sumMin.toFixed(6)} > 1, so no mixture fits; lower them`,
      ),
    );
  if (sumMax < 1 - 1e-9)
    out.push(
      issue(
        raw,
        ['domains'],
        `the domain maximums sum to ${+sumMax.toFixed(6)} < 1, so no mixture fits; raise them`,
      ),
    );

  const scaleNames = new Set<string>();
  c.scales.forEach((s, i) => {
    if (scaleNames.has(s.name))
      out.push(
        issue(
          raw,
          ['scales', i, 'name'],
          `scale '${s.name}' is listed twice; names must be unique`,
        ),
      );
    scaleNames.add(s.name);
  });
  const known = [...scaleNames].join(', ');
  if (!scaleNames.has(c.target.scale))
    out.push(issue(raw, ['target', 'scale'], `target.scale must be one of the scales (${known})`));

  const { min, max } = c.steps;
  if (min > max) out.push(issue(raw, ['steps', 'min'], `steps.min must be <= steps.max (${max})`));
  if (c.target.steps < min || c.target.steps > max)
    out.push(
      issue(
        raw,
        ['target', 'steps'],
        `target.steps must be within steps.min..steps.max (${min}..${max})`,
      ),
    );
  c.steps.candidates?.forEach((z, i) => {
    if (z < min || z > max)
      out.push(
        issue(
          raw,
          ['steps', 'candidates', i],
          `a candidate step length must be within ${min}..${max}`,
        ),
      );
  });
  if (c.steps.logEvery > max)
    out.push(issue(raw, ['steps', 'logEvery'], `steps.logEvery must be <= steps.max (${max})`));

  if (c.cost.kind === 'table') {
    for (const s of c.scales)
      if (c.cost.perStep[s.name] === undefined)
        out.push(
          issue(
            raw,
            ['cost', 'perStep'],
            `cost.perStep has no entry for scale '${s.name}'; give one per scale (${known})`,
          ),
        );
    for (const k of Object.keys(c.cost.perStep))
      if (!scaleNames.has(k))
        out.push(
          issue(raw, ['cost', 'perStep', k], `'${k}' is not a scale; known scales: ${known}`),
        );
  } else {
    const tps = c.scales.map((s) => s.tokensPerStep !== undefined);
    if (tps.some((x) => x) && !tps.every((x) => x))
      out.push(
        issue(
          raw,
          ['scales'],
          'with cost.kind flops, give tokensPerStep for every scale or for none',
        ),
      );
  }
  if (c.metric.combine !== undefined) {
    const parts = new Set<string>();
    c.metric.combine.forEach((p, i) => {
      if (parts.has(p.metric))
        out.push(
          issue(
            raw,
            ['metric', 'combine', i, 'metric'],
            `metric '${p.metric}' appears twice in combine`,
          ),
        );
      parts.add(p.metric);
    });
  }
  return out;
}

/**
 * Validates a parsed config object (from YAML or JSON) into a {@link StudyConfig}.
 * @throws ConfigError listing every problem with its path, bad value and what is accepted.
 */
export function parseStudyConfig(raw: unknown, source = 'study config'): StudyConfig {
  const r = StudyConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.join(', ');
        return issue(
          raw,
          i.path,
          `unknown field(s) ${keys}; remove them or check the spelling (see schema/study.schema.json)`,
        );
      }
      return issue(raw, i.path, i.message);
    });
    throw configError(source, issues);
  }
  const d = r.data;
  const config: StudyConfig = {
    name: d.name,
    ...(d.description !== undefined ? { description: d.description } : {}),
    domains: d.domains.map(normaliseDomain),
    scales: [...d.scales].sort((a, b) => a.params - b.params),
    steps: d.steps,
    target: d.target,
    metric: d.metric,
    cost: d.cost,
    ...(d.budget !== undefined ? { budget: d.budget } : {}),
    optimizer: d.optimizer as StudyConfig['optimizer'],
    seed: d.seed,
    trials: d.trials,
    ...(d.executor !== undefined ? { executor: d.executor } : {}),
  };
  const issues = crossCheck(raw, config);
  if (issues.length > 0) throw configError(source, issues);
  return config;
}

function configError(source: string, issues: ConfigIssue[]): ConfigError {
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
  return new ConfigError(`${source} is invalid (${issues.length} problem(s)):\n${lines}`, issues);
}

/**
 * Reads and validates a study config file (`.yaml`, `.yml` or `.json`).
 * @throws DataError when the file cannot be read or parsed; ConfigError when it is invalid.
 */
export function loadStudyConfig(path: string): StudyConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read study config '${path}': ${(err as Error).message}`, { path });
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new DataError(
      `study config '${path}' is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      { path },
    );
  }
  return parseStudyConfig(raw, `study config '${path}'`);
}

/** The JSON Schema of the study config file (for editors), generated from the zod schema. */
export function studyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(StudyConfigSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: 'https://mixopt.dev/schema/study.schema.json', title: 'mixopt study' };
}
