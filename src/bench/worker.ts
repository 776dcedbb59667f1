/**
 * Worker-thread entry of the benchmark pool (./run-benchmark.ts). Rebuilds the
 * testbed from its reference, imports extra optimiser modules, then answers
 * `{ index, job }` messages with `{ index, trajectory, seconds }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type JobSpec, simulateJob } from './simulate.ts';
import { resolveTestbed, type TestbedRef } from './testbed-ref.ts';

interface Init {
  readonly testbed: TestbedRef;
  readonly modules: readonly string[];
}

const port = parentPort;
if (port === null) throw new Error('src/bench/worker.ts must run in a worker thread');
const init = workerData as Init;
try {
  for (const m of init.modules) await import(m);
  const testbed = await resolveTestbed(init.testbed);
  port.on('message', (msg: { index: number; job: JobSpec }) => {
    const t0 = performance.now();
    const trajectory = simulateJob(testbed, msg.job);
    port.postMessage({ index: msg.index, trajectory, seconds: (performance.now() - t0) / 1000 });
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ fatal: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
}
