/** Shared pieces of the fault-injection suite. */
import { spawn } from 'node:child_process';
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

/** Polls `h` until its job has ended (at most `ms`). */
export async function toEnd(ex: Executor, h: JobHandle, ms = 10_000): Promise<JobReport> {
  const until = Date.now() + ms;
  for (;;) {
    const r = await ex.poll(h);
    if (r.phase !== 'running') return r;
    if (Date.now() > until) throw new Error(`job ${h.jobId} did not end in ${ms} ms`);
    await sleep(25);
  }
}

const BIN = new URL('../../scripts/mixopt-dev.mjs', import.meta.url).pathname;

/** Runs the CLI from the sources (`scripts/mixopt-dev.mjs`) with extra environment variables; resolves with its end and output. */
export function mixopt(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/**
 * A job (shell) that reports its curve every `logEvery` steps, 50 ms apart,
 * each line carrying the pid of the process that printed it.
 */
export const CURVE_JOB =
  'i=$MIXOPT_LOG_EVERY; while [ $i -le $MIXOPT_STEPS ]; do echo "{\\"step\\": $i, \\"value\\": 1.$i, \\"pid\\": $$}"; i=$((i + MIXOPT_LOG_EVERY)); sleep 0.05; done';
