import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DataError,
  ExecutorError,
  type JobHandle,
  NotFoundError,
  type TrialSpec,
} from '../../src/core/index.ts';
import { createSimulatorExecutor, simulatedCurve } from '../../src/executors/index.ts';
import { getTestbed } from '../../src/testbeds/index.ts';

const law = getTestbed('law');
const w = [0.3, 0.2, 0.2, 0.2, 0.1];
const trial: TrialSpec = {
  study: 's',
  trial: '4',
  attempt: 2,
  domains: law.domains,
  mixture: w,
  scale: '20M',
  params: 2e7,
  steps: 1000,
  logEvery: 100,
  metrics: ['c4_cross_entropy', 'piqa_accuracy'],
  seed: 1,
};

/** A clock the test moves by hand, in milliseconds. */
function manualClock(): { now: () => number; t: number } {
  const c = { t: 5000, now: () => c.t };
  return c;
}

describe('simulator executor', () => {
  it('names the job after study, trial and attempt, and reveals the whole curve at once unpaced', async () => {
    const ex = createSimulatorExecutor({ testbed: law });
    const h = await ex.run(trial);
    assert.equal(h.jobId, 'sim-s-4-2');
    const r = await ex.poll(h);
    assert.equal(r.phase, 'completed');
    const c4 = law.curve(w, '20M', 1000, 'c4_cross_entropy');
    assert.deepEqual(
      r.points.filter((p) => p.metric === 'c4_cross_entropy').map((p) => [p.step, p.value]),
      c4.map((p) => [p.step, p.value]),
    );
    assert.equal(r.points.length, 2 * c4.length);
  });

  it('paced: the steps trained so far, rounded down to the logging grid, then completed', async () => {
    const clock = manualClock();
    // 2 s per 1000 steps = 2 ms per step.
    const ex = createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 2, clock: clock.now });
    const h = await ex.run(trial);
    const steps = async (): Promise<[string, number[]]> => {
      const r = await ex.poll(h);
      const s = r.points.filter((p) => p.metric === 'piqa_accuracy').map((p) => p.step);
      return [r.phase, s];
    };
    assert.deepEqual(await steps(), ['running', []]);
    clock.t += 2 * 99; // 99 steps: below the first logged step
    assert.deepEqual(await steps(), ['running', []]);
    clock.t += 2 * 251; // 350 steps: the curve up to 300
    assert.deepEqual(await steps(), ['running', [100, 200, 300]]);
    const r = await ex.poll(h);
    const piqa = law.curve(w, '20M', 300, 'piqa_accuracy');
    assert.deepEqual(
      r.points.filter((p) => p.metric === 'piqa_accuracy').map((p) => p.value),
      piqa.map((p) => p.value),
    );
    clock.t += 2 * 650; // 1000 steps
    const [phase, done] = await steps();
    assert.equal(phase, 'completed');
    assert.equal(done.at(-1), 1000);
  });

  it('a cancelled running job fails with "cancelled"; a finished one is left alone', async () => {
    const clock = manualClock();
    const ex = createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 1, clock: clock.now });
    const a = await ex.run(trial);
    const b = await ex.run({ ...trial, trial: '5' });
    clock.t += 500;
    await ex.cancel(a);
    assert.deepEqual(await ex.poll(a), { phase: 'failed', points: [], error: 'cancelled' });
    clock.t += 500;
    await ex.cancel(b);
    assert.equal((await ex.poll(b)).phase, 'completed');
  });

  it('refuses a metric the testbed lacks, other domains, and a handle whose meta is corrupt', async () => {
    const ex = createSimulatorExecutor({ testbed: law });
    await assert.rejects(
      ex.run({ ...trial, metrics: ['ppl'] }),
      (e: unknown) =>
        e instanceof NotFoundError && /testbed 'law' has no metric 'ppl'/.test(e.message),
    );
    await assert.rejects(
      ex.run({ ...trial, domains: [...law.domains].reverse() }),
      (e: unknown) =>
        e instanceof ExecutorError &&
        /list the testbed's domains in the same order/.test(e.message),
    );
    const h = await ex.run(trial);
    const bad: JobHandle = { ...h, meta: { ...h.meta, steps: -3 } };
    await assert.rejects(ex.poll(bad), DataError);
  });
});

describe('simulatedCurve: the testbed query the executor and the benchmark harness share', () => {
  it('is the testbed curve, or on a noisy testbed its observation of the given replicate', () => {
    const run = { mixture: w, scale: '20M', steps: 1000 };
    assert.deepEqual(
      simulatedCurve(law, run, 'c4_cross_entropy'),
      law.curve(w, '20M', 1000, 'c4_cross_entropy'),
    );
    // law has no `observe`: a replicate changes nothing.
    assert.deepEqual(
      simulatedCurve(law, run, 'c4_cross_entropy', 3),
      simulatedCurve(law, run, 'c4_cross_entropy'),
    );
    const noisy = getTestbed('family-interior-noisy');
    const v = Array.from({ length: noisy.domains.length }, () => 1 / noisy.domains.length);
    const small = noisy.scales[0]!.name;
    const r = { mixture: v, scale: small, steps: noisy.steps.max };
    const seen = simulatedCurve(noisy, r, 'val_loss', 5);
    assert.deepEqual(seen, noisy.observe!(v, small, noisy.steps.max, 'val_loss', 5));
    assert.notDeepEqual(
      seen,
      simulatedCurve(noisy, r, 'val_loss', 6),
      'another replicate, other noise',
    );
    assert.notDeepEqual(
      seen,
      simulatedCurve(noisy, r, 'val_loss'),
      'no replicate: the noise-free curve',
    );
    assert.deepEqual(
      simulatedCurve(noisy, r, 'val_loss'),
      noisy.curve(v, small, noisy.steps.max, 'val_loss'),
    );
  });
});
