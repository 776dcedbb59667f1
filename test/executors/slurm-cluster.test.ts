// The Slurm executor against a real Slurm (../shared/slurm/start.sh: slurmctld +
// slurmd on this machine; jobs run as this user on this machine, so they see
// this checkout). Skipped when no Slurm answers; mandatory when
// MIXOPT_SLURM_TESTS=required (as in .ci/run, which starts Slurm with accounting).
//
// Each end state is checked twice: with accounting 'auto' (sacct when slurmdbd
// runs, else the detected fallback) and with accounting 'none' (squeue,
// scontrol, the job completion log and the job's own files), so the
// no-accounting path is exercised on a cluster that has accounting too. The
// time-limit jobs (TIMEOUT after ~80 s) are submitted first and checked last.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { cli, finished, spawnCli } from '../cli/study-helpers.ts';
import {
  createOptimizer,
  createSlurmExecutor,
  type Executor,
  getTestbed,
  type History,
  type JobHandle,
  type JobReport,
  type OptimizerContext,
  parseStudyConfig,
  runStudy,
  type SlurmAccounting,
  type SlurmJobMeta,
  SqliteStudyStore,
  Study,
  type TrialSpec,
} from '../internals.ts';
import { executorContract } from './contract.ts';

const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const TEMPLATE = join(ROOT, 'examples/slurm/train-sim.sbatch');
const HOW =
  'to run them: as root, `bash ../shared/slurm/start.sh` (SLURM_ACCOUNTING=1 adds sacct), `source /tmp/slurm/env.sh`, then `node scripts/run-tests.mjs slurm-cluster`';
const required = process.env.MIXOPT_SLURM_TESTS === 'required';

function sh(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
}

/** Why Slurm cannot be used here, or undefined when it answers. */
function unavailable(): string | undefined {
  if (process.env.SLURM_CONF === undefined) return 'SLURM_CONF is not set';
  const r = sh('sinfo', ['-h', '-o', '%T']);
  if (r.error !== undefined) return `sinfo cannot run (${r.error.message})`;
  if (r.status !== 0) return `slurmctld does not answer: ${r.stderr.trim()}`;
  return undefined;
}

const why = unavailable();
const hasSacct = why === undefined && sh('sacct', ['-n', '-X', '-j', '1']).status === 0;
const law = getTestbed('law');
const METRIC = 'commoncrawl_cross_entropy';
const stamp = `${process.pid}-${Date.now().toString(36)}`;
const tmp = () => mkdtempSync(join(tmpdir(), 'mixopt-slurm-'));

function trial(study: string, id: string, over: Partial<TrialSpec> = {}): TrialSpec {
  return {
    study,
    trial: id,
    attempt: 1,
    domains: [...law.domains],
    mixture: [0.3, 0.1, 0.2, 0.2, 0.2],
    scale: '20M',
    params: 20e6,
    steps: 300,
    logEvery: 100,
    metrics: [METRIC],
    seed: 1,
    ...over,
  };
}

