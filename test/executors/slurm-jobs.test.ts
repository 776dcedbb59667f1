// The Slurm executor's file side (src/executors/slurm-jobs.ts): job directories, batch scripts,
// sbatch and finding a job again, against the scripted Slurm commands of ./fake-slurm.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExecutorError, type TrialSpec } from '../../src/core/index.ts';
import { MetricLog } from '../../src/executors/job-output.ts';
import type { SlurmExec } from '../../src/executors/slurm.ts';
import {
  prepareJob,
  readText,
  type SlurmJobContext,
  safeName,
  singleMeta,
  submitArray,
  submitOne,
} from '../../src/executors/slurm-jobs.ts';
import type { SlurmJobMeta } from '../../src/executors/slurm-meta.ts';
import { loadTemplate, sbatchSettings } from '../../src/executors/slurm-script.ts';
import { SlurmStatusBoard } from '../../src/executors/slurm-status.ts';
import { FakeSlurm, slurmTrial } from './fake-slurm.ts';

/** Study 'u s': the space becomes an underscore in file and job names. */
const trial = (id: string, over: Partial<TrialSpec> = {}): TrialSpec =>
  slurmTrial(id, { study: 'u s', ...over });

function context(exec: SlurmExec): SlurmJobContext {
  const cwd = mkdtempSync(join(tmpdir(), 'mixopt-slurm-jobs-'));
  return {
    exec,
    cwd,
    workDir: join(cwd, 'jobs'),
    template: loadTemplate('#!/bin/bash\n{{sbatch}}\n{{setup}}\nrun\n', cwd),
    settings: sbatchSettings({ partition: 'gpu' }),
    env: { EXTRA: 'x y' },
    board: new SlurmStatusBoard(exec, 'auto', 1),
    log: new MetricLog(),
  };
}

const metaOf = (h: { meta: unknown }) => h.meta as SlurmJobMeta;

describe('slurm-jobs helpers', () => {
  it('safeName keeps [A-Za-z0-9_.-], one underscore per other character; readText is "" for a missing file', () => {
    assert.equal(safeName('u s/t1:a1'), 'u_s_t1_a1');
    assert.equal(safeName('ok_1.2-3'), 'ok_1.2-3');
    assert.equal(readText(join(tmpdir(), 'mixopt-no-such-file')), '');
  });

  it('singleMeta: stdout and stderr in the job directory; the default metric only for one metric', () => {
    const m = singleMeta('/w/d', 'job', trial('1'));
    assert.deepEqual(
      { ...m, submittedAt: 0 },
      {
        dir: '/w/d',
        stdout: '/w/d/stdout',
        stderr: '/w/d/stderr',
        name: 'job',
        arrayJobId: null,
        taskId: null,
        submittedAt: 0,
        defaultMetric: 'loss',
      },
    );
    assert.equal(
      singleMeta('/w/d', 'job', trial('1', { metrics: ['a', 'b'] })).defaultMetric,
      null,
    );
  });
});

