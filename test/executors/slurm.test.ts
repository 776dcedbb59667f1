// The Slurm executor without a cluster: parsers on recorded Slurm 22.05 output,
// script rendering (the setup block run by a real shell), and the state logic
// against a scripted fake of the Slurm commands. test/executors/slurm-cluster.test.ts
// runs the same executor against a real Slurm.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createSlurmExecutor,
  describeEnd,
  ExecutorError,
  envScript,
  expandJobKey,
  loadTemplate,
  parseJobcomp,
  parseSacct,
  parseScontrol,
  parseSlurmFlags,
  parseSqueue,
  renderBatchScript,
  type SlurmJobMeta,
  sbatchLines,
  sbatchSettings,
  setupLines,
  shellQuote,
  slurmTime,
  type TrialSpec,
  ValidationError,
} from '../internals.ts';
import { FakeSlurm } from './fake-slurm.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'mixopt-slurm-unit-'));

describe('Slurm output parsers', () => {
  it('expands array ids with ranges, lists, steps and throttles', () => {
    assert.deepEqual(expandJobKey('7_[0-2,5]'), ['7_0', '7_1', '7_2', '7_5']);
    assert.deepEqual(expandJobKey('7_[0-9:3%2]'), ['7_0', '7_3', '7_6', '7_9']);
    assert.deepEqual(expandJobKey('7_4'), ['7_4']);
    assert.deepEqual(expandJobKey('12'), ['12']);
  });

  it('squeue: task keys, raw ids only for started tasks, reasons without None', () => {
    const text = [
      '3|3|PENDING|Resources',
      '2_0|4|RUNNING|None',
      '6_[0-1,3]|6|PENDING|JobHeldUser',
      '6_2|6|PENDING|JobHeldUser',
      '9|9|CANCELLED by 0|None',
      '',
    ].join('\n');
    assert.deepEqual(parseSqueue(text), [
      { key: '3', state: 'PENDING', reason: 'Resources' },
      { key: '2_0', state: 'RUNNING', rawId: '4' },
      { key: '6_0', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '6_1', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '6_3', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '6_2', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '9', state: 'CANCELLED', rawId: '9' },
    ]);
  });

  it('sacct --parsable2: states with suffixes, exit codes, steps skipped', () => {
    const text = [
      '1|1|COMPLETED|0:0|None',
      '3|3|FAILED|0:9|None',
      '2_1|5|FAILED|1:0|NonZeroExitCode',
      '2_1.batch|5.batch|FAILED|1:0|',
      '6|6|CANCELLED by 0|0:0|None',
      '8_[0-1]|8|PENDING|0:0|None',
    ].join('\n');
    assert.deepEqual(parseSacct(text), [
      { key: '1', state: 'COMPLETED', rawId: '1', exitCode: '0:0' },
      { key: '3', state: 'FAILED', rawId: '3', exitCode: '0:9' },
      { key: '2_1', state: 'FAILED', rawId: '5', exitCode: '1:0', reason: 'NonZeroExitCode' },
      { key: '6', state: 'CANCELLED', rawId: '6', exitCode: '0:0' },
      { key: '8_0', state: 'PENDING', exitCode: '0:0' },
      { key: '8_1', state: 'PENDING', exitCode: '0:0' },
    ]);
  });

  it('sacct -c (job completion log): raw ids, header and noise ignored', () => {
    const text = 'JobID|State|ExitCode\n4|COMPLETED|0:0\n2|FAILED|2:0\nnot a line\n';
    assert.deepEqual(parseJobcomp(text), [
      { key: '4', rawId: '4', state: 'COMPLETED', exitCode: '0:0' },
      { key: '2', rawId: '2', state: 'FAILED', exitCode: '2:0' },
    ]);
  });

  it('scontrol -o: picks the line of the task asked for; a pending meta record speaks for its tasks', () => {
    const lines = [
      'JobId=2 ArrayJobId=2 ArrayTaskId=2 JobName=arr JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=2:0 RunTime=00:00:01',
      'JobId=5 ArrayJobId=2 ArrayTaskId=1 JobName=arr JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 RunTime=00:01:20',
    ].join('\n');
    assert.deepEqual(parseScontrol(lines, '2_1'), {
      key: '2_1',
      state: 'TIMEOUT',
      rawId: '5',
      exitCode: '0:15',
      reason: 'TimeLimit',
    });
    assert.equal(parseScontrol(lines, '2_0'), undefined);
    const pending =
      'JobId=6 ArrayJobId=6 ArrayTaskId=0-3 JobName=wrap JobState=PENDING Reason=JobHeldUser ExitCode=0:0';
    assert.deepEqual(parseScontrol(pending, '6_2'), {
      key: '6_2',
      state: 'PENDING',
      exitCode: '0:0',
      reason: 'JobHeldUser',
    });
    assert.equal(parseScontrol(pending, '6_7'), undefined);
    const plain =
      'JobId=12 JobName=x JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125 WorkDir=/a b';
    assert.equal(parseScontrol(plain, '12')?.state, 'OUT_OF_MEMORY');
  });

  it('end states become failure texts with the cause, the exit and the source', () => {
    assert.equal(
      describeEnd(
        { key: '3', state: 'FAILED', exitCode: '3:0', reason: 'NonZeroExitCode' },
        'sacct',
      ),
      'Slurm job 3 failed: exit code 3 (state FAILED, ExitCode 3:0, reason NonZeroExitCode; from sacct)',
    );
    // 22.05 calls a signal death JobLaunchFailure; the text leaves that out.
    assert.equal(
      describeEnd(
        { key: '4', state: 'FAILED', exitCode: '0:9', reason: 'JobLaunchFailure' },
        'scontrol',
      ),
      'Slurm job 4 failed: killed by signal 9 (SIGKILL) (state FAILED, ExitCode 0:9; from scontrol)',
    );
    assert.match(
      describeEnd({ key: '5_1', state: 'TIMEOUT', exitCode: '0:15' }, 'sacct'),
      /^Slurm job 5_1 hit its time limit \(raise executor.time.*killed by signal 15 \(SIGTERM\)/,
    );
    assert.match(describeEnd({ key: '6', state: 'OUT_OF_MEMORY' }, 'x'), /raise executor.mem/);
    assert.match(describeEnd({ key: '7', state: 'NODE_FAIL' }, 'x'), /lost its node/);
    assert.match(describeEnd({ key: '8', state: 'CANCELLED', exitCode: '0:15' }, 'x'), /cancelled/);
  });
});

describe('batch scripts', () => {
  const settings = sbatchSettings({
    partition: 'gpu',
    account: 'proj-1',
    time: 90,
    gpus: 8,
    cpusPerTask: 16,
    mem: '64G',
    extra: ['--qos=high', '#SBATCH --constraint=a100'],
  });

  it('writes the #SBATCH lines of the settings', () => {
    assert.deepEqual(
      sbatchLines(settings, { name: 'n', stdout: '/o', stderr: '/e', cwd: '/c', arrayTasks: 3 }),
      [
        '#SBATCH --job-name=n',
        '#SBATCH --output=/o',
        '#SBATCH --error=/e',
        '#SBATCH --chdir=/c',
        '#SBATCH --array=0-2',
        '#SBATCH --partition=gpu',
        '#SBATCH --account=proj-1',
        '#SBATCH --time=90',
        '#SBATCH --gres=gpu:8',
        '#SBATCH --cpus-per-task=16',
        '#SBATCH --mem=64G',
        '#SBATCH --qos=high',
        '#SBATCH --constraint=a100',
      ],
    );
  });

  it('rejects bad settings with the value and the fix', () => {
    assert.equal(slurmTime('1-12:00:00'), '1-12:00:00');
    assert.equal(slurmTime('0:01'), '0:01');
    assert.throws(
      () => slurmTime('2h'),
      (e: Error) => e instanceof ValidationError && /'2h'.*HH:MM:SS/.test(e.message),
    );
    assert.throws(() => slurmTime(0), ValidationError);
    assert.throws(() => sbatchSettings({ mem: 'lots' }), /'lots' is not a Slurm memory size/);
    assert.throws(
      () => sbatchSettings({ extra: ['--output=x'] }),
      /sets --output, which mixopt sets itself/,
    );
    assert.throws(() => sbatchSettings({ extra: ['qos=high'] }), /not one sbatch option/);
    assert.throws(
      () => sbatchSettings({ partition: 'a b' }),
      /'a b' is not a Slurm partition name/,
    );
    assert.throws(() => sbatchSettings({ gpus: 1.5 }), /gpus must be a whole number/);
  });

  it('checks templates: interpreter line, known placeholders alone on a line, no reserved options', () => {
    assert.throws(() => loadTemplate('echo hi\nrun\n', '/'), /does not start with '#!'/);
    assert.throws(
      () => loadTemplate('#!/bin/bash\n{{trial}}\n', '/'),
      /line 2: unknown placeholder \{\{trial\}\}/,
    );
    assert.throws(() => loadTemplate('#!/bin/bash\necho {{setup}}\n', '/'), /must stand alone/);
    assert.throws(
      () => loadTemplate('#!/bin/bash\n#SBATCH -o out.txt\n', '/'),
      /line 2 sets --output/,
    );
    assert.throws(
      () => loadTemplate('/nonexistent/job.sbatch', '/'),
      /cannot read the Slurm batch template/,
    );
    // Comments may mention placeholders; they stay as they are.
    const commented = loadTemplate(
      '#!/bin/bash\n# mixopt writes {{sbatch}} and {{x}} here\n{{sbatch}}\nrun\n',
      '/',
    );
    assert.equal(
      renderBatchScript(commented, ['#SBATCH --job-name=n'], ['S']),
      '#!/bin/bash\n# mixopt writes {{sbatch}} and {{x}} here\n#SBATCH --job-name=n\nS\nrun\n',
    );
    const dir = tmp();
    writeFileSync(join(dir, 'job.sbatch'), '#!/bin/sh\ntrue\n');
    assert.equal(loadTemplate('job.sbatch', dir).text, '#!/bin/sh\ntrue\n');
  });

  it('places the blocks at their placeholders or after the header, and refuses a late #SBATCH line', () => {
    const s = ['#SBATCH --job-name=x'];
    const setup = ['SETUP'];
    const t1 = loadTemplate('#!/bin/bash\n# train\n#SBATCH --qos=a\n\nrun\n', '/');
    assert.equal(
      renderBatchScript(t1, s, setup),
      '#!/bin/bash\n#SBATCH --job-name=x\n# train\n#SBATCH --qos=a\nSETUP\n\nrun\n',
    );
    const t2 = loadTemplate('#!/bin/bash\n# c\n{{sbatch}}\n#SBATCH --qos=a\n{{setup}}\nrun\n', '/');
    assert.equal(
      renderBatchScript(t2, s, setup),
      '#!/bin/bash\n# c\n#SBATCH --job-name=x\n#SBATCH --qos=a\nSETUP\nrun\n',
    );
    const t3 = loadTemplate('#!/bin/bash\n{{setup}}\n#SBATCH --qos=a\nrun\n', '/');
    assert.throws(
      () => renderBatchScript(t3, s, setup),
      /'#SBATCH --qos=a' comes after the first command \('SETUP'\)/,
    );
  });

  it('the setup block exports the trial, records the raw id and the exit status (run by bash)', () => {
    const root = tmp();
    const dirs = [join(root, 'a'), join(root, "b c'd")];
    for (const [i, d] of dirs.entries()) {
      mkdirSync(d);
      writeFileSync(
        join(d, 'env.sh'),
        envScript({ MIXOPT_TRIAL_ID: String(i), ODD: "it's $HOME `x`" }),
      );
    }
    const t = loadTemplate(
      '#!/bin/bash\necho "$MIXOPT_TRIAL_ID|$ODD|$MIXOPT_JOB_DIR"\nexit 4\n',
      '/',
    );
    const script = join(root, 'job.sh');
    writeFileSync(script, renderBatchScript(t, [], setupLines(dirs, true)));
    const r = spawnSync('bash', [script], {
      env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '1', SLURM_JOB_ID: '77' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 4);
    assert.equal(r.stdout, `1|it's $HOME \`x\`|${dirs[1]}\n`);
    assert.equal(readFileSync(join(dirs[1] as string, 'slurm-job-id'), 'utf8'), '77\n');
    assert.equal(readFileSync(join(dirs[1] as string, 'exit-code'), 'utf8'), '4\n');
    assert.equal(existsSync(join(dirs[0] as string, 'exit-code')), false);
    const bad = spawnSync('bash', [script], {
      env: { SLURM_ARRAY_TASK_ID: '5' },
      encoding: 'utf8',
    });
    assert.equal(bad.status, 97);
    assert.match(bad.stderr, /unexpected array task '5'/);
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });

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

const trial = (id: string, over: Partial<TrialSpec> = {}): TrialSpec => ({
  study: 'u',
  trial: id,
  attempt: 1,
  domains: ['a', 'b'],
  mixture: [0.5, 0.5],
  scale: '20M',
  params: 2e7,
  steps: 200,
  logEvery: 100,
  metrics: ['loss'],
  seed: 1,
  ...over,
});

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
