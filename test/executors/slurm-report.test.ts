import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPoint } from '../../src/core/index.ts';
import type { SlurmJobMeta } from '../../src/executors/slurm-meta.ts';
import { type SlurmPollInput, slurmPollReport } from '../../src/executors/slurm-report.ts';
import type { SlurmStatus } from '../../src/executors/slurm-status.ts';

const meta: SlurmJobMeta = {
  dir: '/w/s-t1-a1',
  stdout: '/w/s-t1-a1/stdout',
  stderr: '/w/s-t1-a1/stderr',
  name: 'mixopt-s-t1-a1',
  arrayJobId: null,
  taskId: null,
  submittedAt: 0,
  defaultMetric: 'loss',
};
const point: MetricPoint = { metric: 'loss', step: 100, value: 2.5 };

function report(
  status: SlurmStatus,
  over: Partial<SlurmPollInput> = {},
  files: Record<string, string> = {},
) {
  return slurmPollReport({
    key: '42',
    meta,
    status,
    points: [point],
    jobFile: (name) => files[name] ?? '',
    failure: (why) => `FAIL: ${why}`,
    ...over,
  });
}

describe('slurmPollReport (one poll, decided from what it gathered)', () => {
  it('a live job is running, with its points so far', () => {
    assert.deepEqual(report({ kind: 'live', state: 'RUNNING' }), {
      phase: 'running',
      points: [point],
    });
  });

  it('a bad line fails the job whatever its state', () => {
    const r = report({ kind: 'live', state: 'RUNNING' }, { bad: 'a NaN value at step 200' });
    assert.deepEqual(r, {
      phase: 'failed',
      points: [point],
      error: 'FAIL: job reported a NaN value at step 200',
    });
  });

  it('an end state: completed with points, failed without, failed with the reason otherwise', () => {
    const done = (state: string, extra = {}): SlurmStatus => ({
      kind: 'end',
      state: { key: '42', state, ...extra },
      source: 'sacct',
    });
    assert.equal(report(done('COMPLETED')).phase, 'completed');
    assert.equal(
      report(done('COMPLETED'), { points: [] }).error,
      'FAIL: Slurm job 42 completed without reporting any metric line (on stdout /w/s-t1-a1/stdout or in /w/s-t1-a1/metrics.jsonl)',
    );
    assert.equal(
      report(done('TIMEOUT', { exitCode: '0:15' })).error,
      'FAIL: Slurm job 42 hit its time limit (raise executor.time, or train fewer steps per job): killed by signal 15 (SIGTERM) (state TIMEOUT, ExitCode 0:15; from sacct)',
    );
  });

  it('a job Slurm no longer knows: its exit-code file, then its cancel note, then lost', () => {
    const gone: SlurmStatus = { kind: 'unknown' };
    assert.equal(report(gone, {}, { 'exit-code': '0\n' }).phase, 'completed');
    assert.equal(
      report(gone, { points: [] }, { 'exit-code': '0' }).error,
      'FAIL: job 42 exited 0 without reporting any metric line (from its exit-code file; Slurm no longer knows job 42)',
    );
    assert.equal(
      report(gone, {}, { 'exit-code': '137' }).error,
      'FAIL: job 42 killed by signal 9 (SIGKILL) (from its exit-code file; Slurm no longer knows job 42)',
    );
    assert.equal(
      report(gone, {}, { 'exit-code': '3' }).error,
      'FAIL: job 42 exit code 3 (from its exit-code file; Slurm no longer knows job 42)',
    );
    assert.equal(
      report(gone, {}, { cancelled: 'cancelled by mixopt\n' }).error,
      'FAIL: job 42 was cancelled: cancelled by mixopt (Slurm no longer knows job 42)',
    );
    assert.match(
      report(gone).error as string,
      /^FAIL: Slurm no longer knows job 42 \(not in squeue, sacct or the job completion log\) and it left no exit status/,
    );
  });
});
