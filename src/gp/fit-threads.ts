/**
 * A fit thread: {@link fitGP}'s random starts run on a second thread while the calling thread
 * runs the first start, so a fit with restarts on many observations takes about the time of
 * its slower half instead of the sum (a study's first proposal over imported runs, a refit that
 * starts afresh).
 *
 * The calling thread stays synchronous: it posts the job, runs start 1, then either withdraws
 * the job (the thread has not taken it yet, e.g. still starting) and runs the random starts
 * itself, or blocks (`Atomics.wait`) until the thread has finished them and reads the answer
 * off the port (`receiveMessageOnPort`). Both sides run the same deterministic computation
 * (gaussian-process.ts `runFitStartsJob`), so a fit's result never depends on where its starts
 * ran, nor on whether a thread exists.
 *
 * One thread per process (per thread that fits), started at the first fit that can use it and
 * `unref`'d, so it never keeps a process alive. `MIXOPT_FIT_THREADS=0` in the environment turns
 * it off; so does any failure to start it or an answer that takes longer than
 * {@link FIT_THREAD_TIMEOUT_MS} (the starts then run on the calling thread).
 */
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import type { StartResult } from './gaussian-process.ts';
import type { GPOptions } from './types.ts';

/** What a fit thread needs to run some of a fit's starts: its fit data, options and box. */
export interface FitStartsJob {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly extra: Float64Array;
  readonly groups: Int32Array | null;
  readonly cov: Float64Array | null;
  readonly n: number;
  readonly d: number;
  readonly options: GPOptions;
  readonly stdz: { mean: number; std: number };
  /** The box of the kernel and noise entries (L-BFGS-B's bounds). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The starts, in order: index k (0 = the first start) and the full start vector. */
  readonly starts: readonly { k: number; x0: Float64Array }[];
}

/** A job's state word (shared): posted, taken by the thread, answered, withdrawn by the caller. */
export const QUEUED = 0;
export const TAKEN = 1;
export const DONE = 2;
export const WITHDRAWN = 3;

/** A message to the fit thread. */
export interface FitThreadRequest {
  readonly id: number;
  readonly job: FitStartsJob;
  readonly state: Int32Array;
}

/** The fit thread's answer: the starts' results, or why it could not run them. */
export type FitThreadAnswer =
  | { readonly id: number; readonly results: StartResult[] }
  | { readonly id: number; readonly error: string };

/** How long a caller waits for a job the thread has taken before running it itself. */
export const FIT_THREAD_TIMEOUT_MS = 300_000;

const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./fit-worker-entry.mjs', import.meta.url)
  : new URL('./fit-worker.js', import.meta.url);

interface FitThread {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/** undefined: not started yet; null: off, or it failed. */
let thread: FitThread | null | undefined;
let lastId = 0;
const stats = { submitted: 0, answered: 0, withdrawn: 0, failed: 0 };

/**
 * Counts since the process started: jobs handed to the fit thread, answered by it, withdrawn
 * (the caller ran the starts itself: the thread had not taken them yet), and failed (an error
 * in the thread, or no answer in time; the caller ran them too).
 */
export function fitThreadStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** Whether fit threads are on (`MIXOPT_FIT_THREADS` is not `0`). */
export function fitThreadsEnabled(): boolean {
  return process.env.MIXOPT_FIT_THREADS !== '0';
}

function fitThread(): FitThread | null {
  if (!fitThreadsEnabled()) return null;
  if (thread !== undefined) return thread;
  try {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(ENTRY, { workerData: { port: port2 }, transferList: [port2] });
    worker.unref();
    port1.unref();
    const t: FitThread = { worker, port: port1 };
    const drop = () => {
      if (thread === t) thread = null;
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    thread = t;
  } catch {
    thread = null;
  }
  return thread;
}

/** A job handed to the fit thread. */
export interface PendingStarts {
  /**
   * The job's results, or null when the caller must run the starts itself: the thread had not
   * taken the job yet (it is withdrawn), it failed, or it took too long (it is then stopped).
   */
  result(): StartResult[] | null;
}

/**
 * Hands `job` to the fit thread; null when there is none (off, or it could not start). Call
 * `result()` once the caller's own share of the fit is done.
 */
export function submitFitStarts(job: FitStartsJob): PendingStarts | null {
  const t = fitThread();
  if (t === null) return null;
  const state = new Int32Array(new SharedArrayBuffer(4));
  const id = ++lastId;
  try {
    t.port.postMessage({ id, job, state } satisfies FitThreadRequest);
  } catch {
    return null;
  }
  stats.submitted++;
  return {
    result(): StartResult[] | null {
      if (Atomics.compareExchange(state, 0, QUEUED, WITHDRAWN) === QUEUED) {
        stats.withdrawn++;
        return null;
      }
      const deadline = performance.now() + FIT_THREAD_TIMEOUT_MS;
      while (Atomics.load(state, 0) !== DONE) {
        const left = deadline - performance.now();
        if (left <= 0 || Atomics.wait(state, 0, TAKEN, left) === 'timed-out') {
          if (thread === t) thread = null;
          void t.worker.terminate();
          stats.failed++;
          return null;
        }
      }
      // Answers of earlier jobs whose callers gave up on them (an exception in between) are
      // skipped: each answer carries its job's id.
      for (;;) {
        const m = receiveMessageOnPort(t.port);
        if (m === undefined) {
          stats.failed++;
          return null;
        }
        const answer = m.message as FitThreadAnswer;
        if (answer.id !== id) continue;
        if ('results' in answer) {
          stats.answered++;
          return answer.results;
        }
        stats.failed++;
        return null;
      }
    },
  };
}
