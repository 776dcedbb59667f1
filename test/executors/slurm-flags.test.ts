// `--slurm key=value` flags (src/executors/slurm-flags.ts).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSlurmFlags } from '../internals.ts';

const _tmp = () => mkdtempSync(join(tmpdir(), 'mixopt-slurm-unit-'));

describe('--slurm flags', () => {
  it('--slurm flags: typed values, repeatable extra and env, unknown keys refused', () => {
    assert.deepEqual(
      parseSlurmFlags([
        'template=job.sbatch',
        'time=30',
        'gpus=2',
        'array=true',
        'extra=--qos=high',
        'extra=--exclusive',
        'env=HF_HOME=/scratch/hf',
      ]),
      {
        template: 'job.sbatch',
        time: 30,
        gpus: 2,
        array: true,
        extra: ['--qos=high', '--exclusive'],
        env: { HF_HOME: '/scratch/hf' },
      },
    );
    assert.throws(
      () => parseSlurmFlags(['queue=gpu']),
      /unknown setting 'queue'; the settings are template, partition/,
    );
    assert.throws(() => parseSlurmFlags(['gpus=many']), /gpus must be a number/);
    assert.throws(() => parseSlurmFlags(['partition']), /has no value/);
  });
});
