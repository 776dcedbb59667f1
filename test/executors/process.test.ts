// Process identity (src/executors/process.ts) on this Linux machine's /proc, with real child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  currentBootId,
  groupAlive,
  groupMembers,
  identify,
  isRunning,
  parseProcStat,
  pidExists,
  procStat,
  signalGroup,
} from '../../src/executors/process.ts';

/** A /proc/<pid>/stat line: fields 3.. after the command name; field 5 pgrp, field 22 start time. */
function statLine(comm: string, state: string, pgrp: number, start: number): string {
  const f = Array.from({ length: 50 }, (_, i) => String(i + 3));
  f[0] = state;
  f[2] = String(pgrp);
  f[19] = String(start);
  return `1234 (${comm}) ${f.join(' ')}\n`;
}

/** Starts `sleep` in a new process group with one child `sleep`; returns the leader. */
async function sleepGroup() {
  const child = spawn('sh', ['-c', 'sleep 30 & sleep 30; wait'], {
    detached: true,
    stdio: 'ignore',
  });
  await once(child, 'spawn');
  const pgid = child.pid as number;
  // Wait until both sleeps are in the group.
  for (let i = 0; i < 200 && groupMembers(pgid).length < 3; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, pgid };
}

describe('parseProcStat', () => {
  it('reads the state (field 3), the group (field 5) and the start time (field 22) after the last ")"', () => {
    assert.deepEqual(parseProcStat(statLine('node', 'S', 77, 123456)), {
      state: 'S',
      pgrp: 77,
      startTicks: 123456,
    });
    // A command name with spaces and a ')' of its own.
    assert.deepEqual(parseProcStat(statLine('a) b (c', 'Z', 5, 9)), {
      state: 'Z',
      pgrp: 5,
      startTicks: 9,
    });
  });

  it('undefined for text that is not a stat line', () => {
    assert.equal(parseProcStat('no parenthesis here'), undefined);
    assert.equal(parseProcStat('1 (x) S 1'), undefined);
    assert.equal(parseProcStat(statLine('x', 'S', 1, 1).replace(' 1 ', ' one ')), undefined);
  });
});

describe('process identity on /proc', () => {
  it('this process: its stat matches /proc/self/stat; the boot id is /proc’s', () => {
    const own = procStat(process.pid);
    assert.deepEqual(own, parseProcStat(readFileSync('/proc/self/stat', 'utf8')));
    assert.equal(currentBootId(), readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    const id = identify(process.pid);
    assert.deepEqual(id, {
      pid: process.pid,
      startTicks: own?.startTicks,
      bootId: currentBootId(),
    });
    assert.equal(pidExists(process.pid), true);
    assert.equal(isRunning(id), true);
  });

  it('another start time or another boot is another process; a pid that is gone is not running', async () => {
    const id = identify(process.pid);
    assert.equal(isRunning({ ...id, startTicks: (id.startTicks as number) + 1 }), false);
    assert.equal(isRunning({ ...id, bootId: 'another-boot' }), false);
    // Unknown start time and boot (recorded without /proc): the pid decides.
    assert.equal(isRunning({ pid: process.pid, startTicks: null, bootId: null }), true);
    const child = spawn('true');
    const pid = child.pid as number;
    await once(child, 'exit');
    assert.equal(pidExists(pid), false);
    assert.equal(isRunning({ pid, startTicks: null, bootId: null }), false);
  });

  it('a zombie (exited, not reaped) is not running', async () => {
    // The shell's child `true` exits at once; the shell sleeps without reaping it.
    const sh = spawn('sh', ['-c', 'true & exec sleep 30'], { stdio: 'ignore' });
    try {
      let zombie: number | undefined;
      for (let i = 0; i < 300 && zombie === undefined; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const kids = readFileSync(`/proc/${sh.pid}/task/${sh.pid}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter((s) => s !== '')
          .map(Number);
        zombie = kids.find((k) => procStat(k)?.state === 'Z');
      }
      assert.ok(zombie !== undefined, 'no zombie child seen');
      assert.equal(pidExists(zombie), true);
      assert.equal(isRunning({ pid: zombie, startTicks: null, bootId: null }), false);
    } finally {
      sh.kill('SIGKILL');
      await once(sh, 'exit');
    }
  });

  it('groupMembers lists a group’s live processes; signalGroup stops them all', async () => {
    const { child, pgid } = await sleepGroup();
    const members = groupMembers(pgid);
    assert.equal(members.length, 3, `members ${members}`);
    assert.ok(members.includes(pgid));
    assert.equal(groupAlive(pgid), true);
    const exited = once(child, 'exit');
    signalGroup(pgid, 'SIGKILL');
    await exited;
    for (let i = 0; i < 200 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(groupMembers(pgid), []);
    assert.equal(groupAlive(pgid), false);
    // No process left: no error.
    signalGroup(pgid, 'SIGTERM');
  });
});
