/**
 * Parsers for what Slurm's client commands print, and the mapping of a
 * Slurm end state to a trial failure text.
 *
 * Only the stable text formats are read (`squeue -o`, `sacct --parsable2`,
 * `scontrol -o`), never `--json`: its schema changes between Slurm releases
 * and real clusters run many of them. Tested against Slurm 22.05 and the
 * formats documented for 23.x/24.x (the fields used here have not changed).
 *
 * Job keys: a plain job is its id (`"123"`); an array task is
 * `ArrayJobId_TaskId` (`"120_3"`), never the task's raw job id, which Slurm
 * assigns only when the task starts.
 */

/** What one status source said about one job. */
export interface SlurmJobState {
  /** Job key (`"123"` or `"120_3"`). */
  readonly key: string;
  /** State name in capitals, e.g. `RUNNING`, `FAILED` (suffixes like `by 0` dropped). */
  readonly state: string;
  /** The raw job id, when the source shows it. */
  readonly rawId?: string;
  /** `ExitCode` as `code:signal`, when the source shows it. */
  readonly exitCode?: string;
  /** Slurm's reason (`NonZeroExitCode`, `TimeLimit`, ...), when shown and not `None`. */
  readonly reason?: string;
}

/**
 * End states: a job in any other state (PENDING, RUNNING, COMPLETING,
 * SUSPENDED, REQUEUED, CONFIGURING, ...) is still in Slurm's hands.
 */
export const SLURM_END_STATES: ReadonlySet<string> = new Set([
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
]);

/** Whether `state` is final. */
export function isEndState(state: string): boolean {
  return SLURM_END_STATES.has(state);
}

/** `"CANCELLED by 1234"` / `"CANCELLED+"` -> `"CANCELLED"`. */
export function normaliseState(s: string): string {
  return (s.trim().split(/\s+/)[0] ?? '').replace(/\+$/, '').toUpperCase();
}

/**
 * Expands an array job id as squeue/sacct print it into task keys:
 * `"7_[0-2,5]"` -> `7_0 7_1 7_2 7_5`; `"7_[0-9:3%2]"` -> `7_0 7_3 7_6 7_9`
 * (step after `:`, throttle after `%` ignored); anything else is returned as is.
 * Ranges wider than 100 000 tasks are not expanded.
 */
export function expandJobKey(id: string): string[] {
  const m = /^(\d+)_\[([^\]]*)\]$/.exec(id.trim());
  if (m === null) return [id.trim()];
  const base = m[1] as string;
  const spec = (m[2] as string).replace(/%\d+$/, '');
  const out: string[] = [];
  for (const part of spec.split(',')) {
    const r = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (r === null) continue;
    const lo = Number(r[1]);
    const hi = r[2] === undefined ? lo : Number(r[2]);
    const step = r[3] === undefined ? 1 : Math.max(1, Number(r[3]));
    if (hi - lo > 100_000) continue;
    for (let i = lo; i <= hi; i += step) out.push(`${base}_${i}`);
  }
  return out;
}

const NONE_REASONS = new Set(['', 'None', '(null)', 'N/A']);

function reasonOf(s: string | undefined): { reason?: string } {
  const r = (s ?? '').trim();
  return NONE_REASONS.has(r) ? {} : { reason: r };
}

/** The squeue format this module reads: key, raw id, state, reason. */
export const SQUEUE_FORMAT = '%i|%A|%T|%r';

/** Parses `squeue -h -t all -o '%i|%A|%T|%r'` (pending arrays are expanded to task keys). */
export function parseSqueue(text: string): SlurmJobState[] {
  const out: SlurmJobState[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [id, raw, state, ...rest] = line.split('|');
    if (id === undefined || state === undefined) continue;
    const keys = expandJobKey(id);
    // A pending array task has no raw id of its own yet (squeue shows the array's).
    const st = normaliseState(state);
    for (const key of keys)
      out.push({
        key,
        state: st,
        ...(keys.length === 1 && st !== 'PENDING' && raw !== undefined && /^\d+$/.test(raw.trim())
          ? { rawId: raw.trim() }
          : {}),
        ...reasonOf(rest.join('|')),
      });
  }
  return out;
}

/** The sacct fields this module reads (`sacct -n -P -X -o ...`). */
export const SACCT_FIELDS = 'JobID,JobIDRaw,State,ExitCode,Reason';

/** Parses `sacct -n -P -X -o JobID,JobIDRaw,State,ExitCode,Reason` (one line per job or task). */
export function parseSacct(text: string): SlurmJobState[] {
  const out: SlurmJobState[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [id, raw, state, exit, ...rest] = line.split('|');
    if (id === undefined || state === undefined) continue;
    // Steps (`123.batch`) only appear without -X; skip them all the same.
    if (id.includes('.')) continue;
    const keys = expandJobKey(id);
    const st = normaliseState(state);
    for (const key of keys)
      out.push({
        key,
        state: st,
        ...(keys.length === 1 && st !== 'PENDING' && raw !== undefined && /^\d+$/.test(raw)
          ? { rawId: raw }
          : {}),
        ...(exit !== undefined && /^\d+:\d+$/.test(exit) ? { exitCode: exit } : {}),
        ...reasonOf(rest.join('|')),
      });
  }
  return out;
}

