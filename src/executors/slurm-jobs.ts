/**
 * The Slurm executor's file side: a trial attempt's job directory (trial.json, env.sh, job.sh,
 * submitting, handle.json, the job's output), the batch scripts, `sbatch`, and finding a job
 * again after the driver died (see the layout in ./slurm.ts). No status logic: that is
 * ./slurm-status.ts.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  crashPoint,
  ExecutorError,
  type JobHandle,
  type TrialSpec,
  ValidationError,
} from '../core/index.ts';
import type { MetricLog } from './job-output.ts';
import { trialEnv } from './local.ts';
import type { SlurmExec } from './slurm.ts';
import { type SlurmJobMeta, SlurmJobMetaSchema, slurmJobMeta } from './slurm-meta.ts';
import { isEndState, normaliseState } from './slurm-parse.ts';
import {
  type BatchTemplate,
  envScript,
  renderBatchScript,
  type SbatchSettings,
  sbatchLines,
  setupLines,
} from './slurm-script.ts';
import type { SlurmStatusBoard } from './slurm-status.ts';

/** What the file side needs, checked once by the executor. */
export interface SlurmJobContext {
  readonly exec: SlurmExec;
  /** The jobs' working directory and the job directories' root (absolute). */
  readonly cwd: string;
  readonly workDir: string;
  readonly template: BatchTemplate;
  readonly settings: SbatchSettings;
  /** Extra environment of every job (the config's `env`). */
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly board: SlurmStatusBoard;
  readonly log: MetricLog;
}

/** A trial attempt whose job directory is ready, or whose job was found still there. */
export interface PreparedJob {
  readonly trial: TrialSpec;
  readonly dir: string;
  readonly existing?: JobHandle;
}

export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** A file's text, '' when it is missing or unreadable. */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The metric a line without `metric` belongs to (single-metric studies). */
function defaultMetric(t: TrialSpec): string | null {
  return t.metrics.length === 1 ? (t.metrics[0] as string) : null;
}

