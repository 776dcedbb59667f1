// A scripted stand-in for the Slurm client commands (squeue, sacct, sacct -c, scontrol,
// sbatch, scancel), answering in the formats the parsers read (recorded from Slurm 22.05).
// Shared by the Slurm executor's tests; test/executors/slurm-cluster.test.ts runs a real Slurm.
import { readFileSync } from 'node:fs';
import type { TrialSpec } from '../../src/core/index.ts';
import type { SlurmCommandResult } from '../../src/executors/index.ts';

/** A scripted stand-in for the Slurm client commands. */
export class FakeSlurm {
  calls: string[] = [];
  next = 100;
  /** key -> what each source knows. */
  jobs = new Map<
    string,
    {
      state: string;
      exit: string;
      raw: string;
      controller: boolean;
      sacct: boolean;
      jobcomp: boolean;
    }
  >();
  accounting = true;
  exec = async (cmd: string, args: readonly string[]): Promise<SlurmCommandResult> => {
    this.calls.push(`${cmd} ${args.join(' ')}`);
    const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
    const jobArg = () => (args[args.indexOf('-j') + 1] ?? '').split(',');
    if (cmd === 'sbatch') {
      const id = String(this.next++);
      const text = readFileSync(args[1] as string, 'utf8');
      const n = /--array=0-(\d+)/.exec(text);
      const keys =
        n === null ? [id] : Array.from({ length: Number(n[1]) + 1 }, (_, i) => `${id}_${i}`);
      for (const k of keys)
        this.jobs.set(k, {
          state: 'PENDING',
          exit: '0:0',
          raw: id,
          controller: true,
          sacct: true,
          jobcomp: true,
        });
      return ok(`${id}\n`);
    }
    if (cmd === 'squeue') {
      const lines = jobArg()
        .filter((k) => this.jobs.get(k)?.controller)
        .map((k) => `${k}|${this.jobs.get(k)?.raw}|${this.jobs.get(k)?.state}|None`);
      if (lines.length === 0)
        return { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' };
      return ok(`${lines.join('\n')}\n`);
    }
    if (cmd === 'sacct' && args[0] === '-c') {
      const lines = [...this.jobs.values()]
        .filter((j) => j.jobcomp && jobArg().includes(j.raw) && j.state !== 'PENDING')
        .map((j) => `${j.raw}|${j.state}|${j.exit}`);
      return ok(lines.join('\n'));
    }
    if (cmd === 'sacct') {
      if (!this.accounting)
        return {
          code: 1,
          stdout: '',
          stderr: 'sacct: error: Slurm accounting storage is disabled\n',
        };
      const lines = jobArg()
        .filter((k) => this.jobs.get(k)?.sacct)
        .map(
          (k) =>
            `${k}|${this.jobs.get(k)?.raw}|${this.jobs.get(k)?.state}|${this.jobs.get(k)?.exit}|None`,
        );
      return ok(lines.join('\n'));
    }
    if (cmd === 'scontrol') {
      const k = args[3] as string;
      const j = this.jobs.get(k);
      if (j === undefined || !j.controller)
        return { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' };
      return ok(`JobId=${j.raw} JobName=x JobState=${j.state} Reason=None ExitCode=${j.exit}\n`);
    }
    if (cmd === 'scancel') {
      const j = this.jobs.get(args[0] as string);
      if (j !== undefined && (j.state === 'PENDING' || j.state === 'RUNNING')) {
        j.state = 'CANCELLED';
        j.exit = '0:15';
      }
      return ok('');
    }
    throw new Error(`unexpected command ${cmd}`);
  };
  set(
    key: string,
    patch: Partial<{
      state: string;
      exit: string;
      controller: boolean;
      sacct: boolean;
      jobcomp: boolean;
    }>,
  ) {
    Object.assign(this.jobs.get(key) as object, patch);
  }
  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }
}

/** A trial of study 'u' (20M, 200 steps, one metric), `over` applied. */
export const slurmTrial = (id: string, over: Partial<TrialSpec> = {}): TrialSpec => ({
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
