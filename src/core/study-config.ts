/**
 * The study config: its zod schema, the one source of truth, and the types
 * derived from it. `StudyConfigInput` is what a study file may contain
 * (defaults not yet applied); `StudyConfig` is what the schema returns
 * (defaults applied, domains in normal form, scales sorted by size), made
 * read-only. The JSON Schema in `schema/study.schema.json` is generated from
 * the same schema (`studyJsonSchema` in `src/study/config.ts`, which also
 * loads YAML/JSON and runs the cross-field checks zod cannot express per
 * field).
 *
 * Error texts here are what a user sees for a bad field (with the path and the
 * bad value prepended by `parseStudyConfig`): each says what is accepted.
 */
import { z } from 'zod';
import { leaseProblem } from './leases.ts';

/** `T` with every property and array, at every depth, read-only. */
export type Immutable<T> = T extends readonly (infer U)[]
  ? readonly Immutable<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Immutable<T[K]> }
    : T;

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

/** A domain in normal form: a name, or `fixed`, becomes `{ name, min, max }`. */
function normaliseDomain(
  d: string | { name: string; min?: number; max?: number; fixed?: number },
): {
  /** The domain's name, as the training job knows it. */
  name: string;
  /** Lowest weight the domain may take. */
  min: number;
  /** Highest weight the domain may take (`min === max` fixes it). */
  max: number;
} {
  if (typeof d === 'string') return { name: d, min: 0, max: 1 };
  if (d.fixed !== undefined) return { name: d.name, min: d.fixed, max: d.fixed };
  return { name: d.name, min: d.min ?? 0, max: d.max ?? 1 };
}

const DomainSchema = z
  .union(
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
  )
  .transform(normaliseDomain);

