/**
 * What one poll of a Slurm job reports, from where the job stands and what it wrote: a pure
 * decision (the file reads are passed in), so every branch is testable without a cluster.
 */
import { join } from 'node:path';
import type { JobReport, MetricPoint } from '../core/index.ts';
import type { SlurmJobMeta } from './slurm-meta.ts';
import { describeEnd, describeExitCode } from './slurm-parse.ts';
import type { SlurmStatus } from './slurm-status.ts';

/** What a poll has gathered about job `key`. */
export interface SlurmPollInput {
  readonly key: string;
  readonly meta: SlurmJobMeta;
  readonly status: SlurmStatus;
  /** The job's metric points so far, and the first bad line, if any. */
  readonly points: MetricPoint[];
  readonly bad?: string | undefined;
  /** The text of a file in the job directory ('' when missing): `exit-code`, `cancelled`. */
  readonly jobFile: (name: 'exit-code' | 'cancelled') => string;
  /** A failure text with the job's stderr tail. */
  readonly failure: (why: string) => string;
}

/**
 * The report of one poll: running while the job is live, completed when it ended well with at
 * least one metric line, failed otherwise (with why: the end state, a bad line, no metric line,
 * the exit code or cancel note the job left when Slurm no longer knows it).
 */
export function slurmPollReport(p: SlurmPollInput): JobReport {
  const { key, meta: m, status: s, points, failure } = p;
  if (p.bad !== undefined)
    return { phase: 'failed', points, error: failure(`job reported ${p.bad}`) };
  if (s.kind === 'live') return { phase: 'running', points };
  if (s.kind === 'end') {
    if (s.state.state !== 'COMPLETED')
      return { phase: 'failed', points, error: failure(describeEnd(s.state, s.source)) };
    if (points.length === 0)
      return {
        phase: 'failed',
        points,
        error: failure(
          `Slurm job ${key} completed without reporting any metric line (on stdout ${m.stdout} or in ${join(m.dir, 'metrics.jsonl')})`,
        ),
      };
    return { phase: 'completed', points };
  }
  // Slurm no longer knows the job: the job's own files tell.
  const exit = p.jobFile('exit-code').trim();
  const cancelled = p.jobFile('cancelled').trim();
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
      error: failure(`job ${key} ${why} (from its exit-code file; ${lost})`),
    };
  }
  if (cancelled !== '')
    return {
      phase: 'failed',
      points,
      error: failure(`job ${key} was cancelled: ${cancelled} (${lost})`),
    };
  return {
    phase: 'failed',
    points,
    error: failure(
      `${lost} (not in squeue, sacct or the job completion log) and it left no exit status: killed, cancelled, timed out or its node failed`,
    ),
  };
}