/** The job-completion fields read with `sacct -c` (no accounting database; raw ids only). */
export const JOBCOMP_FIELDS = 'JobID,State,ExitCode';

/** Parses `sacct -c -n -P -o JobID,State,ExitCode`: keyed by the raw job id. */
export function parseJobcomp(text: string): SlurmJobState[] {
  const out: SlurmJobState[] = [];
  for (const line of text.split('\n')) {
    const [id, state, exit] = line.split('|');
    if (id === undefined || state === undefined || !/^\d+$/.test(id.trim())) continue;
    out.push({
      key: id.trim(),
      rawId: id.trim(),
      state: normaliseState(state),
      ...(exit !== undefined && /^\d+:\d+$/.test(exit.trim()) ? { exitCode: exit.trim() } : {}),
    });
  }
  return out;
}

function field(line: string, name: string): string | undefined {
  const m = new RegExp(`(?:^| )${name}=(\\S*)`).exec(line);
  return m?.[1];
}

/**
 * Parses `scontrol -o show job KEY` (one line per job, `Name=value` pairs)
 * into the state of `key`; `undefined` when no line is about it.
 */
export function parseScontrol(text: string, key: string): SlurmJobState | undefined {
  const arrayId = key.includes('_') ? key.split('_')[0] : undefined;
  for (const line of text.split('\n')) {
    const state = field(line, 'JobState');
    const jobId = field(line, 'JobId');
    if (state === undefined || jobId === undefined) continue;
    if (arrayId !== undefined) {
      if (field(line, 'ArrayJobId') !== arrayId) continue;
      // A pending array's meta record lists its tasks as a range; it speaks for each of them.
      const tasks = field(line, 'ArrayTaskId') ?? '';
      if (!expandJobKey(`${arrayId}_[${tasks}]`).includes(key)) continue;
    } else if (jobId !== key) continue;
    const exit = field(line, 'ExitCode');
    const st = normaliseState(state);
    return {
      key,
      state: st,
      ...(arrayId === undefined || st !== 'PENDING' ? { rawId: jobId } : {}),
      ...(exit !== undefined && /^\d+:\d+$/.test(exit) ? { exitCode: exit } : {}),
      ...reasonOf(field(line, 'Reason')),
    };
  }
  return undefined;
}

const SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  6: 'SIGABRT',
  7: 'SIGBUS',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
};

/** `"3:0"` -> "exit code 3"; `"0:9"` -> "killed by signal 9 (SIGKILL)". */
export function describeExitCode(exitCode: string | undefined): string | undefined {
  if (exitCode === undefined) return undefined;
  const [code, signal] = exitCode.split(':').map(Number);
  if (signal !== undefined && signal > 0)
    return `killed by signal ${signal}${SIGNALS[signal] !== undefined ? ` (${SIGNALS[signal]})` : ''}`;
  if (code !== undefined && code > 0) return `exit code ${code}`;
  return undefined;
}

const WHY: Readonly<Record<string, string>> = {
  FAILED: 'failed',
  TIMEOUT: 'hit its time limit (raise executor.time, or train fewer steps per job)',
  CANCELLED: 'was cancelled (scancel)',
  NODE_FAIL: 'lost its node (NODE_FAIL)',
  OUT_OF_MEMORY: 'ran out of memory (raise executor.mem)',
  PREEMPTED: 'was preempted',
  BOOT_FAIL: 'could not boot its node (BOOT_FAIL)',
  DEADLINE: 'missed its deadline',
  REVOKED: 'was revoked (federation)',
};

/**
 * The failure text for a job that ended in `s.state` (not COMPLETED), e.g.
 * `Slurm job 12 failed: exit code 3 (state FAILED, reason NonZeroExitCode; from sacct)`.
 */
export function describeEnd(s: SlurmJobState, source: string): string {
  const why = WHY[s.state] ?? `ended in state ${s.state}`;
  const exit = describeExitCode(s.exitCode);
  const details = [`state ${s.state}`];
  if (s.exitCode !== undefined) details.push(`ExitCode ${s.exitCode}`);
  // With a signal, 22.05 says JobLaunchFailure, which misleads: the job did start.
  if (s.reason !== undefined && !(exit?.startsWith('killed') && s.reason === 'JobLaunchFailure'))
    details.push(`reason ${s.reason}`);
  return `Slurm job ${s.key} ${why}${exit !== undefined ? `: ${exit}` : ''} (${details.join(', ')}; from ${source})`;
}
