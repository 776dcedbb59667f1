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
 * the directory named in the handle and checking the pid.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Executor, JobHandle, JobReport, MetricPoint, TrialSpec } from '../core/index.ts';
import { ExecutorError } from '../core/index.ts';

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
}

interface LocalMeta {
  readonly dir: string;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
  readonly timeoutSeconds: number | null;
  /** The metric a line without `metric` belongs to (single-metric studies). */
  readonly defaultMetric: string | null;
}

// The wrapper runs the user's command in a child shell and records its exit
// status atomically, so that a job finishing after mixopt died is still read.
const WRAPPER =
  '/bin/sh -c "$MIXOPT_COMMAND"; c=$?; echo "$c" > "$MIXOPT_JOB_DIR/exit-code.tmp" && mv "$MIXOPT_JOB_DIR/exit-code.tmp" "$MIXOPT_JOB_DIR/exit-code"';

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

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The last `bytes` of a file, trimmed to whole lines. */
function tail(path: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const n = Math.min(size, bytes);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, size - n);
    let s = buf.toString('utf8');
    if (n < size) s = s.slice(s.indexOf('\n') + 1);
    return s.trimEnd();
  } finally {
    closeSync(fd);
  }
}

/** Parses metric JSON lines; returns the points and the first bad value, if any. */
export function parseMetricLines(
  text: string,
  defaultMetric: string | null,
): { points: MetricPoint[]; bad?: string } {
  const points: MetricPoint[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    let o: unknown;
    try {
      o = JSON.parse(s);
    } catch {
      continue;
    }
    if (o === null || typeof o !== 'object') continue;
    const r = o as { step?: unknown; value?: unknown; metric?: unknown };
    if (r.step === undefined || !('value' in r)) continue;
    const metric = typeof r.metric === 'string' ? r.metric : defaultMetric;
    if (metric === null) continue;
    const step = Number(r.step);
    const value = typeof r.value === 'number' ? r.value : Number.NaN;
    if (!Number.isSafeInteger(step) || step < 1) return { points, bad: `bad step in line ${s}` };
    if (!Number.isFinite(value))
      return { points, bad: `non-finite ${metric} at step ${step} (line ${s})` };
    points.push({ step, metric, value });
  }
  return { points };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds the local executor. */
export function createLocalExecutor(opts: LocalExecutorOptions): Executor {
  const workDir = resolve(opts.workDir);
  const tailBytes = opts.stderrTailBytes ?? 2000;
  const grace = (opts.killGraceSeconds ?? 5) * 1000;

  async function stop(m: LocalMeta, marker: string, reason: string): Promise<void> {
    writeFileSync(join(m.dir, marker), reason);
    if (m.host !== hostname()) return;
    killGroup(m.pid, 'SIGTERM');
    const until = Date.now() + grace;
    while (alive(m.pid) && Date.now() < until) await sleep(50);
    if (alive(m.pid)) killGroup(m.pid, 'SIGKILL');
  }

  function failure(m: LocalMeta, why: string): string {
    const err = tail(join(m.dir, 'stderr'), tailBytes);
    return err === '' ? why : `${why}; stderr tail:\n${err}`;
  }

  return {
    name: 'local',
    async run(trial: TrialSpec): Promise<JobHandle> {
      const safe = `${trial.study}-t${trial.trial}-a${trial.attempt}`.replace(
        /[^A-Za-z0-9_.-]/g,
        '_',
      );
      const dir = join(workDir, safe);
      try {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        throw new ExecutorError(`cannot create job directory '${dir}': ${(err as Error).message}`);
      }
      const trialFile = join(dir, 'trial.json');
      const metricsFile = join(dir, 'metrics.jsonl');
      writeFileSync(
        trialFile,
        `${JSON.stringify({ ...trial, metricsFile, jobDir: dir }, null, 2)}\n`,
      );
      writeFileSync(metricsFile, '');
      const out = openSync(join(dir, 'stdout'), 'a');
      const err = openSync(join(dir, 'stderr'), 'a');
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
      const meta: LocalMeta = {
        dir,
        pid,
        host: hostname(),
        startedAt: Date.now(),
        timeoutSeconds: opts.timeoutSeconds ?? null,
        defaultMetric: trial.metrics.length === 1 ? (trial.metrics[0] as string) : null,
      };
      writeFileSync(join(dir, 'handle.json'), JSON.stringify(meta));
      return { executor: 'local', jobId: String(pid), meta: { ...meta } };
    },

    async poll(handle: JobHandle): Promise<JobReport> {
      const m = handle.meta as unknown as LocalMeta;
      if (!existsSync(m.dir)) {
        return { phase: 'failed', points: [], error: `job directory '${m.dir}' is gone` };
      }
      const parsed = parseMetricLines(
        `${readText(join(m.dir, 'stdout'))}\n${readText(join(m.dir, 'metrics.jsonl'))}`,
        m.defaultMetric,
      );
      const { points } = parsed;
      if (parsed.bad !== undefined) {
        if (!existsSync(join(m.dir, 'exit-code'))) await stop(m, 'bad-value', parsed.bad);
        return { phase: 'failed', points, error: failure(m, `job reported ${parsed.bad}`) };
      }
      const exitFile = join(m.dir, 'exit-code');
      const readExit = () => (existsSync(exitFile) ? Number(readText(exitFile).trim()) : undefined);
      let code = readExit();
      for (const [marker, what] of [
        ['timed-out', 'timed out'],
        ['cancelled', 'cancelled'],
      ] as const) {
        if (existsSync(join(m.dir, marker)))
          return {
            phase: 'failed',
            points,
            error: failure(m, `job ${what}: ${readText(join(m.dir, marker))}`),
          };
      }
      if (code === undefined) {
        const elapsed = (Date.now() - m.startedAt) / 1000;
        if (m.timeoutSeconds !== null && elapsed > m.timeoutSeconds) {
          const why = `no exit after ${m.timeoutSeconds} s (the study's executor.timeoutSeconds)`;
          await stop(m, 'timed-out', why);
          return { phase: 'failed', points, error: failure(m, `job timed out: ${why}`) };
        }
        if (m.host !== hostname() || alive(m.pid)) return { phase: 'running', points };
        code = readExit(); // it may have exited between the two checks
        if (code === undefined)
          return {
            phase: 'failed',
            points,
            error: failure(m, `job (pid ${m.pid}) vanished without an exit status`),
          };
      }
      if (code !== 0) {
        const why =
          code > 128
            ? `job killed by signal ${code - 128} (exit status ${code})`
            : `job exited with status ${code}`;
        return { phase: 'failed', points, error: failure(m, why) };
      }
      if (points.length === 0)
        return {
          phase: 'failed',
          points,
          error: failure(m, 'job exited 0 without reporting any metric line'),
        };
      return { phase: 'completed', points };
    },

    async cancel(handle: JobHandle): Promise<void> {
      const m = handle.meta as unknown as LocalMeta;
      if (existsSync(join(m.dir, 'exit-code'))) return;
      await stop(m, 'cancelled', 'cancelled by mixopt');
    },
  };
}
