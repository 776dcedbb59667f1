/**
 * Where Slurm jobs stand: the executor's status state machine, apart from its job files.
 *
 * A job is `live` while squeue shows it in a live state; once squeue shows it ended or no longer
 * shows it, its end is resolved once, in this order: `sacct` (when the cluster keeps accounting),
 * `scontrol show job` (while the controller still holds it), the job-completion log (`sacct -c`,
 * by raw id); a job none of them knows is `unknown` (the executor then reads the job's own
 * exit-code file). Ended and unknown are final: the job is not asked about again.
 *
 * squeue is asked at most every `intervalMs` and one query at a time; only a query that included
 * a job may declare it ended. All Slurm commands go through the injected {@link SlurmExec}.
 */
import { ExecutorError } from '../core/index.ts';
import type { SlurmAccounting, SlurmExec } from './slurm.ts';
import {
  isEndState,
  JOBCOMP_FIELDS,
  parseJobcomp,
  parseSacct,
  parseScontrol,
  parseSqueue,
  SACCT_FIELDS,
  type SlurmJobState,
  SQUEUE_FORMAT,
} from './slurm-parse.ts';

/** An unknown job id is not an error to us: it means "Slurm no longer knows it". */
export const INVALID_ID = /invalid job id/i;

/** Where a job stands, as far as the status commands tell. */
export type SlurmStatus =
  | { readonly kind: 'live'; readonly state: string }
  | { readonly kind: 'end'; readonly state: SlurmJobState; readonly source: string }
  | { readonly kind: 'unknown' };

/** The status of every job an executor tracks, from squeue, sacct, scontrol and sacct -c. */
export class SlurmStatusBoard {
  private sacctWorks: boolean;
  /** Last squeue answer: key -> state, and when it was asked. */
  private live = new Map<string, SlurmJobState>();
  private liveAt = 0;
  /** The keys the last squeue asked about, and the query in flight. */
  private asked = new Set<string>();
  private inflight: Promise<void> | undefined;
  private readonly tracked = new Set<string>();
  private readonly ended = new Map<string, SlurmStatus>();
  private readonly rawIds = new Map<string, string>();

  constructor(
    private readonly exec: SlurmExec,
    private readonly accounting: SlurmAccounting,
    private readonly intervalMs: number,
  ) {
    this.sacctWorks = accounting !== 'none';
  }

  /** Starts watching job `key` (a job id, or `<array>_<task>`). */
  track(key: string): void {
    this.tracked.add(key);
  }

  /** Whether job `key`'s end is known. */
  hasEnded(key: string): boolean {
    return this.ended.has(key);
  }

  /** Makes the next {@link status} ask squeue again (after a cancel). */
  invalidate(): void {
    this.liveAt = 0;
  }

  /**
   * Where job `key` stands; asks Slurm at most every `intervalMs`. `rawId`: the job's numeric id
   * as the job wrote it (finds an array task in the job-completion log).
   */
  async status(key: string, rawId?: string): Promise<SlurmStatus> {
    const done = this.ended.get(key);
    if (done !== undefined) return done;
    if (rawId !== undefined && /^\d+$/.test(rawId)) this.rawIds.set(key, rawId);
    this.tracked.add(key);
    // One squeue at a time: concurrent polls wait for the query in flight, and
    // only a query that included `key` may declare its job ended.
    while (this.inflight !== undefined) await this.inflight.catch(() => {});
    if (!(this.asked.has(key) && Date.now() - this.liveAt < this.intervalMs)) {
      this.inflight = this.refresh();
      try {
        await this.inflight;
      } finally {
        this.inflight = undefined;
      }
    }
    const after = this.ended.get(key);
    if (after !== undefined) return after;
    return { kind: 'live', state: this.live.get(key)?.state ?? 'PENDING' };
  }

