import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { History, OptimizerContext } from '../../src/core/index.ts';
import {
  createLocalExecutor,
  createSimulatorExecutor,
  type Executor,
  getTestbed,
  type JobHandle,
  parseStudyConfig,
  recommendStudy,
  runStudy,
  SqliteStudyStore,
  Study,
} from '../../src/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { tempDb, tempDir } from './helpers.ts';

const law = getTestbed('law');

function lawConfig(over: Record<string, unknown> = {}) {
  return parseStudyConfig({
    name: 'law',
    domains: [...law.domains],
    scales: law.scales.map((s) => ({ name: s.name, params: s.params })),
    steps: { min: 100, max: 19700, logEvery: 100 },
    target: { scale: '1B', steps: 19700 },
    metric: { name: 'commoncrawl_cross_entropy', direction: 'minimize' },
    optimizer: { method: 'hyperband' },
    seed: 5,
    budget: 80,
    ...over,
  });
}

function newStudy(over: Record<string, unknown> = {}): Study {
  return Study.create(SqliteStudyStore.open(tempDb()), lawConfig(over));
}

/** What the optimiser proposed, in order. */
function proposals(study: Study): string[] {
  return study.trials().map((t) => JSON.stringify([t.mixture, t.scale, t.steps, t.parent ?? null]));
}

describe('runStudy (simulator executor)', () => {
  it('runs to the budget; every completed trial has its whole curve; a recommendation follows', async () => {
    const study = newStudy();
    const s = await runStudy(study, {
      executor: createSimulatorExecutor({ testbed: law }),
      parallel: 3,
      pollIntervalMs: 0,
    });
    assert.equal(s.stoppedBy, 'budget');
    assert.ok(s.completed >= 3);
    const st = study.status();
    assert.ok(st.spent >= 80 && st.spent < 80 + 197, `spent ${st.spent}`);
    for (const t of study.trials()) {
      assert.equal(t.state, 'completed');
      const pts = study.points(t.id);
      assert.equal(pts.length, t.steps / 100);
      const last = pts.at(-1)!;
      assert.equal(last.step, t.steps);
      assert.equal(
        last.value,
        law.evaluate(t.mixture, t.scale, t.steps, 'commoncrawl_cross_entropy'),
      );
    }
    const r = recommendStudy(study);
    assert.ok(r);
    assert.equal(r.mixture.length, 5);
    assert.ok(r.restsOn.length > 0);
  });

  it('an interrupted run resumes to the same proposals as an uninterrupted one', async () => {
    const full = newStudy();
    await runStudy(full, {
      executor: createSimulatorExecutor({ testbed: law }),
      pollIntervalMs: 0,
    });

    const cut = newStudy();
    const ctl = new AbortController();
    let launches = 0;
    await runStudy(cut, {
      // Slow jobs (0.3 s per 300-step run), so that the third is still running at the interrupt.
      executor: createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 1 }),
      pollIntervalMs: 0,
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'launch' && ++launches === 3) ctl.abort();
      },
    });
    assert.ok(cut.trials().length < full.trials().length);
    const again = await runStudy(cut, {
      executor: createSimulatorExecutor({ testbed: law }),
      pollIntervalMs: 0,
    });
    assert.equal(
      again.adopted,
      1,
      'the job left running at the interrupt is re-attached, not re-run',
    );
    assert.deepEqual(proposals(cut), proposals(full));
    assert.ok(cut.trials().every((t) => t.attempts === 1));
  });

  it('Ctrl-C with cancel gives running trials back; they are run again with attempts not counted', async () => {
    const study = newStudy();
    const ctl = new AbortController();
    const sim = createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 1000 }); // never finishes
    const cancelled: string[] = [];
    const executor: Executor = {
      ...sim,
      cancel: async (h: JobHandle) => void cancelled.push(h.jobId),
    };
    await runStudy(study, {
      executor,
      parallel: 2,
      pollIntervalMs: 5,
      signal: ctl.signal,
      onInterrupt: 'cancel',
      onEvent: (e) => {
        if (e.type === 'launch' && e.trial.id === 2) setTimeout(() => ctl.abort(), 20);
      },
    });
    assert.equal(cancelled.length, 2);
    assert.deepEqual(
      study.trials().map((t) => [t.state, t.attempts]),
      [
        ['pending', 0],
        ['pending', 0],
      ],
    );
  });

  it('a job that fails is retried up to maxAttempts, then left failed', async () => {
    const study = newStudy({ optimizer: { method: 'random' }, trials: { maxAttempts: 2 } });
    const executor: Executor = {
      name: 'broken',
      run: async (t) => ({ executor: 'broken', jobId: t.trial, meta: {} }),
      poll: async () => ({
        phase: 'failed',
        points: [],
        error: 'exit status 1; stderr tail:\nSegfault',
      }),
      cancel: async () => {},
    };
    const s = await runStudy(study, { executor, maxTrials: 1, pollIntervalMs: 0, budget: 1e9 });
    assert.equal(s.failed, 1);
    const [t] = study.trials();
    assert.equal(t!.state, 'failed');
    assert.equal(t!.attempts, 2);
    assert.match(t!.error ?? '', /Segfault \(attempt 2 of 2; not retried\)/);
  });

  it('local jobs: a hanging job times out and a failing one keeps its stderr tail, as trial states', async () => {
    const study = newStudy({ optimizer: { method: 'random' }, trials: { maxAttempts: 1 } });
    const executor = createLocalExecutor({
      command:
        'if [ "$MIXOPT_TRIAL_ID" = 1 ]; then echo "stuck in data loader" >&2; sleep 30; else echo "CUDA error: out of memory" >&2; exit 3; fi',
      workDir: join(tempDir(), 'jobs'),
      timeoutSeconds: 0.5,
      killGraceSeconds: 0.2,
    });
    const s = await runStudy(study, { executor, parallel: 2, maxTrials: 2, pollIntervalMs: 20 });
    assert.equal(s.failed, 2);
    const [hung, failing] = study.trials();
    assert.equal(hung!.state, 'failed');
    assert.match(hung!.error ?? '', /job timed out: no exit after 0.5 s.*stuck in data loader/s);
    assert.equal(failing!.state, 'failed');
    assert.match(
      failing!.error ?? '',
      /job exited with status 3; stderr tail:\nCUDA error: out of memory/,
    );
  });

  it('a trial whose lease expired and went to another worker is dropped and its job cancelled', async () => {
    let now = 1_000_000;
    const store = SqliteStudyStore.open(tempDb(), { clock: () => now });
    const study = Study.create(
      store,
      lawConfig({ optimizer: { method: 'random' }, trials: { leaseSeconds: 10 } }),
    );
    const cancelled: string[] = [];
    let polls = 0;
    const executor: Executor = {
      name: 'fake',
      run: async (t) => ({ executor: 'fake', jobId: `job-${t.trial}`, meta: {} }),
      poll: async () => {
        if (++polls === 1) {
          now += 11_000; // our lease expires...
          const [t] = new Study(store, undefined).ask(1, { owner: 'w2' }); // ...and w2 gets the trial
          assert.equal(t!.id, 1);
          assert.equal(t!.attempts, 2);
        }
        return { phase: 'running', points: [] };
      },
      cancel: async (h) => void cancelled.push(h.jobId),
    };
    const events: string[] = [];
    await runStudy(study, {
      executor,
      owner: 'w1',
      maxTrials: 1,
      pollIntervalMs: 0,
      onEvent: (e) => events.push(e.type),
    });
    assert.deepEqual(cancelled, ['job-1']);
    assert.ok(events.includes('lost'));
    const t = study.trial(1);
    assert.equal(t.owner, 'w2');
    assert.equal(t.state, 'running');
  });
});