/** The meta of a single (non-array) job of trial `t` in `dir`. */
export function singleMeta(dir: string, name: string, t: TrialSpec): SlurmJobMeta {
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

/** Writes the handle to `dir`/handle.json (atomically) and starts tracking the job. */
function writeHandle(
  ctx: SlurmJobContext,
  dir: string,
  jobId: string,
  meta: SlurmJobMeta,
): JobHandle {
  const h: JobHandle = { executor: 'slurm', jobId, meta: { ...meta } };
  writeFileSync(join(dir, 'handle.json.tmp'), `${JSON.stringify(h)}\n`);
  renameSync(join(dir, 'handle.json.tmp'), join(dir, 'handle.json'));
  ctx.board.track(jobId);
  return h;
}

/** The handle stored in a trial's job directory, if its job is still pending or running. */
async function liveHandleIn(ctx: SlurmJobContext, dir: string): Promise<JobHandle | undefined> {
  const file = join(dir, 'handle.json');
  if (!existsSync(file)) return undefined;
  let h: JobHandle;
  try {
    h = JSON.parse(readFileSync(file, 'utf8')) as JobHandle;
  } catch {
    return undefined;
  }
  if (h === null || h.executor !== 'slurm' || typeof h.jobId !== 'string') return undefined;
  if (!SlurmJobMetaSchema.safeParse(h.meta).success) return undefined;
  const m = slurmJobMeta(h);
  const s = await ctx.board.status(h.jobId, readText(join(m.dir, 'slurm-job-id')).trim());
  return s.kind === 'live' ? h : undefined;
}

/**
 * The job submitted for `dir` whose handle was never written (the driver died between sbatch and
 * the handle), found by its job name, if it is pending, running or completed.
 */
async function submittedJobIn(
  ctx: SlurmJobContext,
  dir: string,
  trial: TrialSpec,
): Promise<JobHandle | undefined> {
  if (existsSync(join(dir, 'handle.json'))) return undefined;
  const name = readText(join(dir, 'submitting')).trim();
  if (name === '') return undefined;
  const r = await ctx.exec('squeue', ['-h', '-t', 'all', '--name', name, '-o', '%i|%T|%o']);
  if (r.code !== 0) throw new ExecutorError(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
  const script = join(dir, 'job.sh');
  for (const line of r.stdout.split('\n')) {
    const [id = '', raw = '', command = ''] = line.trim().split('|');
    const state = normaliseState(raw);
    // The batch script names the job folder: a job of the same name from elsewhere is not ours.
    if (!/^\d+$/.test(id) || command.trim() !== script) continue;
    if (isEndState(state) && state !== 'COMPLETED') continue;
    return writeHandle(ctx, dir, id, singleMeta(dir, name, trial));
  }
  return undefined;
}

/**
 * The job directory of `trial`'s attempt: the job already there (still live, or submitted but
 * never recorded), or a fresh directory with trial.json, metrics.jsonl and env.sh.
 * @throws ExecutorError when the directory cannot be written.
 */
export async function prepareJob(ctx: SlurmJobContext, trial: TrialSpec): Promise<PreparedJob> {
  const dir = join(ctx.workDir, safeName(`${trial.study}-t${trial.trial}-a${trial.attempt}`));
  const existing = (await liveHandleIn(ctx, dir)) ?? (await submittedJobIn(ctx, dir, trial));
  if (existing !== undefined) return { trial, dir, existing };
  for (const f of ['stdout', 'metrics.jsonl']) ctx.log.forget(join(dir, f));
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
        ...ctx.env,
        ...trialEnv(trial, trialFile, metricsFile),
        MIXOPT_JOB_DIR: dir,
        MIXOPT_CWD: ctx.cwd,
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

/** Submits `script`; returns the job id. @throws ExecutorError when sbatch rejects it. */
async function sbatch(ctx: SlurmJobContext, script: string): Promise<string> {
  const r = await ctx.exec('sbatch', ['--parsable', script]);
  const id = r.stdout.trim().split('\n').pop()?.split(';')[0]?.trim() ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id))
    throw new ExecutorError(
      `sbatch rejected ${script} (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}; check executor.partition/account/time/gpus/extra and the template against your cluster ('sinfo', 'sacctmgr show assoc user=$USER')`,
    );
  return id;
}

/** One batch job for one prepared trial. */
export async function submitOne(ctx: SlurmJobContext, p: PreparedJob): Promise<JobHandle> {
  const t = p.trial;
  const name = safeName(`mixopt-${t.study}-t${t.trial}-a${t.attempt}`);
  const { stdout, stderr } = singleMeta(p.dir, name, t);
  const script = join(p.dir, 'job.sh');
  writeFileSync(
    script,
    renderBatchScript(
      ctx.template,
      sbatchLines(ctx.settings, { name, stdout, stderr, cwd: ctx.cwd }),
      setupLines([p.dir], false),
    ),
    { mode: 0o755 },
  );
  // The job name finds the job again should this driver die before the handle is written.
  writeFileSync(join(p.dir, 'submitting'), `${name}\n`);
  const id = await sbatch(ctx, script);
  crashPoint('launch');
  return writeHandle(ctx, p.dir, id, singleMeta(p.dir, name, t));
}

/** One job array for several prepared trials (task i runs `ps[i]`). */
export async function submitArray(
  ctx: SlurmJobContext,
  ps: readonly PreparedJob[],
): Promise<JobHandle[]> {
  const first = ps[0]?.trial as TrialSpec;
  const last = ps.at(-1)?.trial as TrialSpec;
  const stamp = Date.now().toString(36);
  const bdir = join(ctx.workDir, safeName(`${first.study}-array-${stamp}`));
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
      ctx.template,
      sbatchLines(ctx.settings, {
        name,
        stdout: join(bdir, '%a.stdout'),
        stderr: join(bdir, '%a.stderr'),
        cwd: ctx.cwd,
        arrayTasks: ps.length,
      }),
      setupLines(
        ps.map((p) => p.dir),
        true,
      ),
    ),
    { mode: 0o755 },
  );
  const id = await sbatch(ctx, script);
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
    return writeHandle(ctx, p.dir, `${id}_${i}`, {
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