  /** squeue's lines about `keys` ('' when Slurm knows none of them). */
  private async squeue(keys: readonly string[]): Promise<string> {
    const r = await this.exec('squeue', [
      '-h',
      '-t',
      'all',
      '-j',
      keys.join(','),
      '-o',
      SQUEUE_FORMAT,
    ]);
    if (r.code === 0) return r.stdout;
    if (!INVALID_ID.test(r.stderr))
      throw new ExecutorError(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
    // Slurm 22.05 answers for the known ids of a list; should a release refuse
    // the whole list for one unknown id, ask one by one.
    if (keys.length === 1) return '';
    let out = '';
    for (const k of keys) out += await this.squeue([k]);
    return out;
  }

  /** One squeue call for every tracked job not known to have ended. */
  private async refresh(): Promise<void> {
    const keys = [...this.tracked].filter((k) => !this.ended.has(k));
    this.asked = new Set(keys);
    const next = new Map<string, SlurmJobState>();
    for (let i = 0; i < keys.length; i += 200) {
      for (const s of parseSqueue(await this.squeue(keys.slice(i, i + 200)))) {
        next.set(s.key, s);
        if (s.rawId !== undefined) this.rawIds.set(s.key, s.rawId);
      }
    }
    this.live = next;
    this.liveAt = Date.now();
    const gone = keys.filter((k) => {
      const s = next.get(k);
      return s === undefined || isEndState(s.state);
    });
    if (gone.length > 0) await this.resolveEnds(gone);
  }

  /** End state of jobs squeue shows as ended or no longer shows. */
  private async resolveEnds(keys: readonly string[]): Promise<void> {
    const found = await this.fromSacct(keys);
    const missing: string[] = [];
    for (const key of keys) {
      if (found.has(key)) continue;
      const q = this.live.get(key);
      if (q !== undefined) {
        // Still held by the controller: scontrol has the exit code and reason.
        const r = await this.exec('scontrol', ['-o', 'show', 'job', key]);
        const s = r.code === 0 ? parseScontrol(r.stdout, key) : undefined;
        if (s !== undefined && isEndState(s.state))
          found.set(key, { kind: 'end', state: s, source: 'scontrol' });
        else found.set(key, { kind: 'end', state: q, source: 'squeue' });
      } else missing.push(key);
    }
    await this.fromJobcomp(missing, found);
    for (const key of keys) {
      const s = found.get(key);
      if (s !== undefined) this.ended.set(key, s);
      else if (!this.live.has(key)) this.ended.set(key, { kind: 'unknown' });
    }
  }

  /** The end states sacct knows (none when the cluster keeps no accounting). */
  private async fromSacct(keys: readonly string[]): Promise<Map<string, SlurmStatus>> {
    const found = new Map<string, SlurmStatus>();
    if (!this.sacctWorks) return found;
    const r = await this.exec('sacct', [
      '-n',
      '-P',
      '-X',
      '-j',
      keys.join(','),
      '-o',
      SACCT_FIELDS,
    ]);
    if (r.code === 0) {
      for (const s of parseSacct(r.stdout))
        if (keys.includes(s.key) && isEndState(s.state))
          found.set(s.key, { kind: 'end', state: s, source: 'sacct' });
    } else if (this.accounting === 'sacct')
      throw new ExecutorError(
        `sacct failed (exit ${r.code}): ${r.stderr.trim()}; set executor.accounting to 'none' or 'auto' on a cluster without accounting`,
      );
    else if (/disabled|not configured|slurmdbd/i.test(r.stderr)) this.sacctWorks = false;
    return found;
  }

  /** Forgotten by the controller and not in sacct: the job-completion log, by raw id. */
  private async fromJobcomp(
    missing: readonly string[],
    found: Map<string, SlurmStatus>,
  ): Promise<void> {
    const byRaw = new Map<string, string>();
    for (const key of missing) {
      const raw = this.rawIds.get(key);
      if (raw !== undefined) byRaw.set(raw, key);
    }
    if (byRaw.size === 0) return;
    const r = await this.exec('sacct', [
      '-c',
      '-n',
      '-P',
      '-j',
      [...byRaw.keys()].join(','),
      '-o',
      JOBCOMP_FIELDS,
    ]);
    if (r.code !== 0) return;
    for (const s of parseJobcomp(r.stdout)) {
      const key = byRaw.get(s.key);
      if (key !== undefined && isEndState(s.state))
        found.set(key, {
          kind: 'end',
          state: { ...s, key },
          source: 'the job completion log (sacct -c)',
        });
    }
  }
}
