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
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Executor,
  ExecutorError,
  type JobHandle,
  type JobReport,
  type SlurmSettings,
  type TrialSpec,
  ValidationError,
} from '../core/index.ts';
import { MetricLog, tailFile } from './job-output.ts';
import {
  type PreparedJob,
  prepareJob,
  readText,
  type SlurmJobContext,
  submitArray,
  submitOne,
} from './slurm-jobs.ts';
import { slurmJobMeta } from './slurm-meta.ts';
import { slurmPollReport } from './slurm-report.ts';
import {
  checkSlurmPath,
  loadTemplate,
  renderBatchScript,
  sbatchLines,
  sbatchSettings,
  setupLines,
} from './slurm-script.ts';
import { INVALID_ID, SlurmStatusBoard } from './slurm-status.ts';

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

/** The executor's checked settings and its parts: the file side's context plus the poll's. */
interface SlurmParts extends SlurmJobContext {
  /** Submit several fresh trials as one job array. */
  readonly array: boolean;
  /** Bytes of stderr kept in a failure text. */
  readonly tailBytes: number;
}

/**
 * Checks the options and builds the executor's parts. Reads and checks the template once, so a
 * misplaced #SBATCH line fails now, not at the first launch.
 * @throws ValidationError for a bad template, time limit, memory size, extra option or path.
 */
function slurmParts(opts: SlurmExecutorOptions): SlurmParts {
  if (typeof opts.template !== 'string' || opts.template === '')
    throw new ValidationError(
      'the Slurm executor needs a batch script template: set executor.template (or --slurm template=job.sbatch); see docs/executors.md',
    );
  const cwd = checkSlurmPath('executor.cwd', resolve(opts.cwd ?? process.cwd()));
  const workDir = checkSlurmPath('executor.workDir', resolve(opts.workDir));
  const template = loadTemplate(opts.template, cwd);
  const settings = sbatchSettings(opts);
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
  renderBatchScript(
    template,
    sbatchLines(settings, { name: 'x', stdout: 'x', stderr: 'x', cwd }),
    setupLines(['x'], false),
  );
  return {
    exec,
    cwd,
    workDir,
    template,
    settings,
    env: opts.env,
    board: new SlurmStatusBoard(exec, accounting, intervalMs),
    log: new MetricLog(),
    array: opts.array === true,
    tailBytes: opts.stderrTailBytes ?? 2000,
  };
}

/** Prepares every trial, then submits the fresh ones (as one array when asked to). */
async function runBatch(parts: SlurmParts, trials: readonly TrialSpec[]): Promise<JobHandle[]> {
  const ps: PreparedJob[] = [];
  for (const t of trials) ps.push(await prepareJob(parts, t));
  const out = new Map<PreparedJob, JobHandle>();
  const fresh: PreparedJob[] = [];
  for (const p of ps) {
    if (p.existing !== undefined) out.set(p, p.existing);
    else fresh.push(p);
  }
  if (parts.array && fresh.length > 1) {
    const hs = await submitArray(parts, fresh);
    fresh.forEach((p, i) => {
      out.set(p, hs[i] as JobHandle);
    });
  } else for (const p of fresh) out.set(p, await submitOne(parts, p));
  return ps.map((p) => out.get(p) as JobHandle);
}

/** Notes why in the job directory (unless the job has ended), then scancel. */
async function cancelJob(parts: SlurmParts, handle: JobHandle, why: string): Promise<void> {
  const m = slurmJobMeta(handle);
  if (parts.board.hasEnded(handle.jobId)) return;
  if (existsSync(m.dir) && !existsSync(join(m.dir, 'exit-code')))
    writeFileSync(join(m.dir, 'cancelled'), `${why}\n`);
  const r = await parts.exec('scancel', [handle.jobId]);
  if (r.code !== 0 && !INVALID_ID.test(r.stderr))
    throw new ExecutorError(`scancel ${handle.jobId} failed (exit ${r.code}): ${r.stderr.trim()}`);
  parts.board.invalidate(); // ask again at the next poll
}

/** One poll: the job's state, then its lines (a job seen as ended has written all of them). */
async function pollJob(parts: SlurmParts, handle: JobHandle): Promise<JobReport> {
  const m = slurmJobMeta(handle);
  const key = handle.jobId;
  // State first, then the job's lines: read the other way round, lines written between the
  // two reads would be missed.
  const rawId = parts.board.hasEnded(key) ? undefined : readText(join(m.dir, 'slurm-job-id'));
  const status = await parts.board.status(key, rawId?.trim());
  const { points, bad } = parts.log.read(
    [m.stdout, join(m.dir, 'metrics.jsonl')],
    m.defaultMetric,
    status.kind !== 'live',
  );
  if (bad !== undefined && status.kind === 'live')
    await cancelJob(parts, handle, `job reported ${bad}`);
  return slurmPollReport({
    key,
    meta: m,
    status,
    points,
    bad,
    jobFile: (name) => readText(join(m.dir, name)),
    failure: (why) => {
      const err = tailFile(m.stderr, parts.tailBytes);
      return err === '' ? why : `${why}; stderr tail:\n${err}`;
    },
  });
}

/**
 * Builds the Slurm executor: checks the settings ({@link slurmParts}), then wires the file side
 * (./slurm-jobs.ts), the status state machine (./slurm-status.ts) and the poll's decision
 * (./slurm-report.ts).
 * @throws ValidationError for a bad template, time limit, memory size, extra option or path.
 */
export function createSlurmExecutor(opts: SlurmExecutorOptions): Executor & {
  runBatch(trials: readonly TrialSpec[]): Promise<JobHandle[]>;
} {
  const parts = slurmParts(opts);
  return {
    name: 'slurm',
    async run(trial: TrialSpec): Promise<JobHandle> {
      return (await runBatch(parts, [trial]))[0] as JobHandle;
    },
    runBatch: (trials) => runBatch(parts, trials),
    poll: (handle) => pollJob(parts, handle),
    async cancel(handle: JobHandle): Promise<void> {
      await cancelJob(parts, handle, 'cancelled by mixopt');
    },
  };
}
