/** Shared pieces of the fault-injection suite. */
import type { Executor, JobHandle, JobReport, TrialSpec } from '../../src/index.ts';

/** A two-domain, single-metric trial of `steps` steps. */
export function faultTrial(study: string, steps: number): TrialSpec {
  return {
    study,
    trial: '1',
    attempt: 1,
    domains: ['web', 'code'],
    mixture: [0.5, 0.5],
    scale: '20M',
    params: 20e6,
    steps,
    logEvery: 100,
    metrics: ['val_loss'],
    seed: 1,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `h` until its job has ended. */
export async function toEnd(ex: Executor, h: JobHandle): Promise<JobReport> {
  for (let i = 0; i < 400; i++) {
    const r = await ex.poll(h);
    if (r.phase !== 'running') return r;
    await sleep(25);
  }
  throw new Error(`job ${h.jobId} did not end`);
}
