/**
 * The fit thread (fit-threads.ts): answers each job it takes with the results of its starts.
 * A job already withdrawn by its caller (which then runs the starts itself) is skipped.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { DONE, type FitThreadAnswer, type FitThreadRequest, QUEUED, TAKEN } from './fit-threads.ts';
import { runFitStartsJob } from './gaussian-process.ts';

const port = (workerData as { port?: MessagePort } | null)?.port;
if (port === undefined) throw new Error('src/gp/fit-worker.ts must run as a fit thread');
port.on('message', (msg: FitThreadRequest) => {
  if (Atomics.compareExchange(msg.state, 0, QUEUED, TAKEN) !== QUEUED) return;
  let answer: FitThreadAnswer;
  try {
    answer = { id: msg.id, results: runFitStartsJob(msg.job) };
  } catch (err) {
    answer = {
      id: msg.id,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
  port.postMessage(answer);
  Atomics.store(msg.state, 0, DONE);
  Atomics.notify(msg.state, 0);
});
