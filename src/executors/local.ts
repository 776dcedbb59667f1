/**
 * The local executor: runs the user's training command, one process per
 * trial, on this machine.
 *
 * Job contract (docs/executors.md): the command runs under `/bin/sh` in its
 * own process group, with the trial as a JSON file (`MIXOPT_TRIAL_FILE`) and
 * as environment variables (`MIXOPT_WEIGHTS`, `MIXOPT_SCALE`, `MIXOPT_STEPS`,
 * ...). It reports metrics as JSON lines, on stdout or appended to
 * `MIXOPT_METRICS_FILE`: `{"step": 6000, "metric": "val_loss", "value": 2.31}`
 * (`metric` may be omitted when the study reads one metric). Other output
 * lines are ignored. Exit code 0 = completed; anything else, a crash, a
 * timeout or a non-finite value = failed, with the tail of stderr kept.
 *
 * Everything lives in a job directory (trial.json, stdout, stderr, metrics,
 * exit-code), and the job is detached from mixopt: when `mixopt run` is killed
 * the job keeps running, and a restarted `mixopt run` re-attaches by reading
 * the directory named in the handle and checking the process (pid, start
 * time and boot: a reused pid is not the job).
 *
 * At most one process per job folder: a driver killed between launching a
 * job and storing its handle finds the job again when it launches the same
 * trial attempt (`run` adopts a running or finished job in the folder instead
 * of starting a second one). Stopping a job (timeout, cancel, bad value)
 * stops its whole process group, SIGTERM then SIGKILL, and checks that no
 * process of the group is left.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Executor, JobHandle, JobReport, TrialSpec } from '../core/index.ts';
import { crashPoint, ExecutorError, readBackMeta } from '../core/index.ts';
import { MetricLog, tailFile } from './job-output.ts';
import {
  groupAlive,
  groupMembers,
  identify,
  isRunning,
  type ProcessIdentity,
  parseProcStat,
  pidExists,
  signalGroup,
} from './process.ts';

/** Options of {@link createLocalExecutor}. */
export interface LocalExecutorOptions {
  /** Shell command that trains one trial. */
  readonly command: string;
  /** Directory under which each job gets its own folder. */
  readonly workDir: string;
  /** Working directory of the command (default: the current one). */
  readonly cwd?: string;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill a job running longer than this and fail the trial. */
  readonly timeoutSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL when stopping a job (default 5). */
  readonly killGraceSeconds?: number;
  /** How many bytes of stderr to keep in the error text (default 2000). */
  readonly stderrTailBytes?: number;
  /**
   * How long `run` waits for a launch that an earlier driver began in the
   * same job folder to show its process, before taking it as never started
   * (ms, default 5000).
   */
  readonly launchWaitMs?: number;
}

const LocalMetaSchema = z.object({
  dir: z.string().min(1),
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.number(),
  timeoutSeconds: z.number().nullable(),
  /** The metric a line without `metric` belongs to (single-metric studies). */
  defaultMetric: z.string().nullable(),
  /** The wrapper's start time and boot (see `process.ts`); absent in handles of older versions. */
  startTicks: z.number().nullable().optional(),
  bootId: z.string().nullable().optional(),
});

/** What a local handle's `meta` holds (plain JSON). */
type LocalMeta = Readonly<z.infer<typeof LocalMetaSchema>>;

/**
 * The meta of a stored local job handle, checked.
 * @throws DataError naming the job and the bad fields, when it is not a local job's meta.
 */
function localMeta(handle: JobHandle): LocalMeta {
  return readBackMeta(
    LocalMetaSchema,
    handle,
    'local',
    `stop the job by hand (kill ${handle.jobId}) and fail the trial (mixopt tell --trial ID --failed MESSAGE)`,
  );
}

// The wrapper first claims the job folder for its own launch, atomically
// (mkdir) and only when the folder's launch token is its own: so a folder
// runs the command at most once, and a launch whose driver was killed before
// the claim never runs it once the folder was made again. It records its pid,
// start time and boot in the claim (the driver may die before writing the
// handle), runs the user's command in a child shell and records its exit
// status atomically, so that a job finishing after mixopt died is still read.
const WRAPPER = [
  'D="$MIXOPT_JOB_DIR"',
  '[ "$(cat "$D/launch" 2>/dev/null)" = "$MIXOPT_LAUNCH_TOKEN" ] && mkdir "$D/claim" 2>/dev/null || exit 75',
  'cat /proc/$$/stat > "$D/claim/stat" 2>/dev/null; cat /proc/sys/kernel/random/boot_id > "$D/claim/boot" 2>/dev/null',
  'echo $$ > "$D/claim/pid.tmp" && mv "$D/claim/pid.tmp" "$D/claim/pid"',
  '/bin/sh -c "$MIXOPT_COMMAND"; c=$?; echo "$c" > "$D/exit-code.tmp" && mv "$D/exit-code.tmp" "$D/exit-code"',
].join('\n');

