import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createLocalExecutor,
  DataError,
  type Executor,
  type JobReport,
  parseMetricLines,
  type TrialSpec,
} from '../internals.ts';

const trial: TrialSpec = {
  study: 's',
  trial: '3',
  attempt: 1,
  domains: ['web', 'code'],
  mixture: [0.25, 0.75],
  scale: '20M',
  params: 20e6,
  steps: 300,
  logEvery: 100,
  metrics: ['val_loss'],
  seed: 42,
};

function executor(command: string, timeoutSeconds?: number): Executor {
  return createLocalExecutor({
    command,
    workDir: mkdtempSync(join(tmpdir(), 'mixopt-local-')),
    killGraceSeconds: 0.5,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  });
}

async function runToEnd(ex: Executor, t: TrialSpec = trial): Promise<JobReport> {
  const h = await ex.run(t);
  for (let i = 0; i < 200; i++) {
    const r = await ex.poll(h);
    if (r.phase !== 'running') return r;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error('job did not finish');
}

describe('local executor', () => {
  it('passes the trial as a file and env vars, and reads JSON lines from stdout and the metrics file', async () => {
    const ex = executor(
      [
        'echo "starting $MIXOPT_SCALE $MIXOPT_STEPS $MIXOPT_WEIGHTS $MIXOPT_WEIGHT_CODE"',
        'echo \'{"step": 100, "metric": "val_loss", "value": 3.5}\'',
        'echo \'{"step": 200, "value": 3.0}\'',
        'echo \'{"step": 300, "metric": "val_loss", "value": 2.75}\' >> "$MIXOPT_METRICS_FILE"',
        'cp "$MIXOPT_TRIAL_FILE" "$MIXOPT_JOB_DIR/copy.json"',
      ].join('; '),
    );
    const h = await ex.run(trial);
    assert.equal(h.executor, 'local');
    assert.match(h.jobId, /^\d+$/);
    let r: JobReport;
    do {
      await new Promise((res) => setTimeout(res, 20));
      r = await ex.poll(h);
    } while (r.phase === 'running');
    assert.equal(r.phase, 'completed');
    assert.deepEqual(
      r.points.map((p) => [p.step, p.metric, p.value]),
      [
        [100, 'val_loss', 3.5],
        [200, 'val_loss', 3.0],
        [300, 'val_loss', 2.75],
      ],
    );
    const dir = (h.meta as { dir: string }).dir;
    assert.match(readFileSync(join(dir, 'stdout'), 'utf8'), /^starting 20M 300 0.25,0.75 0.75/);
    const copy = JSON.parse(readFileSync(join(dir, 'copy.json'), 'utf8'));
    assert.deepEqual(copy.mixture, [0.25, 0.75]);
    assert.equal(copy.trial, '3');
    // Polling is idempotent and works from a fresh executor (another process).
    const again = await executor('true').poll(JSON.parse(JSON.stringify(h)));
    assert.deepEqual(again, r);
  });

  it('a failing job: non-zero exit fails the trial with the tail of stderr', async () => {
    const r = await runToEnd(
      executor(
        'echo \'{"step": 100, "value": 3}\'; echo "CUDA out of memory on node 3" >&2; exit 3',
      ),
    );
    assert.equal(r.phase, 'failed');
    assert.match(
      r.error ?? '',
      /job exited with status 3; stderr tail:\nCUDA out of memory on node 3/,
    );
    assert.equal(r.points.length, 1, 'points reported before the failure are kept');
  });

  it('a crash (killed by a signal) fails the trial', async () => {
    const r = await runToEnd(executor('kill -9 $$'));
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /killed by signal 9/);
  });

  it('a hanging job is killed at its timeout', async () => {
    const t0 = Date.now();
    const r = await runToEnd(executor('echo "hanging" >&2; sleep 30', 0.4));
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /job timed out: no exit after 0.4 s.*\n.*hanging/s);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('a non-finite value fails the trial', async () => {
    const r = await runToEnd(executor('echo \'{"step": 100, "value": "NaN"}\''));
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /non-finite val_loss at step 100/);
  });

  it('exit 0 without any metric line fails', async () => {
    const r = await runToEnd(executor('echo done'));
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /without reporting any metric/);
  });

  it('cancel stops a running job', async () => {
    const ex = executor('sleep 30');
    const h = await ex.run(trial);
    await ex.cancel(h);
    const r = await ex.poll(h);
    assert.equal(r.phase, 'failed');
    assert.match(r.error ?? '', /cancelled/);
  });

  it('parses metric lines, ignoring other output', () => {
    const text =
      'hello\n{"step": 5, "value": 1}\n{not json\n{"foo": 1}\n{"step": 6, "metric": "b", "value": 2}\n';
    assert.deepEqual(parseMetricLines(text, 'a').points, [
      { step: 5, metric: 'a', value: 1 },
      { step: 6, metric: 'b', value: 2 },
    ]);
    assert.match(parseMetricLines('{"step": 5, "value": null}', 'a').bad ?? '', /non-finite/);
  });
  it('a stored handle whose meta is malformed is a DataError naming the job and the field', async () => {
    const ex = executor('true');
    await assert.rejects(
      ex.poll({ executor: 'local', jobId: '12', meta: { dir: '/tmp/x', pid: 'twelve' } }),
      (err: unknown) =>
        err instanceof DataError &&
        /^the meta of the stored handle of local job 12 is malformed \(pid: .*\)/.test(err.message),
    );
  });
});