function executor(
  accounting: SlurmAccounting,
  over: Record<string, unknown> = {},
): ReturnType<typeof createSlurmExecutor> {
  return createSlurmExecutor({
    template: TEMPLATE,
    workDir: tmp(),
    cwd: ROOT,
    accounting,
    statusIntervalSeconds: 0.5,
    ...over,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the job ends (or `ms` pass). */
async function waitEnd(ex: Executor, h: JobHandle, ms = 60_000): Promise<JobReport> {
  const until = Date.now() + ms;
  for (;;) {
    const r = await ex.poll(h);
    if (r.phase !== 'running') return r;
    if (Date.now() > until) throw new Error(`job ${h.jobId} still running after ${ms} ms`);
    await sleep(300);
  }
}

/** squeue's state of a job key. */
function squeueState(key: string): string {
  return sh('squeue', ['-h', '-t', 'all', '-j', key, '-o', '%T']).stdout.trim();
}

async function waitState(key: string, state: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (squeueState(key) !== state) {
    if (Date.now() > until) throw new Error(`job ${key} not ${state} after ${ms} ms`);
    await sleep(250);
  }
}

/** The Slurm jobs (array tasks count one each) whose name starts with `prefix`. */
function jobsNamed(prefix: string): string[] {
  return sh('squeue', ['-h', '-t', 'all', '-o', '%j|%i'])
    .stdout.split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.split('|')[1] as string);
}

function expectCurve(r: JobReport, t: TrialSpec): void {
  assert.deepEqual(
    r.points.map((p) => [p.step, p.value]),
    law.curve(t.mixture, t.scale, t.steps, METRIC).map((p) => [p.step, p.value]),
  );
}

const inline = (body: string) => `#!/bin/bash\n#SBATCH --cpus-per-task=1\n${body}\n`;

if (why !== undefined && required) {
  describe('Slurm executor against a real Slurm (MIXOPT_SLURM_TESTS=required)', () => {
    it('needs a running Slurm', () => {
      assert.fail(`MIXOPT_SLURM_TESTS=required but ${why}; ${HOW}`);
    });
  });
} else {
  describe('Slurm executor against a real Slurm', { skip: why && `${why}; ${HOW}` }, () => {
    if (required)
      it('accounting works (.ci/run starts Slurm with SLURM_ACCOUNTING=1)', () => {
        assert.ok(hasSacct, 'sacct does not answer: start Slurm with SLURM_ACCOUNTING=1');
      });
    const modes: SlurmAccounting[] = ['auto', 'none'];
    /**
     * Where end states come from in each mode. With accounting, 'auto' asks sacct first; but
     * slurmdbd records a job's end a moment after squeue shows it ended, and while sacct lags
     * the controller's record (scontrol) answers, as documented. Both are the job's true end
     * state, so 'auto' accepts either (seen in CI: a SIGKILLed job read from scontrol).
     */
    const source: Record<SlurmAccounting, RegExp> = {
      sacct: /from sacct\)/,
      auto: hasSacct ? /from (sacct|scontrol)\)/ : /from scontrol\)/,
      none: /from scontrol\)/,
    };
    const timeouts = new Map<SlurmAccounting, { ex: Executor; h: JobHandle; at: number }>();

    before(async () => {
      // Submitted first: these take 76-84 s (limits are whole minutes, checked every ~30 s).
      for (const mode of modes) {
        const ex = executor(mode, { template: inline('echo started; sleep 300'), time: 1 });
        timeouts.set(mode, {
          ex,
          h: await ex.run(trial(`timeout-${mode}-${stamp}`, '1')),
          at: Date.now(),
        });
      }
    });

    after(() => {
      // Nothing of ours keeps running after the tests (stop.sh would cancel them too).
      const ours = sh('squeue', ['-h', '-t', 'PENDING,RUNNING', '-o', '%j|%i'])
        .stdout.split('\n')
        .filter((l) => l.startsWith('mixopt-') && l.includes(stamp))
        .map((l) => l.split('|')[1] as string);
      if (ours.length > 0) sh('scancel', ours);
    });

    for (const mode of modes) {
      describe(`accounting '${mode}'`, () => {
        executorContract(
          `slurm (${mode})`,
          () => executor(mode),
          trial(`contract-${mode}-${stamp}`, '1'),
        );

        it('a job runs examples/train-sim.mjs and its curve is read back (also from a fresh executor)', async () => {
          const ex = executor(mode);
          const t = trial(`ok-${mode}-${stamp}`, '1');
          const h = await ex.run(t);
          assert.match(h.jobId, /^\d+$/);
          const r = await waitEnd(ex, h);
          assert.equal(r.phase, 'completed', r.error);
          expectCurve(r, t);
          // Another process (a restarted driver) polls the stored handle.
          const again = await executor(mode).poll(JSON.parse(JSON.stringify(h)));
          assert.equal(again.phase, 'completed');
          expectCurve(again, t);
        });

        it('a job array: one sbatch, tasks keyed ArrayJobId_TaskId, every curve read', async () => {
          const ex = executor(mode, { array: true });
          const study = `array-${mode}-${stamp}`;
          const ts = ['1', '2', '3'].map((id, i) =>
            trial(study, id, { mixture: law.domains.map((_, j) => (j === i ? 0.6 : 0.1)) }),
          );
          const hs = await ex.runBatch(ts);
          const arrayId = (hs[0] as JobHandle).meta.arrayJobId;
          assert.deepEqual(
            hs.map((h) => h.jobId),
            [0, 1, 2].map((i) => `${arrayId}_${i}`),
          );
          const rs = await Promise.all(hs.map((h) => waitEnd(ex, h)));
          rs.forEach((r, i) => {
            assert.equal(r.phase, 'completed', r.error);
            expectCurve(r, ts[i] as TrialSpec);
          });
          assert.deepEqual(jobsNamed(`mixopt-${study}-`).sort(), hs.map((h) => h.jobId).sort());
        });

        it('a job that exits non-zero fails with its exit code, the points so far and its stderr', async () => {
          const ex = executor(mode, {
            template: inline(
              'echo \'{"step": 100, "value": 3.5}\'; echo "loss exploded" >&2; exit 3',
            ),
          });
          const h = await ex.run(trial(`exit3-${mode}-${stamp}`, '1'));
          const r = await waitEnd(ex, h);
          assert.equal(r.phase, 'failed');
          assert.match(r.error ?? '', /^Slurm job \d+ failed: exit code 3 \(state FAILED/);
          assert.match(r.error ?? '', source[mode]);
          assert.match(r.error ?? '', /stderr tail:\nloss exploded$/);
          assert.deepEqual(r.points, [{ step: 100, metric: METRIC, value: 3.5 }]);
        });

        it('a job killed by a signal fails naming the signal', async () => {
          const ex = executor(mode, { template: inline('echo going; kill -9 $$') });
          const r = await waitEnd(ex, await ex.run(trial(`sig-${mode}-${stamp}`, '1')));
          assert.equal(r.phase, 'failed');
          assert.match(r.error ?? '', /killed by signal 9 \(SIGKILL\)/);
          assert.match(r.error ?? '', source[mode]);
          assert.doesNotMatch(r.error ?? '', /JobLaunchFailure/);
        });

        it('a running job is cancelled; a held array task that Slurm then forgets reads as cancelled', async () => {
          const ex = executor(mode, { template: inline('sleep 300') });
          const h = await ex.run(trial(`cancel-${mode}-${stamp}`, '1'));
          await waitState(h.jobId, 'RUNNING');
          await ex.cancel(h);
          const r = await waitEnd(ex, h);
          assert.equal(r.phase, 'failed');
          assert.match(r.error ?? '', /was cancelled \(scancel\).*state CANCELLED/);
          assert.match(r.error ?? '', source[mode]);
          await ex.cancel(h); // idempotent on a finished job

          const held = executor(mode, { template: inline('true'), array: true, extra: ['--hold'] });
          const study = `held-${mode}-${stamp}`;
          const hs = await held.runBatch([trial(study, '1'), trial(study, '2')]);
          assert.equal((await held.poll(hs[1] as JobHandle)).phase, 'running');
          await held.cancel(hs[1] as JobHandle);
          const rc = await waitEnd(held, hs[1] as JobHandle);
          assert.equal(rc.phase, 'failed');
          assert.match(rc.error ?? '', /cancelled/);
          await held.cancel(hs[0] as JobHandle);
          assert.equal((await waitEnd(held, hs[0] as JobHandle)).phase, 'failed');
        });

        it('a job Slurm does not know: its exit-code file decides', async () => {
          const ex = executor(mode);
          const dir = tmp();
          const meta: SlurmJobMeta = {
            dir,
            stdout: join(dir, 'stdout'),
            stderr: join(dir, 'stderr'),
            name: 'mixopt-lost',
            arrayJobId: null,
            taskId: null,
            submittedAt: 0,
            defaultMetric: METRIC,
          };
          const h = (jobId: string): JobHandle => ({
            executor: 'slurm',
            jobId,
            meta: { ...meta },
          });
          writeFileSync(meta.stdout, '{"step": 100, "value": 2.5}\n');
          const lost = await ex.poll(h('999991'));
          assert.equal(lost.phase, 'failed');
          assert.match(lost.error ?? '', /^Slurm no longer knows job 999991 .*left no exit status/);
          writeFileSync(join(dir, 'exit-code'), '0\n');
          const done = await executor(mode).poll(h('999992'));
          assert.equal(done.phase, 'completed', done.error);
          assert.equal(done.points.length, 1);
        });

        it('run() of a trial whose job is still running re-attaches instead of submitting again', async () => {
          const workDir = tmp();
          const study = `twice-${mode}-${stamp}`;
          const ex = executor(mode, { workDir, template: inline('sleep 300') });
          const h1 = await ex.run(trial(study, '1'));
          const h2 = await executor(mode, { workDir, template: inline('sleep 300') }).run(
            trial(study, '1'),
          );
          assert.deepEqual(h2, h1);
          assert.deepEqual(jobsNamed(`mixopt-${study}-`), [h1.jobId]);
          await ex.cancel(h1);
        });

        it('sbatch refusing a job is an executor error with its message', async () => {
          const ex = executor(mode, { partition: 'no-such-partition' });
          await assert.rejects(ex.run(trial(`refused-${mode}-${stamp}`, '1')), (e: Error) =>
            /sbatch rejected .*invalid partition/i.test(e.message),
          );
        });
      });
    }

    describe('mixopt run on Slurm', () => {
      function studyFile(dir: string, name: string, over: Record<string, unknown> = {}): string {
        // The example, as a new user would start from it.
        const c = parseYaml(
          readFileSync(join(ROOT, 'examples/slurm/study.yaml'), 'utf8'),
        ) as Record<string, unknown>;
        delete c.$schema;
        const config = {
          ...c,
          name,
          optimizer: { method: 'random' },
          ...over,
          executor: {
            ...(c.executor as Record<string, unknown>),
            template: TEMPLATE,
            ...((over.executor as Record<string, unknown>) ?? {}),
          },
        };
        const p = join(dir, 'study.yaml');
        writeFileSync(p, stringify(config));
        return p;
      }

      it('the example study runs end to end: a job array, then single jobs; every curve told', async () => {
        const dir = tmp();
        const db = join(dir, 'mixopt.db');
        const name = `e2e-${stamp}`;
        const file = studyFile(dir, name, { budget: 1e6 });
        assert.equal((await cli('study', 'create', file, '--db', db)).code, 0);
        const run = await cli(
          'run',
          '--db',
          db,
          '--parallel',
          '3',
          '--max-trials',
          '4',
          '--poll-ms',
          '100',
          '--slurm',
          'statusIntervalSeconds=0.5',
          '--slurm',
          `workDir=${join(dir, 'jobs')}`,
        );
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /4 launched, 0 re-attached, 4 completed, 0 failed/);
        const study = new Study(SqliteStudyStore.open(db), undefined);
        const trials = study.trials();
        const ids = trials.map((t) => t.job?.jobId ?? '');
        const array = /^(\d+)_0$/.exec(ids[0] as string)?.[1];
        assert.ok(array !== undefined, `first batch is not an array: ${ids}`);
        assert.deepEqual(ids.slice(0, 3), [`${array}_0`, `${array}_1`, `${array}_2`]);
        assert.match(ids[3] as string, /^\d+$/, 'a lone trial is a plain job');
        for (const t of trials) {
          assert.equal(t.state, 'completed');
          assert.deepEqual(
            study.points(t.id).map((p) => [p.step, p.value]),
            law.curve(t.mixture, t.scale, t.steps, METRIC).map((p) => [p.step, p.value]),
          );
        }
        assert.equal(jobsNamed(`mixopt-${name}-`).length, 4);
      });

      it('mixopt run killed (kill -9) and restarted: re-attaches, submits nothing twice, loses nothing', async () => {
        const dir = tmp();
        const db = join(dir, 'mixopt.db');
        const name = `kill9-${stamp}`;
        const file = studyFile(dir, name, {
          steps: { min: 100, max: 500, logEvery: 100, candidates: [500] },
          target: { scale: '1B', steps: 500 },
          executor: { array: false, env: { TRAIN_SIM_ARGS: '--delay-ms 600' } },
        });
        assert.equal((await cli('study', 'create', file, '--db', db)).code, 0);
        const args = ['run', '--db', db, '--parallel', '3', '--poll-ms', '100'];
        const slurm = ['--slurm', 'statusIntervalSeconds=0.5', '--slurm', `workDir=${dir}/jobs`];
        const first = spawnCli([...args, '--max-trials', '3', ...slurm], ROOT);
        const done = finished(first);
        let launched = 0;
        first.stderr?.on('data', (d) => {
          launched += (String(d).match(/launched \(job/g) ?? []).length;
          if (launched === 3) first.kill('SIGKILL');
        });
        const r1 = await done;
        assert.equal(r1.signal, 'SIGKILL', r1.stderr);
        const running = jobsNamed(`mixopt-${name}-`);
        assert.equal(running.length, 3);
        assert.ok(
          running.some((k) => /PENDING|RUNNING/.test(squeueState(k))),
          'jobs were still running when the driver died',
        );

        const second = await finished(spawnCli([...args, '--max-trials', '1', ...slurm], ROOT));
        assert.equal(second.code, 0, second.stderr);
        for (const k of running)
          assert.match(second.stderr, new RegExp(`re-attached to job ${k}\\b`));
        assert.match(second.stdout, /1 launched, 3 re-attached, 4 completed, 0 failed/);

        const study = new Study(SqliteStudyStore.open(db), undefined);
        const trials = study.trials();
        assert.equal(trials.length, 4);
        const jobs = jobsNamed(`mixopt-${name}-`);
        assert.equal(jobs.length, 4, `one Slurm job per trial, none twice: ${jobs}`);
        assert.deepEqual(trials.map((t) => t.job?.jobId).sort(), [...jobs].sort());
        for (const t of trials) {
          assert.equal(t.state, 'completed');
          assert.equal(t.attempts, 1);
          assert.deepEqual(
            study.points(t.id).map((p) => p.value),
            law.curve(t.mixture, t.scale, t.steps, METRIC).map((p) => p.value),
          );
        }
      });

      it('stopping mixopt run with --on-interrupt cancel scancels its jobs and gives the trials back', async () => {
        const dir = tmp();
        const db = join(dir, 'mixopt.db');
        const name = `stop-${stamp}`;
        const file = studyFile(dir, name, {
          executor: { array: true, env: { TRAIN_SIM_ARGS: '--delay-ms 5000' } },
        });
        assert.equal((await cli('study', 'create', file, '--db', db)).code, 0);
        const child = spawnCli(
          [
            'run',
            '--db',
            db,
            '--parallel',
            '2',
            '--max-trials',
            '2',
            '--poll-ms',
            '100',
            '--on-interrupt',
            'cancel',
            '--slurm',
            'statusIntervalSeconds=0.5',
            '--slurm',
            `workDir=${dir}/jobs`,
          ],
          ROOT,
        );
        const done = finished(child);
        const keys: string[] = [];
        child.stderr?.on('data', (d) => {
          for (const m of String(d).matchAll(/launched \(job (\S+)\)/g)) keys.push(m[1] as string);
        });
        const until = Date.now() + 30_000;
        while (keys.length < 2 || !keys.every((k) => squeueState(k) === 'RUNNING')) {
          if (Date.now() > until) throw new Error(`jobs ${keys} not running`);
          await sleep(250);
        }
        child.kill('SIGTERM');
        const r = await done;
        // (The exit status is not checked: the CLI launcher replaces run's 130 with main()'s 0.)
        assert.match(r.stderr, /interrupted: cancelled trials 1, 2/);
        for (const k of keys) await waitState(k, 'CANCELLED', 20_000);
        const study = new Study(SqliteStudyStore.open(db), undefined);
        assert.deepEqual(
          study.trials().map((t) => [t.state, t.attempts]),
          [
            ['pending', 0],
            ['pending', 0],
          ],
        );
      });
    });

    it("the optimiser's stop decision scancels the job and keeps the trial's curve up to its last reported step", async () => {
      // A user optimiser: random search that stops every running trial once it has shown 2 points.
      const build = (method: string, ctx: OptimizerContext) => ({
        ...createOptimizer(method, ctx),
        stop: (h: History) =>
          h.runs.filter((r) => r.state === 'running' && r.curve.length >= 2).map((r) => r.id),
      });
      const study = Study.create(
        SqliteStudyStore.open(join(tmp(), 'mixopt.db')),
        parseStudyConfig({
          name: `early-stop-${stamp}`,
          domains: [...law.domains],
          scales: law.scales.map((s) => ({ name: s.name, params: s.params })),
          steps: { min: 100, max: 1000, logEvery: 100 },
          target: { scale: '1B', steps: 1000 },
          metric: { name: METRIC, direction: 'minimize' },
          optimizer: { method: 'random' },
          seed: 3,
          budget: 1e6,
        }),
        { optimizer: build },
      );
      const ex = executor('auto', { env: { TRAIN_SIM_ARGS: '--delay-ms 1000' } });
      const s = await runStudy(study, {
        executor: ex,
        parallel: 2,
        maxTrials: 2,
        pollIntervalMs: 200,
      });
      assert.equal(s.stopped, 2);
      for (const t of study.trials()) {
        assert.equal(t.state, 'completed');
        assert.ok(t.steps >= 200 && t.steps < 1000, `steps ${t.steps}`);
        assert.ok(Math.abs(t.cost - (10 * t.steps) / 1000) < 1e-9, `cost ${t.cost}`);
        assert.deepEqual(
          study.points(t.id).map((p) => [p.step, p.value]),
          law.curve(t.mixture, t.scale, t.steps, METRIC).map((p) => [p.step, p.value]),
        );
        await waitState(t.job?.jobId as string, 'CANCELLED');
      }
    });

    for (const mode of modes)
      it(`a job past its time limit fails as TIMEOUT (accounting '${mode}')`, async () => {
        const t = timeouts.get(mode);
        assert.ok(t);
        const r = await waitEnd(t.ex, t.h, 150_000 - (Date.now() - t.at));
        assert.equal(r.phase, 'failed');
        assert.match(r.error ?? '', /hit its time limit \(raise executor.time/);
        assert.match(r.error ?? '', /state TIMEOUT/);
        assert.match(r.error ?? '', source[mode]);
        assert.match(r.error ?? '', /DUE TO TIME LIMIT/, 'slurmstepd says so on stderr');
      });
  });
}
