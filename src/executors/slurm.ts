/**
 * The Slurm executor: one batch job per trial (or one job array per batch of
 * trials), submitted with `sbatch`, watched with `squeue`/`sacct`/`scontrol`,
 * stopped with `scancel`.
 *
 * Job contract: the same as the local executor's (docs/executors.md). The job
 * gets the trial as a JSON file (`MIXOPT_TRIAL_FILE`) and as `MIXOPT_*`
 * environment variables, and reports metrics as JSON lines on stdout or in
 * `MIXOPT_METRICS_FILE`. mixopt reads those files, so the work directory must
 * be on a filesystem shared by the submitting machine and the compute nodes
 * (as home and project directories are on clusters).
 *
 * Layout: every trial attempt has a job directory `<workDir>/<study>-t<trial>-a<attempt>/`
 * (trial.json, env.sh, job.sh, submitting, stdout, stderr, metrics.jsonl, handle.json;
 * the job adds slurm-job-id and, when its script exits, exit-code). An array
 * puts its script and output files in `<workDir>/<study>-array-<stamp>/`.
 *
 * State: `squeue -t all` for jobs Slurm still holds (finished ones stay
 * there for MinJobAge, 300 s by default); for end states and exit codes
 * `sacct` when the cluster keeps accounting, else `scontrol show job`, then
 * the job-completion log (`sacct -c`), then the job's own exit-code file.
 * Handles are JSON on the trial, so a restarted `mixopt run` re-attaches by
 * polling them; `run` itself also re-attaches when the trial's job
 * directory names a job that is still pending or running, so a driver that
 * died between `sbatch` and storing the handle does not submit twice; one
 * that died between `sbatch` and writing handle.json finds its job by name
 * (written to `submitting` before `sbatch`) and script path.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  Executor,
  JobHandle,
  JobReport,
  MetricPoint,
  SlurmSettings,
  TrialSpec,
} from '../core/index.ts';
import { crashPoint, ExecutorError, ValidationError } from '../core/index.ts';
import { MetricLog, tailFile } from './job-output.ts';
import { trialEnv } from './local.ts';
import {
  describeEnd,
  describeExitCode,
  isEndState,
  JOBCOMP_FIELDS,
  normaliseState,
  parseJobcomp,
  parseSacct,
  parseScontrol,
  parseSqueue,
  SACCT_FIELDS,
  type SlurmJobState,
  SQUEUE_FORMAT,
} from './slurm-parse.ts';
import {
  type BatchTemplate,
  checkSlurmPath,
  envScript,
  loadTemplate,
  renderBatchScript,
  type SbatchSettings,
  sbatchLines,
  sbatchSettings,
  setupLines,
} from './slurm-script.ts';

/** What a Slurm client command printed. */
export interface SlurmCommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one Slurm client command (injectable for tests). @throws ExecutorError when it cannot start. */
export type SlurmExec = (command: string, args: readonly string[]) => Promise<SlurmCommandResult>;

/** How end states are read: with sacct, without it, or sacct when it works. */
export type SlurmAccounting = NonNullable<SlurmSettings['accounting']>;

/**
 * Options of {@link createSlurmExecutor}: the study config's Slurm settings
 * ({@link SlurmSettings}, documented there), a job directory that is now
 * required, and what only code can pass.
 */
export interface SlurmExecutorOptions extends SlurmSettings {
  /** Job directories go here; it must be visible from the compute nodes. */
  readonly workDir: string;
  /** A Slurm command not answering within this many seconds fails the call (default 60). */
  readonly commandTimeoutSeconds?: number;
  /** How many bytes of stderr to keep in a failure text (default 2000). */
  readonly stderrTailBytes?: number;
  /** Runs the Slurm commands (default: execFile on PATH). */
  readonly exec?: SlurmExec;
}

