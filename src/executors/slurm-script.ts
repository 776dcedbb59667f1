/**
 * Batch scripts for the Slurm executor: the user's template plus what
 * mixopt writes into it.
 *
 * A template is an ordinary sbatch script (it starts with `#!`) that trains
 * one trial. It may hold two placeholders, each alone on its line (comments
 * may mention them; they are left as they are):
 * - `{{sbatch}}`: the `#SBATCH` lines mixopt writes (job name, output files,
 *   working directory, partition, account, time, GPUs, CPUs, memory, array,
 *   the `extra` options). Default place: right after the `#!` line.
 * - `{{setup}}`: shell lines that pick the trial's job directory, export its
 *   `MIXOPT_*` variables (the same as the local executor's) and record the
 *   exit status. Default place: after the leading comment block.
 * Trial values reach the script as environment variables, never by text
 * substitution, so one script serves every task of a job array.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SlurmSettings } from '../core/index.ts';
import { ValidationError } from '../core/index.ts';

/** Resources and options every job of an executor gets. */
export interface SbatchSettings {
  readonly partition?: string;
  readonly account?: string;
  /** Slurm time limit (already validated, e.g. `"2:00:00"`, `"90"`). */
  readonly time?: string;
  readonly gpus?: number;
  readonly cpusPerTask?: number;
  readonly mem?: string;
  /** Extra options, each normalised to `--name=value` form without `#SBATCH`. */
  readonly extra: readonly string[];
}

/** What differs between submissions. */
export interface SbatchJob {
  readonly name: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly cwd: string;
  /** Number of array tasks (`--array=0-(n-1)`); absent for a plain job. */
  readonly arrayTasks?: number;
}

/** A loaded template. */
export interface BatchTemplate {
  readonly text: string;
  /** Where it came from (for error messages). */
  readonly source: string;
}

/** Options mixopt sets itself; a template or `extra` setting them would break the executor. */
const RESERVED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(-o|--output)\b/, '--output'],
  [/^(-e|--error)\b/, '--error'],
  [/^(-J|--job-name)\b/, '--job-name'],
  [/^(-a|--array)\b/, '--array'],
  [/^(-D|--chdir)\b/, '--chdir'],
  [/^(--parsable|--wrap)\b/, '--parsable/--wrap'],
];

const TIME_RE =
  /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/i;

/**
 * A Slurm time limit from the config: minutes as a number, or one of
 * sbatch's formats (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`).
 * @throws ValidationError naming the bad value.
 */
export function slurmTime(t: string | number | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'number') {
    if (!Number.isSafeInteger(t) || t < 1)
      throw new ValidationError(
        `executor.time must be a whole number of minutes >= 1 or a string like "2:00:00", got ${t}`,
      );
    return String(t);
  }
  const s = t.trim();
  if (!TIME_RE.test(s))
    throw new ValidationError(
      `executor.time '${t}' is not a Slurm time limit; use minutes (90), "HH:MM:SS" (2:00:00) or "D-HH:MM:SS" (1-12:00:00)`,
    );
  return s;
}

function reserved(opt: string): string | undefined {
  return RESERVED.find(([re]) => re.test(opt))?.[1];
}

/**
 * Normalises one `extra` entry (`"--qos=high"` or `"#SBATCH --qos=high"`).
 * @throws ValidationError for an entry that is not an option, spans lines, or sets an option mixopt owns.
 */