function envName(domain: string): string {
  return domain.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The environment variables a job receives (besides the inherited ones). */
export function trialEnv(
  trial: TrialSpec,
  trialFile: string,
  metricsFile: string,
): Record<string, string> {
  const env: Record<string, string> = {
    MIXOPT_TRIAL_FILE: trialFile,
    MIXOPT_METRICS_FILE: metricsFile,
    MIXOPT_STUDY: trial.study,
    MIXOPT_TRIAL_ID: trial.trial,
    MIXOPT_ATTEMPT: String(trial.attempt),
    MIXOPT_DOMAINS: trial.domains.join(','),
    MIXOPT_WEIGHTS: trial.mixture.join(','),
    MIXOPT_SCALE: trial.scale,
    MIXOPT_PARAMS: String(trial.params),
    MIXOPT_STEPS: String(trial.steps),
    MIXOPT_LOG_EVERY: String(trial.logEvery),
    MIXOPT_METRICS: trial.metrics.join(','),
    MIXOPT_SEED: String(trial.seed),
  };
  trial.domains.forEach((d, i) => {
    env[`MIXOPT_WEIGHT_${envName(d)}`] = String(trial.mixture[i]);
  });
  if (trial.continues !== undefined) {
    env.MIXOPT_CONTINUES_TRIAL = trial.continues.trial;
    env.MIXOPT_CONTINUES_STEPS = String(trial.continues.steps);
  }
  return env;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Markers mixopt writes into a job folder when it stops the job, and what they mean. */
const STOP_MARKERS = [
  ['bad-value', 'reported a bad value'],
  ['timed-out', 'timed out'],
  ['cancelled', 'cancelled'],
] as const;

let launches = 0;

/** The local executor's checked options and its line reader. */
interface LocalParts {
  readonly opts: LocalExecutorOptions;
  readonly workDir: string;
  readonly tailBytes: number;
  /** Milliseconds between SIGTERM and SIGKILL. */
  readonly grace: number;
  /** Milliseconds to wait for a launch in flight to claim its folder. */
  readonly launchWait: number;
  readonly log: MetricLog;
}

function identity(m: LocalMeta): ProcessIdentity {
  return {
    pid: m.pid,
    startTicks: m.startTicks ?? null,
    bootId: m.bootId ?? null,
  };
}
/** Whether the job runs on this host (only then can its processes be seen and signalled). */
function here(m: LocalMeta): boolean {
  return m.host === hostname();
}

/**
 * Stops the job's whole process group: SIGTERM, then SIGKILL after the
 * grace period, then checks that no process of the group is left.
 * @throws ExecutorError when some process survives SIGKILL.
 */
async function stopGroup(ctx: LocalParts, m: LocalMeta): Promise<void> {
  if (!here(m)) return;
  // Signal the group only while it is the job's: its leader is the job's
  // wrapper, or the leader's pid is free (a group id is never reused while
  // the group has a process, so then the group is the job's orphans).
  if (!isRunning(identity(m)) && pidExists(m.pid)) return;
  if (!groupAlive(m.pid)) return;
  signalGroup(m.pid, 'SIGTERM');
  let until = Date.now() + ctx.grace;
  while (groupAlive(m.pid) && Date.now() < until) await sleep(50);
  if (!groupAlive(m.pid)) return;
  signalGroup(m.pid, 'SIGKILL');
  until = Date.now() + 5000;
  while (groupAlive(m.pid) && Date.now() < until) await sleep(50);
  const left = groupMembers(m.pid);
  if (left.length > 0)
    throw new ExecutorError(
      `processes ${left.join(', ')} of job group ${m.pid} (${m.dir}) survived SIGKILL; stop them by hand ('kill -9 -${m.pid}')`,
    );
}

async function stop(ctx: LocalParts, m: LocalMeta, marker: string, reason: string): Promise<void> {
  if (existsSync(m.dir)) writeFileSync(join(m.dir, marker), reason);
  await stopGroup(ctx, m);
}

function failure(ctx: LocalParts, m: LocalMeta, why: string): string {
  const err = tailFile(join(m.dir, 'stderr'), ctx.tailBytes);
  return err === '' ? why : `${why}; stderr tail:\n${err}`;
}

/** The exit status the wrapper recorded, if any. */
function readExit(m: LocalMeta): number | undefined {
  try {
    const s = readFileSync(join(m.dir, 'exit-code'), 'utf8').trim();
    return s === '' ? undefined : Number(s);
  } catch {
    return undefined;
  }
}

/** The marker mixopt left when it stopped the job: [meaning, reason], if any. */
function stopMarker(dir: string): [string, string] | undefined {
  for (const [file, what] of STOP_MARKERS) {
    try {
      return [what, readFileSync(join(dir, file), 'utf8')];
    } catch {
      // no such marker
    }
  }
  return undefined;
}

function handleOf(m: LocalMeta): JobHandle {
  return { executor: 'local', jobId: String(m.pid), meta: { ...m } };
}

/**
 * The job already launched in `dir` by an earlier driver (one killed
 * between launching the job and storing its handle), if it is running or
 * has finished on its own; undefined when the folder may be made anew.
 * Leftover processes of a stopped or vanished job are killed first.
 */
async function existingJob(
  ctx: LocalParts,
  dir: string,
  trial: TrialSpec,
): Promise<JobHandle | undefined> {
  if (!existsSync(dir)) return undefined;
  const claim = join(dir, 'claim');
  const pidFile = join(claim, 'pid');
  // A launch in flight: its wrapper claims the folder within milliseconds of starting.
  let until = Date.now() + ctx.launchWait;
  while (!existsSync(claim) && existsSync(join(dir, 'launch')) && Date.now() < until)
    await sleep(50);
  if (!existsSync(claim)) return undefined; // never started: a late wrapper finds another token
  until = Date.now() + 2000;
  while (!existsSync(pidFile) && Date.now() < until) await sleep(20);
  const m = readMeta(ctx, dir, trial);
  if (m === undefined) return undefined;
  if (!here(m)) return handleOf(m);
  const stopped = stopMarker(dir) !== undefined;
  if (!stopped && readExit(m) !== undefined) return handleOf(m); // it finished: its result stands
  if (!stopped && isRunning(identity(m))) return handleOf(m);
  await stopGroup(ctx, m); // leftovers of a stopped or vanished job
  return undefined;
}

/** The job's meta from its handle file, else from what its wrapper recorded. */
function readMeta(ctx: LocalParts, dir: string, trial: TrialSpec): LocalMeta | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dir, 'handle.json'), 'utf8')) as JobHandle;
    if (h.executor === 'local' && LocalMetaSchema.safeParse(h.meta).success)
      return h.meta as LocalMeta;
  } catch {
    // the driver died before writing it: the wrapper's own record follows
  }
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, 'claim', f), 'utf8').trim();
    } catch {
      return '';
    }
  };
  const pid = Number(read('pid'));
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return {
    dir,
    pid,
    host: hostname(),
    startedAt: statSync(join(dir, 'claim')).mtimeMs,
    timeoutSeconds: ctx.opts.timeoutSeconds ?? null,
    defaultMetric: defaultMetricOf(trial),
    startTicks: parseProcStat(read('stat'))?.startTicks ?? null,
    bootId: read('boot') || null,
  };
}