describe('prepareJob and submitOne', () => {
  it('a fresh directory with trial.json, an empty metrics.jsonl and env.sh; then one sbatch and the handle', async () => {
    const fake = new FakeSlurm();
    const ctx = context(fake.exec);
    const p = await prepareJob(ctx, trial('7'));
    assert.equal(p.dir, join(ctx.workDir, 'u_s-t7-a1'));
    assert.equal(p.existing, undefined);
    const spec = JSON.parse(readFileSync(join(p.dir, 'trial.json'), 'utf8'));
    assert.equal(spec.trial, '7');
    assert.equal(spec.jobDir, p.dir);
    assert.equal(spec.metricsFile, join(p.dir, 'metrics.jsonl'));
    assert.equal(readFileSync(join(p.dir, 'metrics.jsonl'), 'utf8'), '');
    const env = readFileSync(join(p.dir, 'env.sh'), 'utf8');
    assert.match(env, /EXTRA='x y'/);
    assert.match(env, new RegExp(`MIXOPT_JOB_DIR='${p.dir}'`));
    assert.match(env, /MIXOPT_TRIAL_ID='7'/);

    const h = await submitOne(ctx, p);
    assert.deepEqual(fake.calls, [`sbatch --parsable ${join(p.dir, 'job.sh')}`]);
    assert.equal(h.jobId, '100');
    assert.equal(metaOf(h).name, 'mixopt-u_s-t7-a1');
    assert.deepEqual(JSON.parse(readFileSync(join(p.dir, 'handle.json'), 'utf8')), h);
    assert.equal(readFileSync(join(p.dir, 'submitting'), 'utf8'), 'mixopt-u_s-t7-a1\n');
    const script = readFileSync(join(p.dir, 'job.sh'), 'utf8');
    assert.match(script, /^#!\/bin\/bash\n/);
    assert.match(script, /#SBATCH --job-name=mixopt-u_s-t7-a1\n/);
    assert.match(script, new RegExp(`#SBATCH --output=${join(p.dir, 'stdout')}\\n`));
    assert.match(script, /#SBATCH --partition=gpu\n/);
  });

  it('a job still live in its directory is re-attached, not prepared again', async () => {
    const fake = new FakeSlurm();
    const ctx = context(fake.exec);
    const first = await prepareJob(ctx, trial('3'));
    const h = await submitOne(ctx, first);
    writeFileSync(join(first.dir, 'metrics.jsonl'), '{"step": 100, "value": 1}\n');
    const again = await prepareJob(ctx, trial('3'));
    assert.deepEqual(again.existing, h);
    // The directory was left as it was.
    assert.equal(
      readFileSync(join(first.dir, 'metrics.jsonl'), 'utf8'),
      '{"step": 100, "value": 1}\n',
    );
    // Once the job has ended, a new attempt starts afresh.
    (fake.jobs.get('100') as { state: string }).state = 'FAILED';
    await new Promise((r) => setTimeout(r, 5)); // past the board's 1 ms status interval
    const fresh = await prepareJob(ctx, trial('3'));
    assert.equal(fresh.existing, undefined);
    assert.equal(readFileSync(join(fresh.dir, 'metrics.jsonl'), 'utf8'), '');
  });

  it('a job submitted before the driver died (no handle) is found by its name and its script', async () => {
    const fake = new FakeSlurm();
    let script = '';
    const exec: SlurmExec = async (cmd, args) => {
      if (cmd === 'squeue' && args.includes('--name')) {
        // Another job of the same name elsewhere, then ours.
        return {
          code: 0,
          stdout: `555|RUNNING|/elsewhere/job.sh\n101|RUNNING|${script}\n`,
          stderr: '',
        };
      }
      return fake.exec(cmd, args);
    };
    const ctx = context(exec);
    const p = await prepareJob(ctx, trial('4'));
    script = join(p.dir, 'job.sh');
    writeFileSync(join(p.dir, 'submitting'), 'mixopt-u_s-t4-a1\n');
    const found = await prepareJob(ctx, trial('4'));
    assert.equal(found.existing?.jobId, '101');
    assert.deepEqual(JSON.parse(readFileSync(join(p.dir, 'handle.json'), 'utf8')), found.existing);
  });

  it('sbatch refusals and unwritable directories are ExecutorErrors that say what to check', async () => {
    const fake = new FakeSlurm();
    const refusing: SlurmExec = async (cmd, args) =>
      cmd === 'sbatch'
        ? { code: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: gpu' }
        : fake.exec(cmd, args);
    const ctx = context(refusing);
    const p = await prepareJob(ctx, trial('5'));
    await assert.rejects(
      submitOne(ctx, p),
      (e: unknown) =>
        e instanceof ExecutorError &&
        /sbatch rejected .*job\.sh \(exit 1\): sbatch: error: invalid partition specified: gpu; check executor\.partition/.test(
          e.message,
        ),
    );
    assert.equal(existsSync(join(p.dir, 'handle.json')), false);
    const blocked = { ...context(fake.exec), workDir: '/dev/null/jobs' };
    await assert.rejects(
      prepareJob(blocked, trial('6')),
      (e: unknown) =>
        e instanceof ExecutorError &&
        /cannot write the job directory '\/dev\/null\/jobs\/u_s-t6-a1'.*set executor\.workDir/.test(
          e.message,
        ),
    );
  });
});

describe('submitArray', () => {
  it('one sbatch for all; task i has key <id>_i, its own output files, linked from its directory', async () => {
    const fake = new FakeSlurm();
    const ctx = context(fake.exec);
    const ps = [await prepareJob(ctx, trial('1')), await prepareJob(ctx, trial('2'))];
    const hs = await submitArray(ctx, ps);
    assert.equal(fake.calls.filter((c) => c.startsWith('sbatch')).length, 1);
    assert.deepEqual(
      hs.map((h) => h.jobId),
      ['100_0', '100_1'],
    );
    hs.forEach((h, i) => {
      const m = metaOf(h);
      assert.equal(m.arrayJobId, '100');
      assert.equal(m.taskId, i);
      assert.equal(m.name, 'mixopt-u_s-t1-t2');
      assert.match(m.stdout, new RegExp(`/${i}\\.stdout$`));
      assert.equal(readlinkSync(join(ps[i]?.dir as string, 'stdout')), m.stdout);
      assert.deepEqual(JSON.parse(readFileSync(join(m.dir, 'handle.json'), 'utf8')), h);
    });
    const script = fake.calls[0]?.split(' ')[2] as string;
    assert.match(readFileSync(script, 'utf8'), /#SBATCH --array=0-1\n/);
  });
});