/** What a Slurm handle's `meta` holds (plain JSON). */
export interface SlurmJobMeta {
  /** The trial's job directory. */
  readonly dir: string;
  readonly stdout: string;
  readonly stderr: string;
  /** The Slurm job name (`mixopt-<study>-t<trial>...`). */
  readonly name: string;
  /** For an array task: the array's job id and the task index; else null. */
  readonly arrayJobId: string | null;
  readonly taskId: number | null;
  readonly submittedAt: number;
  /** The metric a line without `metric` belongs to (single-metric studies). */
  readonly defaultMetric: string | null;
}

/** The default {@link SlurmExec}: no shell, a time limit, output as text. */
export function execSlurmCommand(timeoutSeconds = 60): SlurmExec {
  return (command, args) =>
    new Promise((res, rej) => {
      execFile(
        command,
        [...args],
        { timeout: timeoutSeconds * 1000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err === null) return res({ code: 0, stdout, stderr });
          const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
          if (e.code === 'ENOENT')
            return rej(
              new ExecutorError(
                `'${command}' is not on PATH: run mixopt where the Slurm client commands work (a login node), or load the Slurm module first`,
              ),
            );
          if (e.killed === true)
            return rej(
              new ExecutorError(
                `'${command} ${args.join(' ')}' did not answer within ${timeoutSeconds} s (is slurmctld up? try 'scontrol ping')`,
              ),
            );
          res({ code: typeof e.code === 'number' ? e.code : 1, stdout, stderr });
        },
      );
    });
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** An unknown job id is not an error to us: it means "Slurm no longer knows it". */
const INVALID_ID = /invalid job id/i;

const CLI_KEYS = [
  'template',
  'partition',
  'account',
  'time',
  'gpus',
  'cpusPerTask',
  'mem',
  'extra',
  'array',
  'cwd',
  'env',
  'workDir',
  'accounting',
  'statusIntervalSeconds',
] as const;

/**
 * Parses `--slurm key=value` flags (repeatable) into executor settings:
 * `extra` and `env` (`env=NAME=value`) accumulate; `gpus`, `cpusPerTask` and
 * `statusIntervalSeconds` are numbers; `array` is true/false.
 * @throws ValidationError for an unknown key or a bad value.
 */
export function parseSlurmFlags(flags: readonly string[]): Partial<SlurmExecutorOptions> {
  const out: Record<string, unknown> = {};
  const extra: string[] = [];
  const env: Record<string, string> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    const key = i < 0 ? f : f.slice(0, i);
    const value = i < 0 ? '' : f.slice(i + 1);
    if (!(CLI_KEYS as readonly string[]).includes(key))
      throw new ValidationError(
        `--slurm '${f}': unknown setting '${key}'; the settings are ${CLI_KEYS.join(', ')} (e.g. --slurm partition=gpu)`,
      );
    if (i < 0 || (value === '' && key !== 'extra'))
      throw new ValidationError(`--slurm '${f}' has no value; write --slurm ${key}=VALUE`);
    if (key === 'extra') extra.push(value);
    else if (key === 'env') {
      const j = value.indexOf('=');
      if (j <= 0) throw new ValidationError(`--slurm '${f}': write env as --slurm env=NAME=value`);
      env[value.slice(0, j)] = value.slice(j + 1);
    } else if (key === 'gpus' || key === 'cpusPerTask' || key === 'statusIntervalSeconds') {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new ValidationError(`--slurm '${f}': ${key} must be a number, got '${value}'`);
      out[key] = n;
    } else if (key === 'array') {
      if (value !== 'true' && value !== 'false')
        throw new ValidationError(`--slurm '${f}': array must be true or false`);
      out.array = value === 'true';
    } else if (key === 'time') out.time = /^\d+$/.test(value) ? Number(value) : value;
    else out[key] = value;
  }
  if (extra.length > 0) out.extra = extra;
  if (Object.keys(env).length > 0) out.env = env;
  return out as Partial<SlurmExecutorOptions>;
}

