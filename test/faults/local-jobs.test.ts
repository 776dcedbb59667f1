/**
 * Fault injection on the local executor's jobs: a driver killed at the
 * launch, stubborn processes, reused pids. Each test names the invariant it
 * checks.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  currentBootId,
  groupMembers,
  pidExists,
  procStat,
  startTicksOf,
} from '../../src/executors/process.ts';
import { createLocalExecutor, type Executor, type JobHandle } from '../../src/index.ts';
import { faultTrial, sleep, toEnd } from './helpers.ts';

const trial = faultTrial('f', 800);

function local(
  command: string,
  workDir: string,
  extra: { timeoutSeconds?: number } = {},
): Executor {
  return createLocalExecutor({
    command,
    workDir,
    killGraceSeconds: 0.3,
    launchWaitMs: 300,
    ...extra,
  });
}

// Prints one metric line per 100 steps, each carrying the pid of the shell that printed it.
const CURVE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  'for i in 1 2 3 4 5 6 7 8; do echo "{\\"step\\": ${i}00, \\"value\\": $i, \\"pid\\": $$}"; sleep 0.05; done';

function pidsIn(dir: string): Set<number> {
  const lines = readFileSync(join(dir, 'stdout'), 'utf8').trim().split('\n');
  return new Set(lines.map((l) => (JSON.parse(l) as { pid: number }).pid));
}

describe('faults: local jobs', () => {
  it('no trial run twice: a driver killed after the launch, before storing the handle, adopts the live job', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
    const first = await local(CURVE, work).run(trial);
    // The restarted driver (a fresh executor) launches the same attempt again.
    const ex = local(CURVE, work);
    const again = await ex.run(trial);
    assert.equal(again.jobId, first.jobId, 'the live job is adopted, not started twice');
    const r = await toEnd(ex, again);
    assert.equal(r.phase, 'completed');
    assert.deepEqual(
      r.points.map((p) => p.step),
      [100, 200, 300, 400, 500, 600, 700, 800],
    );
    const dir = (first.meta as { dir: string }).dir;
    assert.deepEqual([...pidsIn(dir)].length, 1, 'every line comes from one process');
  });

  it('no trial run twice: killed before the handle file was written, the job is found by its own record', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
    const first = await local(CURVE, work).run(trial);
    const dir = (first.meta as { dir: string }).dir;
    rmSync(join(dir, 'handle.json')); // as if the driver died right after spawning
    const ex = local(CURVE, work);
    const again = await ex.run(trial);
    assert.equal(again.jobId, first.jobId);
    assert.equal(
      (again.meta as { startTicks: number }).startTicks,
      (first.meta as { startTicks: number }).startTicks,
    );
    assert.equal((await toEnd(ex, again)).phase, 'completed');
    assert.equal(pidsIn(dir).size, 1);
  });

  it('no trial run twice: a finished job is adopted with its result; a cancelled one is run again', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
    const ex = local('echo \'{"step": 100, "value": 1}\'', work);
    const h = await ex.run(trial);
    assert.equal((await toEnd(ex, h)).phase, 'completed');
    const again = await local('echo \'{"step": 100, "value": 2}\'', work).run(trial);
    assert.equal(again.jobId, h.jobId, 'the finished job stands; the command is not run again');
    // A job mixopt cancelled (its trial given back with the attempt not counted) is run anew.
    const slow = local('sleep 5', work);
    const t2 = { ...trial, trial: '2' };
    const h2 = await slow.run(t2);
    await slow.cancel(h2);
    const h3 = await slow.run(t2);
    assert.notEqual(h3.jobId, h2.jobId);
    await slow.cancel(h3);
  });

  it('no trial run twice: a launch that never claimed its folder does not run once the folder is made again', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
    const dir = join(work, 'f-t1-a1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'launch'), 'token-of-a-dead-driver');
    const ex = local(CURVE, work);
    const h = await ex.run(trial); // waits launchWaitMs for a claim, then starts afresh
    // The dead driver's wrapper, starting late with its old token, must not run the command.
    const late = spawn(
      '/bin/sh',
      [
        '-c',
        '[ "$(cat "$D/launch")" = "$T" ] && mkdir "$D/claim" 2>/dev/null || exit 75; echo ran > "$D/late"',
      ],
      { env: { ...process.env, D: dir, T: 'token-of-a-dead-driver' } },
    );
    const code = await new Promise((r) => late.on('exit', r));
    assert.equal(code, 75);
    assert.equal(existsSync(join(dir, 'late')), false);
    assert.equal((await toEnd(ex, h)).phase, 'completed');
    assert.equal(pidsIn(dir).size, 1);
  });

  for (const how of ['timeout', 'cancel'] as const) {
    it(`no process left: a job that ignores SIGTERM is killed with its whole group (${how})`, async () => {
      const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
      // The user's shell ignores SIGTERM (and so does the sleep it starts); the wrapper does not.
      const cmd = 'trap "" TERM; echo $$ > "$MIXOPT_JOB_DIR/user.pid"; sleep 30; sleep 30';
      const ex = local(cmd, work, how === 'timeout' ? { timeoutSeconds: 0.3 } : {});
      const h = await ex.run(trial);
      const dir = (h.meta as { dir: string }).dir;
      while (!existsSync(join(dir, 'user.pid'))) await sleep(20);
      const user = Number(readFileSync(join(dir, 'user.pid'), 'utf8'));
      if (how === 'cancel') await ex.cancel(h);
      const r = await toEnd(ex, h);
      assert.equal(r.phase, 'failed');
      assert.match(r.error ?? '', how === 'timeout' ? /timed out/ : /cancelled/);
      assert.deepEqual(groupMembers(Number(h.jobId)), [], 'no process of the job group survives');
      const st = procStat(user);
      assert.ok(
        st === undefined || st.state === 'Z',
        `the user's shell ${user} is gone (zombie at most)`,
      );
    });
  }

  it('no process left: orphans of a killed wrapper are stopped when the job is found vanished', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
    const ex = local('sleep 30', work);
    const h = await ex.run(trial);
    await sleep(200);
    process.kill(Number(h.jobId), 'SIGKILL'); // the wrapper only; its sleep lives on
    await sleep(100);
    const r = await toEnd(ex, h);
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /vanished/);
    assert.deepEqual(groupMembers(Number(h.jobId)), []);
  });

  for (const what of ['start time', 'boot'] as const) {
    it(`PID reuse: a handle whose pid now names another process (${what} differs) reads as vanished, and that process is left alone`, async () => {
      const work = mkdtempSync(join(tmpdir(), 'mixopt-fault-'));
      const dir = join(work, 'f-t1-a1');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'stdout'), '{"step": 100, "value": 1}\n');
      // Another process now holds the pid (a reboot or wrap-around): here, a sleep of ours.
      const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
      const pid = other.pid as number;
      await sleep(50);
      const ticks = startTicksOf(pid);
      const handle: JobHandle = {
        executor: 'local',
        jobId: String(pid),
        meta: {
          dir,
          pid,
          host: hostname(),
          startedAt: Date.now(),
          timeoutSeconds: null,
          defaultMetric: 'val_loss',
          startTicks: what === 'start time' ? (ticks ?? 0) - 1 : ticks,
          bootId: what === 'boot' ? 'another-boot' : currentBootId(),
        },
      };
      try {
        const r = await local('true', work).poll(handle);
        assert.equal(r.phase, 'failed');
        assert.match(r.error ?? '', /vanished without an exit status/);
        assert.equal(r.points.length, 1, 'what the job reported is kept');
        assert.equal(pidExists(pid), true, 'the process that reuses the pid is not killed');
      } finally {
        other.kill('SIGKILL');
      }
    });
  }
});
