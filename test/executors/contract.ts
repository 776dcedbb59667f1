// The executor contract suite: what every Executor must do (simulator, local,
// slurm, ...). Call `executorContract` from a test file with a factory that
// builds a fresh executor instance whose jobs *succeed* for `trial` (reporting
// every logged step of each metric); two instances stand for two processes.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Executor, JobHandle, JobReport, TrialSpec } from '../../src/index.ts';

/** Polls until the job leaves `running` (or fails the test after `timeoutMs`). */
export async function pollToEnd(
  ex: Executor,
  h: JobHandle,
  timeoutMs = 20_000,
): Promise<JobReport> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await ex.poll(h);
    if (r.phase !== 'running') return r;
    if (Date.now() > until) assert.fail(`job ${h.jobId} still running after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Registers the contract tests for one executor. */
export function executorContract(label: string, make: () => Executor, trial: TrialSpec): void {
  it(`${label}: the handle is JSON, names the executor, and polling it from another instance works`, async () => {
    const a = make();
    const h = await a.run(trial);
    assert.equal(h.executor, a.name);
    assert.equal(typeof h.jobId, 'string');
    assert.ok(h.jobId.length > 0);
    const copy = JSON.parse(JSON.stringify(h)) as JobHandle;
    assert.deepEqual(copy, h, 'the handle survives a JSON round trip unchanged');
    const r = await pollToEnd(make(), copy);
    assert.equal(r.phase, 'completed', r.error);
  });

  it(`${label}: a completed job reports every metric, on steps 1..steps, and polling is idempotent`, async () => {
    const ex = make();
    const h = await ex.run(trial);
    const r = await pollToEnd(ex, h);
    assert.equal(r.phase, 'completed', r.error);
    for (const m of trial.metrics) {
      const steps = r.points.filter((p) => p.metric === m).map((p) => p.step);
      assert.ok(steps.length > 0, `no point of ${m}`);
      assert.ok(steps.includes(trial.steps), `${m} not reported at the last step ${trial.steps}`);
    }
    for (const p of r.points) {
      assert.ok(
        Number.isSafeInteger(p.step) && p.step >= 1 && p.step <= trial.steps,
        `step ${p.step}`,
      );
      assert.ok(Number.isFinite(p.value));
      assert.ok(trial.metrics.includes(p.metric));
    }
    assert.deepEqual(await ex.poll(h), r, 'a second poll gives the same report');
  });

  it(`${label}: cancel is idempotent and leaves a finished job's report alone`, async () => {
    const ex = make();
    const h = await ex.run(trial);
    const r = await pollToEnd(ex, h);
    await ex.cancel(h);
    await ex.cancel(h);
    for (const after of [await ex.poll(h), await make().poll(h)]) {
      assert.equal(after.phase, r.phase);
      assert.deepEqual(after.points, r.points);
    }
  });
}