/** Where a job stands, as far as the status commands tell. */
type Status =
  | { readonly kind: 'live'; readonly state: string }
  | { readonly kind: 'end'; readonly state: SlurmJobState; readonly source: string }
  | { readonly kind: 'unknown' };

/**
 * Builds the Slurm executor. Reads and checks the template and settings once.
 * @throws ValidationError for a bad template, time limit, memory size, extra option or path.
 */
export function createSlurmExecutor(opts: SlurmExecutorOptions): Executor & {
  runBatch(trials: readonly TrialSpec[]): Promise<JobHandle[]>;
} {
  if (typeof opts.template !== 'string' || opts.template === '')
    throw new ValidationError(
      'the Slurm executor needs a batch script template: set executor.template (or --slurm template=job.sbatch); see docs/executors.md',
    );
  const cwd = checkSlurmPath('executor.cwd', resolve(opts.cwd ?? process.cwd()));
  const workDir = checkSlurmPath('executor.workDir', resolve(opts.workDir));
  const template: BatchTemplate = loadTemplate(opts.template, cwd);
  const settings: SbatchSettings = sbatchSettings(opts);
  const accounting = opts.accounting ?? 'auto';
  if (!['auto', 'sacct', 'none'].includes(accounting))
    throw new ValidationError(
      `executor.accounting must be 'auto', 'sacct' or 'none', got '${accounting}'`,
    );
  const intervalMs = (opts.statusIntervalSeconds ?? 5) * 1000;
  if (!(intervalMs > 0))
    throw new ValidationError(
      `executor.statusIntervalSeconds must be a positive number, got ${opts.statusIntervalSeconds}`,
    );
  const exec = opts.exec ?? execSlurmCommand(opts.commandTimeoutSeconds ?? 60);
  const tailBytes = opts.stderrTailBytes ?? 2000;
  // Probe the template once, so a misplaced #SBATCH line fails now, not at the first launch.
  renderBatchScript(
    template,
    sbatchLines(settings, { name: 'x', stdout: 'x', stderr: 'x', cwd }),
    setupLines(['x'], false),
  );

  let sacctWorks = accounting !== 'none';
  /** Last squeue answer: key -> state, and when it was asked. */
  let live = new Map<string, SlurmJobState>();
  let liveAt = 0;
  /** The keys the last squeue asked about, and the query in flight. */
  let asked = new Set<string>();
  let inflight: Promise<void> | undefined;
  const tracked = new Set<string>();
  const ended = new Map<string, Status>();
  const rawIds = new Map<string, string>();
  const log = new MetricLog();

  async function slurm(command: string, args: readonly string[]): Promise<SlurmCommandResult> {
    return exec(command, args);
  }

  /** squeue's lines about `keys` ('' when Slurm knows none of them). */
  async function squeue(keys: readonly string[]): Promise<string> {
    const r = await slurm('squeue', ['-h', '-t', 'all', '-j', keys.join(','), '-o', SQUEUE_FORMAT]);
    if (r.code === 0) return r.stdout;
    if (!INVALID_ID.test(r.stderr))
      throw new ExecutorError(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
    // Slurm 22.05 answers for the known ids of a list; should a release refuse
    // the whole list for one unknown id, ask one by one.
    if (keys.length === 1) return '';
    let out = '';
    for (const k of keys) out += await squeue([k]);
    return out;
  }

  /** One squeue call for every tracked job not known to have ended. */
  async function refresh(): Promise<void> {
    const keys = [...tracked].filter((k) => !ended.has(k));
    asked = new Set(keys);
    const next = new Map<string, SlurmJobState>();
    for (let i = 0; i < keys.length; i += 200) {
      for (const s of parseSqueue(await squeue(keys.slice(i, i + 200)))) {
        next.set(s.key, s);
        if (s.rawId !== undefined) rawIds.set(s.key, s.rawId);
      }
    }
    live = next;
    liveAt = Date.now();
    const gone = keys.filter((k) => {
      const s = next.get(k);
      return s === undefined || isEndState(s.state);
    });
    if (gone.length > 0) await resolveEnds(gone);
  }

  /** End state of jobs squeue shows as ended or no longer shows. */
  async function resolveEnds(keys: readonly string[]): Promise<void> {
    const found = new Map<string, Status>();
    if (sacctWorks) {
      const r = await slurm('sacct', ['-n', '-P', '-X', '-j', keys.join(','), '-o', SACCT_FIELDS]);
      if (r.code === 0) {
        for (const s of parseSacct(r.stdout))
          if (keys.includes(s.key) && isEndState(s.state))
            found.set(s.key, { kind: 'end', state: s, source: 'sacct' });
      } else if (accounting === 'sacct')
        throw new ExecutorError(
          `sacct failed (exit ${r.code}): ${r.stderr.trim()}; set executor.accounting to 'none' or 'auto' on a cluster without accounting`,
        );
      else if (/disabled|not configured|slurmdbd/i.test(r.stderr)) sacctWorks = false;
    }
    const missing: string[] = [];
    for (const key of keys) {
      if (found.has(key)) continue;
      const q = live.get(key);
      if (q !== undefined) {
        // Still held by the controller: scontrol has the exit code and reason.
        const r = await slurm('scontrol', ['-o', 'show', 'job', key]);
        const s = r.code === 0 ? parseScontrol(r.stdout, key) : undefined;
        if (s !== undefined && isEndState(s.state))
          found.set(key, { kind: 'end', state: s, source: 'scontrol' });
        else found.set(key, { kind: 'end', state: q, source: 'squeue' });
      } else missing.push(key);
    }
    // Forgotten by the controller and not in sacct: the job-completion log, by raw id.
    const byRaw = new Map<string, string>();
    for (const key of missing) {
      const raw = rawIds.get(key);
      if (raw !== undefined) byRaw.set(raw, key);
    }
    if (byRaw.size > 0) {
      const r = await slurm('sacct', [
        '-c',
        '-n',
        '-P',
        '-j',
        [...byRaw.keys()].join(','),
        '-o',
        JOBCOMP_FIELDS,
      ]);
      if (r.code === 0)
        for (const s of parseJobcomp(r.stdout)) {
          const key = byRaw.get(s.key);
          if (key !== undefined && isEndState(s.state))
            found.set(key, {
              kind: 'end',
              state: { ...s, key },
              source: 'the job completion log (sacct -c)',
            });
        }
    }
    for (const key of keys) {
      const s = found.get(key);
      if (s !== undefined) ended.set(key, s);
      else if (!live.has(key)) ended.set(key, { kind: 'unknown' });
    }
  }

  /** Where the job `key` stands; asks Slurm at most every statusIntervalSeconds. */
  async function status(key: string, m: SlurmJobMeta): Promise<Status> {
    const done = ended.get(key);
    if (done !== undefined) return done;
    const raw = readText(join(m.dir, 'slurm-job-id')).trim();
    if (/^\d+$/.test(raw)) rawIds.set(key, raw);
    tracked.add(key);
    // One squeue at a time: concurrent polls wait for the query in flight, and
    // only a query that included `key` may declare its job ended.
    while (inflight !== undefined) await inflight.catch(() => {});
    if (!(asked.has(key) && Date.now() - liveAt < intervalMs)) {
      inflight = refresh();
      try {
        await inflight;
      } finally {
        inflight = undefined;
      }
    }
    const after = ended.get(key);
    if (after !== undefined) return after;
    return { kind: 'live', state: live.get(key)?.state ?? 'PENDING' };
  }

  /** The job's points so far, read incrementally. `final`: the job has ended. */
  function metrics(m: SlurmJobMeta, final: boolean): { points: MetricPoint[]; bad?: string } {
    return log.read([m.stdout, join(m.dir, 'metrics.jsonl')], m.defaultMetric, final);
  }

  function failure(m: SlurmJobMeta, why: string): string {
    const err = tailFile(m.stderr, tailBytes);
    return err === '' ? why : `${why}; stderr tail:\n${err}`;
  }

  /** The handle stored in a trial's job directory, if its job is still pending or running. */
  async function liveHandleIn(dir: string): Promise<JobHandle | undefined> {
    const file = join(dir, 'handle.json');
    if (!existsSync(file)) return undefined;
    let h: JobHandle;
    try {
      h = JSON.parse(readFileSync(file, 'utf8')) as JobHandle;
    } catch {
      return undefined;
    }
    if (h.executor !== 'slurm' || typeof h.jobId !== 'string') return undefined;
    const s = await status(h.jobId, h.meta as unknown as SlurmJobMeta);
    return s.kind === 'live' ? h : undefined;
  }

  interface Prepared {
    readonly trial: TrialSpec;
    readonly dir: string;
    readonly existing?: JobHandle;
  }

  /**
   * The job submitted for `dir` whose handle was never written (the driver
   * died between sbatch and the handle), found by its job name, if it is
   * pending, running or completed.
   */
  async function submittedJobIn(dir: string, trial: TrialSpec): Promise<JobHandle | undefined> {
    if (existsSync(join(dir, 'handle.json'))) return undefined;
    const name = readText(join(dir, 'submitting')).trim();
    if (name === '') return undefined;
    const r = await slurm('squeue', ['-h', '-t', 'all', '--name', name, '-o', '%i|%T|%o']);
    if (r.code !== 0) throw new ExecutorError(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
    const script = join(dir, 'job.sh');
    for (const line of r.stdout.split('\n')) {
      const [id = '', raw = '', command = ''] = line.trim().split('|');
      const state = normaliseState(raw);
      // The batch script names the job folder: a job of the same name from elsewhere is not ours.
      if (!/^\d+$/.test(id) || command.trim() !== script) continue;
      if (isEndState(state) && state !== 'COMPLETED') continue;
      return handleFor({ dir }, id, singleMeta(dir, name, trial));
    }
    return undefined;
  }

  async function prepare(trial: TrialSpec): Promise<Prepared> {
    const dir = join(workDir, safeName(`${trial.study}-t${trial.trial}-a${trial.attempt}`));
    const existing = (await liveHandleIn(dir)) ?? (await submittedJobIn(dir, trial));
    if (existing !== undefined) return { trial, dir, existing };
    for (const f of ['stdout', 'metrics.jsonl']) log.forget(join(dir, f));
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const trialFile = join(dir, 'trial.json');
      const metricsFile = join(dir, 'metrics.jsonl');
      writeFileSync(
        trialFile,
        `${JSON.stringify({ ...trial, metricsFile, jobDir: dir }, null, 2)}\n`,
      );
      writeFileSync(metricsFile, '');
      writeFileSync(
        join(dir, 'env.sh'),
        envScript({
          ...opts.env,
          ...trialEnv(trial, trialFile, metricsFile),
          MIXOPT_JOB_DIR: dir,
          MIXOPT_CWD: cwd,
        }),
      );
    } catch (err) {
      if (err instanceof ValidationError) throw new ExecutorError(err.message);
      throw new ExecutorError(
        `cannot write the job directory '${dir}': ${(err as Error).message}; set executor.workDir to a writable directory the compute nodes can see`,
      );
    }
    return { trial, dir };
  }

  async function sbatch(script: string): Promise<string> {
    const r = await slurm('sbatch', ['--parsable', script]);
    const id = r.stdout.trim().split('\n').pop()?.split(';')[0]?.trim() ?? '';
    if (r.code !== 0 || !/^\d+$/.test(id))
      throw new ExecutorError(
        `sbatch rejected ${script} (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}; check executor.partition/account/time/gpus/extra and the template against your cluster ('sinfo', 'sacctmgr show assoc user=$USER')`,
      );
    return id;
  }

  function handleFor(p: { readonly dir: string }, jobId: string, meta: SlurmJobMeta): JobHandle {
    const h: JobHandle = { executor: 'slurm', jobId, meta: { ...meta } };
    writeFileSync(join(p.dir, 'handle.json.tmp'), `${JSON.stringify(h)}\n`);
    renameSync(join(p.dir, 'handle.json.tmp'), join(p.dir, 'handle.json'));
    tracked.add(jobId);
    return h;
  }

  function defaultMetric(t: TrialSpec): string | null {
    return t.metrics.length === 1 ? (t.metrics[0] as string) : null;
  }

  function singleMeta(dir: string, name: string, t: TrialSpec): SlurmJobMeta {
    return {
      dir,
      stdout: join(dir, 'stdout'),
      stderr: join(dir, 'stderr'),
      name,
      arrayJobId: null,
      taskId: null,
      submittedAt: Date.now(),
      defaultMetric: defaultMetric(t),
    };
  }

  async function submitOne(p: Prepared): Promise<JobHandle> {
    const t = p.trial;
    const name = safeName(`mixopt-${t.study}-t${t.trial}-a${t.attempt}`);
    const { stdout, stderr } = singleMeta(p.dir, name, t);
    const script = join(p.dir, 'job.sh');
    writeFileSync(
      script,
      renderBatchScript(
        template,
        sbatchLines(settings, { name, stdout, stderr, cwd }),
        setupLines([p.dir], false),
      ),
      { mode: 0o755 },
    );
    // The job name finds the job again should this driver die before the handle is written.
    writeFileSync(join(p.dir, 'submitting'), `${name}\n`);
    const id = await sbatch(script);
    crashPoint('launch');
    return handleFor(p, id, singleMeta(p.dir, name, t));
  }

  async function submitArray(ps: readonly Prepared[]): Promise<JobHandle[]> {
    const first = ps[0]?.trial as TrialSpec;
    const last = ps.at(-1)?.trial as TrialSpec;
    const stamp = Date.now().toString(36);
    const bdir = join(workDir, safeName(`${first.study}-array-${stamp}`));
    const name = safeName(`mixopt-${first.study}-t${first.trial}-t${last.trial}`);
    try {
      mkdirSync(bdir, { recursive: true });
    } catch (err) {
      throw new ExecutorError(`cannot create '${bdir}': ${(err as Error).message}`);
    }
    const script = join(bdir, 'job.sh');
    writeFileSync(
      script,
      renderBatchScript(
        template,
        sbatchLines(settings, {
          name,
          stdout: join(bdir, '%a.stdout'),
          stderr: join(bdir, '%a.stderr'),
          cwd,
          arrayTasks: ps.length,
        }),
        setupLines(
          ps.map((p) => p.dir),
          true,
        ),
      ),
      { mode: 0o755 },
    );
    const id = await sbatch(script);
    return ps.map((p, i) => {
      const stdout = join(bdir, `${i}.stdout`);
      const stderr = join(bdir, `${i}.stderr`);
      for (const [link, target] of [
        [join(p.dir, 'stdout'), stdout],
        [join(p.dir, 'stderr'), stderr],
      ] as const) {
        try {
          symlinkSync(target, link);
        } catch {
          // a convenience for people browsing the job directory
        }
      }
      return handleFor(p, `${id}_${i}`, {
        dir: p.dir,
        stdout,
        stderr,
        name,
        arrayJobId: id,
        taskId: i,
        submittedAt: Date.now(),
        defaultMetric: defaultMetric(p.trial),
      });
    });
  }

  async function runBatch(trials: readonly TrialSpec[]): Promise<JobHandle[]> {
    const ps: Prepared[] = [];
    for (const t of trials) ps.push(await prepare(t));
    const out = new Map<Prepared, JobHandle>();
    const fresh: Prepared[] = [];
    for (const p of ps) {
      if (p.existing !== undefined) out.set(p, p.existing);
      else fresh.push(p);
    }
    if (opts.array === true && fresh.length > 1) {
      const hs = await submitArray(fresh);
      fresh.forEach((p, i) => {
        out.set(p, hs[i] as JobHandle);
      });
    } else for (const p of fresh) out.set(p, await submitOne(p));
    return ps.map((p) => out.get(p) as JobHandle);
  }

  async function cancelJob(handle: JobHandle, why: string): Promise<void> {
    const m = handle.meta as unknown as SlurmJobMeta;
    if (ended.has(handle.jobId)) return;
    if (existsSync(m.dir) && !existsSync(join(m.dir, 'exit-code')))
      writeFileSync(join(m.dir, 'cancelled'), `${why}\n`);
    const r = await slurm('scancel', [handle.jobId]);
    if (r.code !== 0 && !INVALID_ID.test(r.stderr))
      throw new ExecutorError(
        `scancel ${handle.jobId} failed (exit ${r.code}): ${r.stderr.trim()}`,
      );
    liveAt = 0; // ask again at the next poll
  }

  return {
    name: 'slurm',
    async run(trial: TrialSpec): Promise<JobHandle> {
      return (await runBatch([trial]))[0] as JobHandle;
    },
    runBatch,

    async poll(handle: JobHandle): Promise<JobReport> {
      const m = handle.meta as unknown as SlurmJobMeta;
      const key = handle.jobId;
      // State first, then the job's lines: a job seen as ended has written all of them
      // (read the other way round, lines written between the two reads would be missed).
      const s = await status(key, m);
      const { points, bad } = metrics(m, s.kind !== 'live');
      if (bad !== undefined) {
        if (s.kind === 'live') await cancelJob(handle, `job reported ${bad}`);
        return { phase: 'failed', points, error: failure(m, `job reported ${bad}`) };
      }
      if (s.kind === 'live') return { phase: 'running', points };
      if (s.kind === 'end') {
        if (s.state.state !== 'COMPLETED')
          return { phase: 'failed', points, error: failure(m, describeEnd(s.state, s.source)) };
        if (points.length === 0)
          return {
            phase: 'failed',
            points,
            error: failure(
              m,
              `Slurm job ${key} completed without reporting any metric line (on stdout ${m.stdout} or in ${join(m.dir, 'metrics.jsonl')})`,
            ),
          };
        return { phase: 'completed', points };
      }
      // Slurm no longer knows the job: the job's own files tell.
      const exit = readText(join(m.dir, 'exit-code')).trim();
      const cancelled = readText(join(m.dir, 'cancelled')).trim();
      const lost = `Slurm no longer knows job ${key}`;
      if (/^\d+$/.test(exit)) {
        const code = Number(exit);
        if (code === 0 && points.length > 0) return { phase: 'completed', points };
        const why =
          code === 0
            ? 'exited 0 without reporting any metric line'
            : code > 128
              ? (describeExitCode(`0:${code - 128}`) as string)
              : `exit code ${code}`;
        return {
          phase: 'failed',
          points,
          error: failure(m, `job ${key} ${why} (from its exit-code file; ${lost})`),
        };
      }
      if (cancelled !== '')
        return {
          phase: 'failed',
          points,
          error: failure(m, `job ${key} was cancelled: ${cancelled} (${lost})`),
        };
      return {
        phase: 'failed',
        points,
        error: failure(
          m,
          `${lost} (not in squeue, sacct or the job completion log) and it left no exit status: killed, cancelled, timed out or its node failed`,
        ),
      };
    },

    async cancel(handle: JobHandle): Promise<void> {
      await cancelJob(handle, 'cancelled by mixopt');
    },
  };
}
