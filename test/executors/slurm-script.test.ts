// Batch script rendering (src/executors/slurm-script.ts); the setup block is run by a real shell.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  envScript,
  loadTemplate,
  renderBatchScript,
  sbatchLines,
  sbatchSettings,
  setupLines,
  shellQuote,
  slurmTime,
  ValidationError,
} from '../internals.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'mixopt-slurm-unit-'));

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
});
