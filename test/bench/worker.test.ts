import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { type JobSpec, simulateJob } from '../../src/bench/simulate.ts';
import { toyTestbed } from './toy-testbed.ts';

const ENTRY = new URL('../../src/bench/worker-entry.mjs', import.meta.url);
const TOY = { module: new URL('./toy-testbed.ts', import.meta.url).href };

/** Starts the worker and returns it with its first message. */
async function start(workerData: unknown): Promise<{ w: Worker; first: unknown }> {
  const w = new Worker(ENTRY, { workerData });
  const [first] = await once(w, 'message');
  return { w, first };
}

describe('bench worker thread (worker.ts)', () => {
  it('says ready, then answers { index, job } with the trajectory simulateJob gives in-process', async () => {
    const { w, first } = await start({ testbed: TOY, modules: [] });
    try {
      assert.deepEqual(first, { ready: true });
      const jobs: JobSpec[] = [
        { method: 'random', metric: 'loss', seed: 0, optimizerSeed: 11, budget: 30 },
        { method: 'hyperband', metric: 'acc', seed: 1, optimizerSeed: 12, budget: 25 },
      ];
      for (const [i, job] of jobs.entries()) {
        w.postMessage({ index: 7 + i, job });
        const [msg] = (await once(w, 'message')) as [
          { index: number; trajectory: unknown; seconds: number },
        ];
        assert.equal(msg.index, 7 + i);
        assert.deepEqual(msg.trajectory, simulateJob(toyTestbed, job));
        assert.ok(msg.seconds >= 0 && Number.isFinite(msg.seconds));
      }
    } finally {
      await w.terminate();
    }
  });

  it('reports a testbed or module it cannot load as one fatal message naming the error', async () => {
    const { w, first } = await start({ testbed: TOY, modules: ['./no-such-module.ts'] });
    await w.terminate();
    assert.match((first as { fatal: string }).fatal, /no-such-module/);
    const bad = await start({ testbed: { name: 'no-such-testbed' }, modules: [] });
    await bad.w.terminate();
    assert.match((bad.first as { fatal: string }).fatal, /no-such-testbed/);
  });
});