function read(ctx: LocalParts, m: LocalMeta, final: boolean) {
  return ctx.log.read(
    [join(m.dir, 'stdout'), join(m.dir, 'metrics.jsonl')],
    m.defaultMetric,
    final,
  );
}

/** Launches `trial`'s job (or finds the one an earlier driver launched). */
async function launchJob(ctx: LocalParts, trial: TrialSpec): Promise<JobHandle> {
  const { opts, log } = ctx;
  const safe = `${trial.study}-t${trial.trial}-a${trial.attempt}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  const dir = join(ctx.workDir, safe);
  const existing = await existingJob(ctx, dir, trial);
  if (existing !== undefined) return existing;
  const trialFile = join(dir, 'trial.json');
  const metricsFile = join(dir, 'metrics.jsonl');
  const token = `${hostname()}:${process.pid}:${Date.now()}:${++launches}`;
  let out: number;
  let err: number;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      trialFile,
      `${JSON.stringify({ ...trial, metricsFile, jobDir: dir }, null, 2)}\n`,
    );
    writeFileSync(metricsFile, '');
    writeFileSync(join(dir, 'launch'), token);
    out = openSync(join(dir, 'stdout'), 'a');
    err = openSync(join(dir, 'stderr'), 'a');
  } catch (e) {
    throw new ExecutorError(`cannot create job directory '${dir}': ${(e as Error).message}`);
  }
  for (const f of ['stdout', 'metrics.jsonl']) log.forget(join(dir, f));
  let pid: number | undefined;
  try {
    const child = spawn('/bin/sh', ['-c', WRAPPER], {
      cwd: opts.cwd ?? process.cwd(),
      env: {
        ...process.env,
        ...opts.env,
        ...trialEnv(trial, trialFile, metricsFile),
        MIXOPT_COMMAND: opts.command,
        MIXOPT_JOB_DIR: dir,
        MIXOPT_LAUNCH_TOKEN: token,
      },
      detached: true,
      stdio: ['ignore', out, err],
    });
    pid = child.pid;
    child.on('error', () => {});
    child.unref();
  } finally {
    closeSync(out);
    closeSync(err);
  }
  if (pid === undefined)
    throw new ExecutorError(`could not start '${opts.command}' (spawn failed)`);
  const id = identify(pid);
  const meta: LocalMeta = {
    dir,
    pid,
    host: hostname(),
    startedAt: Date.now(),
    timeoutSeconds: opts.timeoutSeconds ?? null,
    defaultMetric: defaultMetricOf(trial),
    startTicks: id.startTicks,
    bootId: id.bootId,
  };
  crashPoint('launch');
  writeFileSync(join(dir, 'handle.json.tmp'), JSON.stringify(handleOf(meta)));
  renameSync(join(dir, 'handle.json.tmp'), join(dir, 'handle.json'));
  return handleOf(meta);
}

/** One poll: the job's state first, then its lines (a job seen as ended has written all of them). */
async function pollJob(ctx: LocalParts, handle: JobHandle): Promise<JobReport> {
  const m = localMeta(handle);
  if (!existsSync(m.dir)) {
    return { phase: 'failed', points: [], error: `job directory '${m.dir}' is gone` };
  }
  // The state first, then the lines: a job seen as ended has written all of them.
  let code = readExit(m);
  const marker = stopMarker(m.dir);
  let running = false;
  if (code === undefined && marker === undefined) {
    const elapsed = (Date.now() - m.startedAt) / 1000;
    if (m.timeoutSeconds !== null && elapsed > m.timeoutSeconds) {
      const why = `no exit after ${m.timeoutSeconds} s (the study's executor.timeoutSeconds)`;
      await stop(ctx, m, 'timed-out', why);
      const { points } = read(ctx, m, true);
      return { phase: 'failed', points, error: failure(ctx, m, `job timed out: ${why}`) };
    }
    running = !here(m) || isRunning(identity(m));
    if (!running) code = readExit(m); // it may have exited between the two checks
  }
  const { points, bad } = read(ctx, m, !running);
  if (bad !== undefined) {
    if (running) await stop(ctx, m, 'bad-value', bad);
    return { phase: 'failed', points, error: failure(ctx, m, `job reported ${bad}`) };
  }
  if (marker !== undefined)
    return { phase: 'failed', points, error: failure(ctx, m, `job ${marker[0]}: ${marker[1]}`) };
  if (running) return { phase: 'running', points };
  if (code === undefined) {
    await stopGroup(ctx, m); // orphans of a wrapper that was killed
    return {
      phase: 'failed',
      points,
      error: failure(ctx, m, `job (pid ${m.pid}) vanished without an exit status`),
    };
  }
  if (code !== 0) {
    const why =
      code > 128
        ? `job killed by signal ${code - 128} (exit status ${code})`
        : `job exited with status ${code}`;
    return { phase: 'failed', points, error: failure(ctx, m, why) };
  }
  if (points.length === 0)
    return {
      phase: 'failed',
      points,
      error: failure(ctx, m, 'job exited 0 without reporting any metric line'),
    };
  return { phase: 'completed', points };
}

/** Stops the job (unless it has ended and left no process). */
async function cancelJob(ctx: LocalParts, handle: JobHandle): Promise<void> {
  const m = localMeta(handle);
  if (existsSync(join(m.dir, 'exit-code')) && !groupAlive(m.pid)) return;
  await stop(ctx, m, 'cancelled', 'cancelled by mixopt');
}

/** Builds the local executor. */
export function createLocalExecutor(opts: LocalExecutorOptions): Executor {
  const ctx: LocalParts = {
    opts,
    workDir: resolve(opts.workDir),
    tailBytes: opts.stderrTailBytes ?? 2000,
    grace: (opts.killGraceSeconds ?? 5) * 1000,
    launchWait: opts.launchWaitMs ?? 5000,
    log: new MetricLog(),
  };
  return {
    name: 'local',
    run: (trial) => launchJob(ctx, trial),
    poll: (handle) => pollJob(ctx, handle),
    cancel: (handle) => cancelJob(ctx, handle),
  };
}

function defaultMetricOf(trial: TrialSpec): string | null {
  return trial.metrics.length === 1 ? (trial.metrics[0] as string) : null;
}
