/**
 * Which process is which: a pid alone does not name a process for long (pids
 * are reused, and every reboot starts them again), so a job is identified by
 * its pid, its start time (clock ticks since boot, field 22 of
 * `/proc/<pid>/stat`) and the boot it started in
 * (`/proc/sys/kernel/random/boot_id`). A pid whose start time or boot differs
 * from the recorded one is another process: the job has vanished.
 *
 * Where `/proc` is missing (not Linux) the start time and boot are `null` and
 * only the pid is checked.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** A process, as recorded in a job handle. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot; null where /proc is not available. */
  readonly startTicks: number | null;
  /** The boot it started in; null where /proc is not available. */
  readonly bootId: string | null;
}

let boot: string | null | undefined;

/** This machine's boot id, or null without /proc. */
export function currentBootId(): string | null {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      boot = null;
    }
  }
  return boot;
}

/** What `/proc/<pid>/stat` says of a process. */
export interface ProcStat {
  /** One letter: R running, S sleeping, Z zombie (exited, not yet reaped), ... */
  readonly state: string;
  /** Its process group. */
  readonly pgrp: number;
  /** Start time in clock ticks since boot. */
  readonly startTicks: number;
}

/** Parses the text of a `/proc/<pid>/stat` file. */
export function parseProcStat(stat: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: count after its ')'.
  const i = stat.lastIndexOf(')');
  if (i < 0) return undefined;
  const f = stat.slice(i + 2).split(' '); // f[0] is field 3
  const pgrp = Number(f[2]);
  const startTicks = Number(f[19]);
  if (f[0] === undefined || !Number.isSafeInteger(pgrp) || !Number.isSafeInteger(startTicks))
    return undefined;
  return { state: f[0], pgrp, startTicks };
}

/** `/proc/<pid>/stat` of process `pid`, or undefined (no such process, or no /proc). */
export function procStat(pid: number | string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The start time of process `pid`, or null when it cannot be read. */
export function startTicksOf(pid: number): number | null {
  return procStat(pid)?.startTicks ?? null;
}

/** The identity of the running process `pid`. */
export function identify(pid: number): ProcessIdentity {
  return { pid, startTicks: startTicksOf(pid), bootId: currentBootId() };
}

/** Whether some process has this pid (whichever it is). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `id` records is still running: its pid exists, and its
 * start time and boot match (where they were recorded).
 */
export function isRunning(id: ProcessIdentity): boolean {
  if (!pidExists(id.pid)) return false;
  if (id.bootId !== null && currentBootId() !== null && id.bootId !== currentBootId()) return false;
  const st = procStat(id.pid);
  if (st === undefined) return true; // no /proc: the pid is all we know
  if (st.state === 'Z') return false; // exited; its parent has not reaped it yet
  return id.startTicks === null || st.startTicks === id.startTicks;
}

/**
 * The pids of the live processes (zombies excluded) of process group `pgid`;
 * without /proc, `[pgid]` when the group has any process and `[]` otherwise.
 */
export function groupMembers(pgid: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? [pgid] : [];
    }
  }
  const out: number[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const st = procStat(n);
    if (st !== undefined && st.pgrp === pgid && st.state !== 'Z') out.push(Number(n));
  }
  return out;
}

/** Whether any live process of process group `pgid` is left. */
export function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

/** Sends `signal` to every process of group `pgid` (no error when none is left). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // no process left in the group
  }
}