export function extraOption(entry: string): string {
  const s = entry.replace(/^#SBATCH\s+/, '').trim();
  if (!s.startsWith('-') || /[\r\n]/.test(s))
    throw new ValidationError(
      `executor.extra entry '${entry}' is not one sbatch option; write e.g. "--qos=high" or "--constraint=a100"`,
    );
  const r = reserved(s);
  if (r !== undefined)
    throw new ValidationError(
      `executor.extra entry '${entry}' sets ${r}, which mixopt sets itself (it reads the job's files and ids); remove it`,
    );
  return s;
}

/** Validates the resource settings once. @throws ValidationError */
export function sbatchSettings(
  o: Pick<
    SlurmSettings,
    'partition' | 'account' | 'time' | 'gpus' | 'cpusPerTask' | 'mem' | 'extra'
  >,
): SbatchSettings {
  const word = (what: string, v: string | undefined) => {
    if (v !== undefined && !/^[A-Za-z0-9_.,:@+-]+$/.test(v))
      throw new ValidationError(
        `executor.${what} '${v}' is not a Slurm ${what} name (letters, digits, _ . , : @ + -)`,
      );
    return v;
  };
  if (o.gpus !== undefined && !(Number.isSafeInteger(o.gpus) && o.gpus >= 0))
    throw new ValidationError(`executor.gpus must be a whole number >= 0, got ${o.gpus}`);
  if (o.cpusPerTask !== undefined && !(Number.isSafeInteger(o.cpusPerTask) && o.cpusPerTask >= 1))
    throw new ValidationError(
      `executor.cpusPerTask must be a whole number >= 1, got ${o.cpusPerTask}`,
    );
  if (o.mem !== undefined && !/^\d+[KMGT]?B?$/i.test(o.mem.trim()))
    throw new ValidationError(
      `executor.mem '${o.mem}' is not a Slurm memory size; write e.g. "64G" or "16000M"`,
    );
  const partition = word('partition', o.partition);
  const account = word('account', o.account);
  const time = slurmTime(o.time);
  return {
    ...(partition !== undefined ? { partition } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(o.gpus !== undefined ? { gpus: o.gpus } : {}),
    ...(o.cpusPerTask !== undefined ? { cpusPerTask: o.cpusPerTask } : {}),
    ...(o.mem !== undefined ? { mem: o.mem.trim() } : {}),
    extra: (o.extra ?? []).map(extraOption),
  };
}

/**
 * A path Slurm may take in `--output`/`--chdir`: no whitespace (an #SBATCH
 * line cannot quote it) and no `%` (Slurm's filename patterns).
 * @throws ValidationError
 */
export function checkSlurmPath(what: string, p: string): string {
  if (/[\s%]/.test(p))
    throw new ValidationError(
      `${what} '${p}' contains whitespace or '%', which #SBATCH lines cannot carry; choose a directory without them`,
    );
  return p;
}

/** The `#SBATCH` lines of one submission. */
export function sbatchLines(s: SbatchSettings, job: SbatchJob): string[] {
  const opts = [
    `--job-name=${job.name}`,
    `--output=${job.stdout}`,
    `--error=${job.stderr}`,
    `--chdir=${job.cwd}`,
  ];
  if (job.arrayTasks !== undefined) opts.push(`--array=0-${job.arrayTasks - 1}`);
  if (s.partition !== undefined) opts.push(`--partition=${s.partition}`);
  if (s.account !== undefined) opts.push(`--account=${s.account}`);
  if (s.time !== undefined) opts.push(`--time=${s.time}`);
  if (s.gpus !== undefined && s.gpus > 0) opts.push(`--gres=gpu:${s.gpus}`);
  if (s.cpusPerTask !== undefined) opts.push(`--cpus-per-task=${s.cpusPerTask}`);
  if (s.mem !== undefined) opts.push(`--mem=${s.mem}`);
  opts.push(...s.extra);
  return opts.map((o) => `#SBATCH ${o}`);
}

/** `it's` -> `'it'\''s'` (POSIX shell single quotes). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A shell file exporting `env` (sourced by the setup lines). */
export function envScript(env: Readonly<Record<string, string>>): string {
  return `${Object.entries(env)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        throw new ValidationError(`environment variable name '${k}' is not valid in a shell`);
      return `export ${k}=${shellQuote(v)}`;
    })
    .join('\n')}\n`;
}

/**
 * The setup lines: choose the job directory (by `SLURM_ARRAY_TASK_ID` in an
 * array), source its `env.sh`, record the raw job id, and record the exit
 * status in `exit-code` when the script exits (not when it is killed).
 */
export function setupLines(dirs: readonly string[], array: boolean): string[] {
  const out = ['# --- mixopt: the trial this job trains (generated) ---'];
  if (!array) out.push(`MIXOPT_JOB_DIR=${shellQuote(dirs[0] as string)}`);
  else {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    out.push('case "${SLURM_ARRAY_TASK_ID:-}" in');
    dirs.forEach((d, i) => {
      out.push(`  ${i}) MIXOPT_JOB_DIR=${shellQuote(d)} ;;`);
    });
    out.push(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
      '  *) echo "mixopt: unexpected array task \'${SLURM_ARRAY_TASK_ID:-}\'" >&2; exit 97 ;;',
      'esac',
    );
  }
  out.push(
    'export MIXOPT_JOB_DIR',
    '. "$MIXOPT_JOB_DIR/env.sh"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    'echo "${SLURM_JOB_ID:-}" > "$MIXOPT_JOB_DIR/slurm-job-id"',
    `trap 'mixopt_status=$?; echo "$mixopt_status" > "$MIXOPT_JOB_DIR/exit-code.tmp"; mv -f "$MIXOPT_JOB_DIR/exit-code.tmp" "$MIXOPT_JOB_DIR/exit-code"' EXIT`,
    '# --- end of mixopt setup ---',
  );
  return out;
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Reads a template: `spec` is the script itself when it contains a newline,
 * else a path (relative to `cwd`). Checks it once: it starts with `#!`, its
 * placeholders are known and alone on their lines, and its own `#SBATCH`
 * lines do not set the options mixopt owns.
 * @throws ValidationError
 */
export function loadTemplate(spec: string, cwd: string): BatchTemplate {
  let text: string;
  let source: string;
  if (spec.includes('\n')) {
    text = spec;
    source = 'the inline executor.template';
  } else {
    const path = resolve(cwd, spec);
    source = `template ${path}`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ValidationError(
        `cannot read the Slurm batch template '${spec}' (looked at ${path}): ${(err as Error).message}; set executor.template to your batch script (relative paths start at the directory mixopt runs in)`,
      );
    }
  }
  const lines = text.split('\n');
  if (!(lines[0] ?? '').startsWith('#!'))
    throw new ValidationError(
      `${source} does not start with '#!' (e.g. #!/bin/bash); sbatch needs an interpreter line`,
    );
  lines.forEach((line, i) => {
    // Comments may mention placeholders; only a placeholder alone on its line is replaced.
    const comment = /^\s*#/.test(line) && !/^\s*\{\{/.test(line);
    for (const m of comment ? [] : line.matchAll(PLACEHOLDER)) {
      const name = m[1] as string;
      if (name !== 'sbatch' && name !== 'setup')
        throw new ValidationError(
          `${source} line ${i + 1}: unknown placeholder {{${name}}}; the placeholders are {{sbatch}} (mixopt's #SBATCH lines) and {{setup}} (exports the trial's MIXOPT_* variables); read trial values from those variables`,
        );
      if (line.trim() !== m[0])
        throw new ValidationError(
          `${source} line ${i + 1}: {{${name}}} must stand alone on its line`,
        );
    }
    const sb = /^#SBATCH\s+(\S+)/.exec(line);
    const r = sb === null ? undefined : reserved(sb[1] as string);
    if (r !== undefined)
      throw new ValidationError(
        `${source} line ${i + 1} sets ${r}, which mixopt sets itself (it reads the job's files and ids); remove the line`,
      );
  });
  return { text, source };
}

/**
 * Renders a batch script: the template with `{{sbatch}}` and `{{setup}}`
 * replaced (or inserted at their default places).
 * @throws ValidationError when an #SBATCH line would follow the first command (sbatch would ignore it).
 */
export function renderBatchScript(
  t: BatchTemplate,
  sbatch: readonly string[],
  setup: readonly string[],
): string {
  let lines = t.text.split('\n');
  const at = (name: string) => lines.findIndex((l) => l.trim() === `{{${name}}}`);
  let i = at('sbatch');
  if (i >= 0) lines.splice(i, 1, ...sbatch);
  else lines.splice(1, 0, ...sbatch);
  i = at('setup');
  if (i >= 0) lines.splice(i, 1, ...setup);
  else {
    let end = 1;
    while (end < lines.length && /^\s*(#.*)?$/.test(lines[end] as string)) end++;
    // Keep a trailing blank line of the header below the setup lines.
    while (end > 1 && (lines[end - 1] as string).trim() === '') end--;
    lines.splice(end, 0, ...setup);
  }
  const firstCommand = lines.findIndex((l, k) => k > 0 && !/^\s*(#.*)?$/.test(l));
  if (firstCommand >= 0) {
    const late = lines.findIndex((l, k) => k > firstCommand && /^#SBATCH\s/.test(l));
    if (late >= 0)
      throw new ValidationError(
        `${t.source}: '${lines[late]}' comes after the first command ('${(lines[firstCommand] as string).trim()}'); sbatch ignores #SBATCH lines there: move it above (and keep {{setup}} below your #SBATCH lines)`,
      );
  }
  lines = lines.map((l) => l.replace(/\r$/, ''));
  return lines.join('\n');
}