describe("runStudy applies the optimiser's stop decisions", () => {
  it('local jobs: cancels a stopped job, keeps its curve up to the last reported step, charges that part', async () => {
    // A user optimiser: random search that stops every running trial once it has shown 2 points.
    const build = (method: string, ctx: OptimizerContext) => {
      const inner = createOptimizer(method, ctx);
      return {
        ...inner,
        stop: (h: History) =>
          h.runs.filter((r) => r.state === 'running' && r.curve.length >= 2).map((r) => r.id),
      };
    };
    const study = Study.create(
      SqliteStudyStore.open(tempDb()),
      lawConfig({ optimizer: { method: 'random' }, budget: 1000 }),
      { optimizer: build },
    );
    const root = new URL('../../', import.meta.url).pathname;
    const executor = createLocalExecutor({
      command: `node ${root}examples/train-sim.mjs --testbed law --delay-ms 150`,
      workDir: join(tempDir(), 'jobs'),
    });
    const events: string[] = [];
    const s = await runStudy(study, {
      executor,
      parallel: 2,
      maxTrials: 2,
      pollIntervalMs: 50,
      onEvent: (e) => {
        if (e.type === 'early-stop') events.push(`${e.trial}:${e.state}`);
      },
    });
    assert.equal(s.stopped, 2);
    assert.deepEqual(events.sort(), ['1:completed', '2:completed']);
    for (const t of study.trials()) {
      // Stopped after at least 2 of 197 points: completed at its last reported step, charged up to it.
      assert.equal(t.state, 'completed');
      assert.ok(t.steps >= 200 && t.steps < 19700 && t.steps % 100 === 0, `steps ${t.steps}`);
      assert.ok(Math.abs(t.cost - (197 * t.steps) / 19700) < 1e-9, `cost ${t.cost}`);
      assert.equal(t.error, `stopped early by the optimiser at step ${t.steps} of 19700`);
      assert.deepEqual(
        study.points(t.id).map((p) => p.step),
        Array.from({ length: t.steps / 100 }, (_, i) => (i + 1) * 100),
      );
      // The job itself was cancelled.
      const r = await executor.poll(t.job as JobHandle);
      assert.equal(r.phase, 'failed');
      assert.match(r.error ?? '', /cancelled/);
    }
    assert.ok(
      Math.abs(study.status().spent - study.trials().reduce((a, t) => a + t.cost, 0)) < 1e-9,
    );
  });
});