const ScaleSchema = z.strictObject({
  /** The scale's name, e.g. `20M`. */
  name: name('scale name'),
  /** Model parameters, e.g. `20e6`. */
  params: z
    .number({ error: 'params must be a positive number of model parameters, e.g. 20e6' })
    .positive({ error: 'params must be a positive number of model parameters, e.g. 20e6' }),
  /** Tokens per training step (with `cost.kind: flops`, for every scale or none). */
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
  /** Name of the optimised quantity (the reported metric, or the combination's name). */
  name: name('metric name'),
  /** `minimize` (a loss) or `maximize` (an accuracy). */
  direction: DirectionSchema,
  /** For a combination: `value = sum weight_j * metric_j` at each step where all parts are reported. */
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
      /** Cost of one step of each scale, relative to one step of the target. */
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

// The Slurm executor's settings, written once: the study file's
// `executor: { kind: slurm, ... }`, SlurmSettings and createSlurmExecutor's
// options all derive from it. Formats (time, mem, extra lines) are checked by
// createSlurmExecutor, at `mixopt run`. docs/executors.md describes each field.
const SlurmSchema = z.strictObject({
  kind: z.literal('slurm'),
  /** Batch script template: a path (relative to `cwd`) or the script itself; see docs/executors.md. */
  template: z
    .string({ error: 'template must be a batch script path, e.g. "job.sbatch"' })
    .min(1, { error: 'template must be a batch script path, e.g. "job.sbatch"' }),
  /** `--partition`. */
  partition: z.string().optional(),
  /** `--account`. */
  account: z.string().optional(),
  /** Time limit per job: minutes, or `"HH:MM:SS"` / `"D-HH:MM:SS"`. */
  time: z
    .union([z.string(), z.number().int().positive()], {
      error: 'time must be a Slurm time limit, e.g. "2:00:00" or 120 (minutes)',
    })
    .optional(),
  /** GPUs per job (`--gres=gpu:N`). */
  gpus: z
    .number({ error: 'gpus must be a whole number of GPUs per job' })
    .int({ error: 'gpus must be a whole number of GPUs per job' })
    .min(0, { error: 'gpus must be a whole number of GPUs per job' })
    .optional(),
  /** `--cpus-per-task`. */
  cpusPerTask: positiveInt('cpusPerTask').optional(),
  /** Memory per node, e.g. `"64G"`. */
  mem: z.string({ error: 'mem must be a Slurm memory size, e.g. "64G"' }).optional(),
  /** More sbatch options, one per entry, e.g. `["--qos=high", "--constraint=a100"]`. */
  extra: z
    .array(z.string(), { error: 'extra must be a list of sbatch options, e.g. ["--qos=high"]' })
    .optional(),
  /** Submit a batch of trials as one job array (default false). */
  array: z.boolean({ error: 'array must be true or false' }).optional(),
  /** Working directory of the jobs (`--chdir`) and base of a relative template path (default: the current one). */
  cwd: z.string().optional(),
  /** Extra environment variables for every job. */
  env: z.record(z.string(), z.string(), { error: 'env maps names to string values' }).optional(),
  /** Directory for job files, on a filesystem the compute nodes share (default in a study: `<study>.slurm/` next to the database). */
  workDir: z.string().optional(),
  /** How end states are read: with sacct (`sacct`), without it (`none`), or sacct when the cluster has accounting (`auto`, the default). */
  accounting: z
    .enum(['auto', 'sacct', 'none'], {
      error: "accounting must be 'auto', 'sacct' or 'none'",
    })
    .optional(),
  /** Seconds between two squeue queries (default 5; the driver polls more often, from files). */
  statusIntervalSeconds: z
    .number({ error: 'statusIntervalSeconds must be a positive number' })
    .positive({ error: 'statusIntervalSeconds must be a positive number' })
    .optional(),
});

const ExecutorSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('simulator'),
      /** Testbed that answers each trial (`mixopt testbed list`). */
      testbed: name('testbed name'),
      /** Where the testbed's data files are (default: the usual lookup, see docs/testbeds.md). */
      dataDir: z.string().optional(),
      /** Wall-clock seconds per 1000 simulated steps (0 = instant). */
      secondsPer1000Steps: z
        .number({ error: 'secondsPer1000Steps must be a number >= 0' })
        .min(0, { error: 'secondsPer1000Steps must be a number >= 0' })
        .default(0),
    }),
    z.strictObject({
      kind: z.literal('local'),
      /** Shell command that trains one trial (see docs/executors.md). */
      command: z
        .string({ error: 'command must be a shell command, e.g. "node train.mjs"' })
        .refine((c) => c.trim() !== '', {
          error: 'command must be a non-empty shell command, e.g. "node train.mjs"',
        }),
      /** Working directory of the command (default: the current one). */
      cwd: z.string().optional(),
      /** Extra environment variables for every job. */
      env: z
        .record(z.string(), z.string(), { error: 'env maps names to string values' })
        .optional(),
      /** A job running longer than this is killed and the trial failed. */
      timeoutSeconds: z
        .number({ error: 'timeoutSeconds must be a positive number' })
        .positive({ error: 'timeoutSeconds must be a positive number' })
        .optional(),
      /** Directory for job files (default: `<db>.jobs/` next to the database). */
      workDir: z.string().optional(),
    }),
    SlurmSchema,
  ],
  { error: "executor.kind must be 'simulator', 'local' or 'slurm'" },
);

/**
 * The zod schema of a study config file. It parses the file's form
 * ({@link StudyConfigInput}) into a {@link StudyConfig}: defaults applied,
 * domains in normal form, scales sorted by `params`, `$schema` dropped.
 * Cross-field checks (unique names, the target among the scales, ...) are in
 * `parseStudyConfig`.
 */
