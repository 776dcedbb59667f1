import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError } from '../../src/core/index.ts';
import { slurmJobMeta } from '../../src/executors/slurm-meta.ts';

const meta = {
  dir: '/w/d',
  stdout: '/w/d/stdout',
  stderr: '/w/d/stderr',
  name: 'mixopt-s-t1-a1',
  arrayJobId: '7',
  taskId: 0,
  submittedAt: 1,
  defaultMetric: null,
};

describe('slurmJobMeta (a stored handle read back)', () => {
  it('returns a well-formed meta as it is', () => {
    assert.deepEqual(slurmJobMeta({ executor: 'slurm', jobId: '7_0', meta }), meta);
  });

  it('throws DataError naming the job and each bad field', () => {
    assert.throws(
      () =>
        slurmJobMeta({
          executor: 'slurm',
          jobId: '9',
          meta: { ...meta, dir: 3, taskId: -1 } as unknown as typeof meta,
        }),
      (err: unknown) =>
        err instanceof DataError &&
        err.code === 'E_DATA' &&
        /^the meta of the stored handle of Slurm job 9 is malformed \(dir: .*; taskId: .*\); it was not written by this version/.test(
          err.message,
        ) &&
        /scancel 9/.test(err.message),
    );
  });
});
