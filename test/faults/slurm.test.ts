/**
 * Fault injection on the Slurm executor, against a real Slurm
 * (../shared/slurm/start.sh, as .ci/run starts it). Skipped when no Slurm
 * answers; mandatory when MIXOPT_SLURM_TESTS=required.
 *
 * Invariants: no trial run twice (one Slurm job per trial attempt, also when
 * the driver dies between sbatch and storing the handle); a round where every
 * submission is refused stops the run (exit 4) with sbatch's error; no told
 * point lost however much a job prints; no process left after a cancel.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { createSlurmExecutor, SqliteStudyStore, Study } from '../../src/index.ts';
import { smallConfig, tempDir } from '../study/helpers.ts';
import { CURVE_JOB, faultTrial, mixopt, sleep, toEnd } from './helpers.ts';

const sh = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });

function unavailable(): string | undefined {
  if (process.env.SLURM_CONF === undefined)
    return 'SLURM_CONF is not set (start ../shared/slurm/start.sh, source /tmp/slurm/env.sh)';
  const r = sh('sinfo', ['-h', '-o', '%T']);
  if (r.error !== undefined) return `sinfo cannot run (${r.error.message})`;
  return r.status === 0 ? undefined : `slurmctld does not answer: ${r.stderr.trim()}`;
}
const why = unavailable();
const skip = why !== undefined && process.env.MIXOPT_SLURM_TESTS !== 'required' ? why : false;
const stamp = `${process.pid}-${Date.now().toString(36)}`;

/** A batch template whose job body is `body` (bash). */
function template(dir: string, body: string): string {
  const p = join(dir, 'job.sbatch');
  writeFileSync(p, `#!/bin/bash\n{{sbatch}}\n#SBATCH --cpus-per-task=1\n{{setup}}\n${body}\n`);
  return p;
}

/** Slurm job ids whose name is `name`. */
const jobsNamed = (name: string) =>
  sh('squeue', ['-h', '-t', 'all', '--name', name, '-o', '%i']).stdout.split('\n').filter(Boolean);

describe('faults: Slurm', { skip }, () => {
  it('no trial run twice: mixopt run killed between sbatch and storing the handle finds its job by name', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const name = `fk-${stamp}`;
    const file = join(dir, 'study.yaml');
    writeFileSync(
      file,
      stringify(
        smallConfig({
          name,
          steps: { min: 100, max: 400, logEvery: 100 },
          target: { scale: '1B', steps: 400 },
          executor: { kind: 'slurm', template: template(dir, CURVE_JOB), array: false },
        }),
      ),
    );
    assert.equal((await mixopt(['study', 'create', file, '--db', db])).code, 0);
    const run = [
      'run',
      '--db',
      db,
      '--max-trials',
      '1',
      '--poll-ms',
      '100',
      '--slurm',
      'statusIntervalSeconds=0.5',
    ];
    const killed = await mixopt(run, { MIXOPT_FAULT_KILL_AT: 'launch' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const jobDir = join(dir, `${name}.slurm`, `${name}-t1-a1`);
    assert.equal(existsSync(join(jobDir, 'handle.json')), false, 'killed before the handle');
    const again = await mixopt(run);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /trial 1: re-attached \(never launched; launching now\)/);
    assert.equal(jobsNamed(`mixopt-${name}-t1-a1`).length, 1, 'one Slurm job, not two');
    const study = new Study(SqliteStudyStore.open(db, { mode: 'read' }), undefined);
    const t = study.trial(1);
    assert.equal(t.state, 'completed');
    assert.equal(t.job?.jobId, jobsNamed(`mixopt-${name}-t1-a1`)[0]);
    assert.deepEqual(
      study.points(1).map((p) => p.step),
      Array.from({ length: Math.floor(t.steps / 100) }, (_, i) => (i + 1) * 100),
    );
  });

  it('every submission refused (partition=nosuch): stops with exit 4 and the sbatch error, nothing left running', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const file = join(dir, 'study.yaml');
    writeFileSync(file, stringify(smallConfig({ name: `np-${stamp}`, budget: 100 })));
    assert.equal((await mixopt(['study', 'create', file, '--db', db])).code, 0);
    const r = await mixopt([
      'run',
      '--db',
      db,
      '--parallel',
      '2',
      '--poll-ms',
      '50',
      '--slurm',
      `template=${template(dir, CURVE_JOB)}`,
      '--slurm',
      'partition=nosuch',
    ]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stderr,
      /failed, will retry: executor could not launch the job: sbatch rejected .*invalid partition/i,
    );
    assert.match(r.stderr, /stopped after \d+ failed attempts in a row/);
    const study = new Study(SqliteStudyStore.open(db, { mode: 'read' }), undefined);
    assert.equal(study.status().counts.running, 0);
    assert.equal(study.status().spent, 0);
  });

  it('600 MiB of job output: every metric line read', async () => {
    const dir = tempDir();
    const ex = createSlurmExecutor({
      template: template(
        dir,
        `echo '{"step": 100, "value": 3}'; truncate -s +600M "$MIXOPT_JOB_DIR/stdout"; echo; echo '{"step": 200, "value": 2}'`,
      ),
      workDir: join(dir, 'jobs'),
      statusIntervalSeconds: 0.5,
    });
    const h = await ex.run(faultTrial(`huge-${stamp}`, 300));
    const r = await toEnd(ex, h, 60_000);
    assert.equal(r.phase, 'completed', r.error);
    assert.deepEqual(
      r.points.map((p) => [p.step, p.value]),
      [
        [100, 3],
        [200, 2],
      ],
    );
  });

  it('no process left: a cancelled job that ignores SIGTERM is gone (Slurm kills it after KillWait)', async () => {
    const dir = tempDir();
    const ex = createSlurmExecutor({
      template: template(dir, 'trap "" TERM; echo $$ > "$MIXOPT_JOB_DIR/user.pid"; sleep 120'),
      workDir: join(dir, 'jobs'),
      statusIntervalSeconds: 0.5,
    });
    const h = await ex.run(faultTrial(`stub-${stamp}`, 300));
    const pidFile = join((h.meta as { dir: string }).dir, 'user.pid');
    for (let i = 0; i < 300 && !existsSync(pidFile); i++) await sleep(100);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await ex.cancel(h);
    const gone = () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 300 && !gone(); i++) await sleep(100);
    assert.ok(gone(), `process ${pid} of the cancelled job is still running`);
    const r = await toEnd(ex, h, 60_000);
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /cancel/i);
  });
});