export const StudyConfigSchema = z
  .strictObject({
    /** The JSON Schema an editor validates the file against (ignored by mixopt). */
    $schema: z.string().optional(),
    /** The study's name, unique in its database. */
    name: name('study name'),
    /** Free text for people. */
    description: z.string().optional(),
    /** The mixture's domains, with optional bounds on each weight. */
    domains: z
      .array(DomainSchema, { error: 'domains must be a list of domain names or objects' })
      .min(2, { error: 'domains must list at least 2 domains' }),
    /** The scale ladder, smallest first once parsed. */
    scales: z
      .array(ScaleSchema, { error: 'scales must be a list of { name, params }' })
      .min(1, { error: 'scales must list at least one { name, params }' })
      .transform((s) => [...s].sort((a, b) => a.params - b.params)),
    /** Run lengths: trials train between `min` and `max` steps and report every `logEvery`. */
    steps: z.strictObject({
      min: positiveInt('steps.min'),
      max: positiveInt('steps.max'),
      logEvery: positiveInt('steps.logEvery'),
      /** The step lengths a trial may be asked to train (default: any in `min..max`). */
      candidates: z
        .array(positiveInt('a candidate step length'), {
          error: 'steps.candidates must be a list of step lengths',
        })
        .min(1, { error: 'steps.candidates must list at least one step length' })
        .optional(),
    }),
    /** The fidelity whose winner the study looks for. */
    target: z.strictObject({
      scale: name('target scale'),
      steps: positiveInt('target.steps'),
    }),
    /** The metric the study optimises. */
    metric: MetricSchema,
    /** How a run's cost is computed, in units of 100 steps of the target scale. */
    cost: CostSchema.default({ kind: 'flops' }),
    /** Total budget in cost units (100 target steps); absent = no limit. */
    budget: z
      .number({ error: 'budget must be a positive number of cost units (100 target steps)' })
      .positive({ error: 'budget must be a positive number of cost units (100 target steps)' })
      .optional(),
    /** The optimiser (`mixopt` lists the methods) and its method-specific settings. */
    optimizer: z
      .strictObject({
        method: z.string({ error: 'optimizer.method must be a method name, e.g. "mfms-bo"' }),
        settings: JsonRecord.default({}),
      })
      .default({ method: 'mfms-bo', settings: {} }),
    /** Seed of every random choice the optimiser makes. */
    seed: z
      .number({ error: 'seed must be a non-negative integer' })
      .int({ error: 'seed must be a non-negative integer' })
      .min(0, { error: 'seed must be a non-negative integer' })
      .default(0),
    /** How trials are handed out and retried. */
    trials: z
      .strictObject({
        /** Seconds a worker holds a trial without a heartbeat or a tell. */
        leaseSeconds: z
          .number({ error: `leaseSeconds ${leaseProblem(Number.NaN)}` })
          .refine((x) => leaseProblem(x) === undefined, {
            error: `leaseSeconds ${leaseProblem(Number.NaN)}`,
          })
          .default(600),
        /** A configuration is tried at most this many times (failures and expired leases). */
        maxAttempts: positiveInt('maxAttempts').default(3),
        /** `mixopt run` stops after this many failed attempts in a row (exit 4). */
        maxConsecutiveFailures: positiveInt('maxConsecutiveFailures').default(5),
      })
      .default({ leaseSeconds: 600, maxAttempts: 3, maxConsecutiveFailures: 5 }),
    /** How `mixopt run` launches trials; absent when you drive the study with ask/tell. */
    executor: ExecutorSchema.optional(),
  })
  .describe('A mixopt study: what to optimise, over which runs, and how to run them.')
  .transform(({ $schema: _, ...config }) => config);

/** The config as written in a file (before defaults). */
export type StudyConfigInput = z.input<typeof StudyConfigSchema>;

/** A validated study config: the output of {@link StudyConfigSchema} (see `schema/study.schema.json`). Immutable. */
export type StudyConfig = Immutable<z.output<typeof StudyConfigSchema>>;

/** A domain of the study, with bounds on its weight (`min === max` fixes it). */
export type StudyDomain = StudyConfig['domains'][number];

/** One rung of the study's scale ladder. */
export type StudyScale = StudyConfig['scales'][number];

/** The metric a study optimises: one reported metric, or a weighted sum of several. */
export type StudyMetric = StudyConfig['metric'];

/** How a run's cost is computed, in units of 100 steps of the target scale. */
export type StudyCost = StudyConfig['cost'];

/** Executor settings of a study (`kind` picks the executor; the rest is its own). */
export type StudyExecutorConfig = NonNullable<StudyConfig['executor']>;

/**
 * The Slurm executor's settings: the study file's `executor: { kind: slurm,
 * ... }` without its `kind`, also the base of `createSlurmExecutor`'s options.
 * docs/executors.md describes each.
 */
export type SlurmSettings = Omit<Extract<StudyExecutorConfig, { kind: 'slurm' }>, 'kind'>;
