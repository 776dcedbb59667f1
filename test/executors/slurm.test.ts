// The Slurm executor without a cluster: the state logic against a scripted fake of the
// Slurm commands (./fake-slurm.ts). The parsers, scripts and flags have their own test files;
// test/executors/slurm-cluster.test.ts runs the same executor against a real Slurm.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSlurmExecutor, ExecutorError, type SlurmJobMeta } from '../internals.ts';
import { FakeSlurm, slurmTrial } from './fake-slurm.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'mixopt-slurm-unit-'));

const trial = slurmTrial;

function fakeExecutor(fake: FakeSlurm, over: Record<string, unknown> = {}) {
  return createSlurmExecutor({
    template: '#!/bin/bash\nrun\n',
    workDir: tmp(),
    statusIntervalSeconds: 1e-3,
    exec: fake.exec,
    ...over,
  });
}

const dirOf = (h: { meta: unknown }) => (h.meta as SlurmJobMeta).dir;
const stdoutOf = (h: { meta: unknown }) => (h.meta as SlurmJobMeta).stdout;
const tick = () => new Promise((r) => setTimeout(r, 3));
describe('slurm executor (scripted Slurm)', () => {
  it('completed: reads the curve from stdout and the metrics file; from sacct when accounting works', async () => {
    const fake = new FakeSlurm();
    const ex = fakeExecutor(fake);
    const h = await ex.run(trial('1'));
    assert.equal(h.jobId, '100');
    assert.equal((await ex.poll(h)).phase, 'running');
    fake.set('100', { state: 'RUNNING' });
    writeFileSync(stdoutOf(h), 'starting\n{"step": 100, "value": 2.5}\n');
    await tick();
    assert.deepEqual((await ex.poll(h)).points, [{ step: 100, metric: 'loss', value: 2.5 }]);
    writeFileSync(join(dirOf(h), 'metrics.jsonl'), '{"step": 200, "metric": "loss", "value": 2}\n');
    fake.set('100', { state: 'COMPLETED' });
    await tick();
    const r = await ex.poll(h);
    assert.equal(r.phase, 'completed');
    assert.deepEqual(
      r.points.map((p) => p.step),
      [100, 200],
    );
    assert.equal(fake.count('sacct -n'), 1);
    const script = readFileSync(join(dirOf(h), 'job.sh'), 'utf8');
    assert.match(script, /^#!\/bin\/bash\n#SBATCH --job-name=mixopt-u-t1-a1\n/);
    assert.match(readFileSync(join(dirOf(h), 'env.sh'), 'utf8'), /export MIXOPT_WEIGHTS='0.5,0.5'/);
  });

  it('without accounting: sacct refused once, then scontrol; the failure names the cause', async () => {
    const fake = new FakeSlurm();
    fake.accounting = false;
    const ex = fakeExecutor(fake);
    const [a, b] = await Promise.all([ex.run(trial('1')), ex.run(trial('2'))]);
    fake.set(a!.jobId, { state: 'FAILED', exit: '3:0' });
    fake.set(b!.jobId, { state: 'FAILED', exit: '0:9' });
    writeFileSync((a!.meta as unknown as SlurmJobMeta).stderr, 'Traceback\nCUDA error\n');
    const ra = await ex.poll(a!);
    assert.equal(ra.phase, 'failed');
    assert.match(
      ra.error ?? '',
      /^Slurm job 100 failed: exit code 3 \(state FAILED, ExitCode 3:0; from scontrol\); stderr tail:\nTraceback\nCUDA error$/,
    );
    await tick();
    const rb = await ex.poll(b!);
    assert.match(rb.error ?? '', /killed by signal 9 \(SIGKILL\)/);
    assert.equal(fake.count('sacct -n'), 1, 'a disabled accounting is not asked again');
  });

  it('accounting: sacct and a cluster without it: an executor error that says what to set', async () => {
    const fake = new FakeSlurm();
    fake.accounting = false;
    const ex = fakeExecutor(fake, { accounting: 'sacct' });
    const h = await ex.run(trial('1'));
    fake.set(h.jobId, { state: 'COMPLETED' });
    await assert.rejects(
      ex.poll(h),
      (e: Error) => e instanceof ExecutorError && /executor.accounting to 'none'/.test(e.message),
    );
  });

  it('a job the controller forgot: the job completion log by raw id, then the exit-code file', async () => {
    const fake = new FakeSlurm();
    const ex = fakeExecutor(fake, { accounting: 'none' });
    const [h1, h2, h3, h4] = await Promise.all(['1', '2', '3', '4'].map((t) => ex.run(trial(t))));
    for (const h of [h1, h2, h3, h4]) writeFileSync(stdoutOf(h!), '{"step": 100, "value": 1}\n');
    // h1: in the completion log (the job wrote its raw id)
    writeFileSync(join(dirOf(h1!), 'slurm-job-id'), '100\n');
    fake.set(h1!.jobId, { state: 'TIMEOUT', exit: '0:15', controller: false });
    // h2: nowhere, but its script exited 0; h3: exited 3; h4: no trace at all
    for (const h of [h2, h3, h4])
      fake.set(h!.jobId, { state: 'COMPLETED', controller: false, jobcomp: false });
    writeFileSync(join(dirOf(h2!), 'exit-code'), '0\n');
    writeFileSync(join(dirOf(h3!), 'exit-code'), '137\n');
    const [r1, r2, r3, r4] = await Promise.all([h1, h2, h3, h4].map((h) => ex.poll(h!)));
    assert.match(r1!.error ?? '', /hit its time limit.*from the job completion log \(sacct -c\)/);
    assert.equal(r2!.phase, 'completed');
    assert.match(
      r3!.error ?? '',
      /^job 102 killed by signal 9 \(SIGKILL\) \(from its exit-code file; Slurm no longer knows job 102\)/,
    );
    assert.match(r4!.error ?? '', /^Slurm no longer knows job 103 .* left no exit status/);
    assert.equal(fake.count('sacct -n'), 0, "accounting 'none' never asks sacct");
  });

  it('job arrays: one sbatch, keys ArrayJobId_TaskId, each task its own directory', async () => {
    const fake = new FakeSlurm();
    const ex = fakeExecutor(fake, { array: true });
    const hs = await ex.runBatch([trial('1'), trial('2'), trial('3')]);
    assert.deepEqual(
      hs.map((h) => h.jobId),
      ['100_0', '100_1', '100_2'],
    );
    assert.equal(fake.count('sbatch'), 1);
    assert.deepEqual(
      hs.map((h) => (h.meta as unknown as SlurmJobMeta).taskId),
      [0, 1, 2],
    );
    const script = readFileSync(
      join(
        dirOf(hs[0]!),
        '..',
        (hs[0]!.meta as unknown as SlurmJobMeta).stdout.split('/').at(-2)!,
        'job.sh',
      ),
      'utf8',
    );
    assert.match(script, /#SBATCH --array=0-2\n/);
    assert.match(script, /\n {2}1\) MIXOPT_JOB_DIR='[^']*u-t2-a1' ;;\n/);
    fake.set('100_1', { state: 'OUT_OF_MEMORY', exit: '0:125' });
    assert.match((await ex.poll(hs[1]!)).error ?? '', /Slurm job 100_1 ran out of memory/);
    assert.equal((await ex.poll(hs[0]!)).phase, 'running');
  });

  it('re-attaches instead of submitting again when the job directory names a live job', async () => {
    const fake = new FakeSlurm();
    const workDir = tmp();
    const h = await fakeExecutor(fake, { workDir }).run(trial('5'));
    const again = await fakeExecutor(fake, { workDir }).run(trial('5'));
    assert.deepEqual(again, h);
    assert.equal(fake.count('sbatch'), 1);
    fake.set(h.jobId, { state: 'FAILED', exit: '1:0' });
    const retry = await fakeExecutor(fake, { workDir }).run(trial('5'));
    assert.equal(retry.jobId, '101', 'an ended job is submitted afresh');
  });

  it('asks squeue at most once per interval for all jobs; files are read at every poll', async () => {
    const fake = new FakeSlurm();
    const ex = fakeExecutor(fake, { statusIntervalSeconds: 3600 });
    const hs = await Promise.all(['1', '2', '3'].map((t) => ex.run(trial(t))));
    for (const h of hs) await ex.poll(h);
    const before = fake.count('squeue');
    writeFileSync(stdoutOf(hs[0]!), '{"step": 100, "value": 1}\n');
    for (let i = 0; i < 5; i++) for (const h of hs) await ex.poll(h);
    assert.equal(fake.count('squeue'), before);
    assert.equal((await ex.poll(hs[0]!)).points.length, 1);
  });

  it('concurrent polls share one squeue at a time; a job submitted meanwhile is not taken for gone', async () => {
    const fake = new FakeSlurm();
    let running = 0;
    let most = 0;
    const slow = async (cmd: string, args: readonly string[]) => {
      if (cmd !== 'squeue') return fake.exec(cmd, args);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return fake.exec(cmd, args);
    };
    const ex = fakeExecutor(fake, { exec: slow, accounting: 'none' });
    const h1 = await ex.run(trial('1'));
    const p1 = ex.poll(h1); // squeue in flight, asking about job 100 only
    const h2 = await ex.run(trial('2'));
    const rs = await Promise.all([p1, ex.poll(h2), ex.poll(h1), ex.poll(h2)]);
    assert.deepEqual(
      rs.map((r) => r.phase),
      ['running', 'running', 'running', 'running'],
    );
    assert.equal(most, 1, 'squeue calls overlapped');
  });

  it('cancel: scancel and a marker; a pending array task Slurm then forgets reads as cancelled', async () => {
    const fake = new FakeSlurm();
    const ex = fakeExecutor(fake, { array: true });
    const hs = await ex.runBatch([trial('1'), trial('2')]);
    await ex.cancel(hs[1]!);
    assert.ok(fake.calls.includes('scancel 100_1'));
    fake.set('100_1', { controller: false, sacct: false, jobcomp: false });
    const r = await ex.poll(hs[1]!);
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /^job 100_1 was cancelled: cancelled by mixopt/);
  });

  it('a non-finite value fails the trial and cancels the job; sbatch refusals are executor errors', async () => {
    const fake = new FakeSlurm();
    const ex = fakeExecutor(fake);
    const h = await ex.run(trial('1'));
    fake.set(h.jobId, { state: 'RUNNING' });
    writeFileSync(
      stdoutOf(h),
      '{"step": 100, "value": 1}\n{"step": 200, "value": NaN}\n{"step": 200, "value": null}\n',
    );
    const r = await ex.poll(h);
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /non-finite loss at step 200/);
    assert.ok(fake.calls.includes(`scancel ${h.jobId}`));
    const refusing = fakeExecutor(new FakeSlurm(), {
      exec: async () => ({
        code: 1,
        stdout: '',
        stderr: 'sbatch: error: invalid partition specified: nope',
      }),
    });
    await assert.rejects(
      refusing.run(trial('2')),
      (e: Error) =>
        e instanceof ExecutorError && /invalid partition specified: nope/.test(e.message),
    );
  });
});
