import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FitStartsJob, fitThreadStats, submitFitStarts } from '../../src/gp/fit-threads.ts';
import { fitGP, fitGPWithFreshStart, type GPOptions } from '../internals.ts';
import { toyData } from './helpers.ts';

// Above the subset stage's 256 observations with restarts > 1, so the random starts can go to
// the fit thread.
const n = 300;
const d = 3;
const options: GPOptions = {
  kernel: { kind: 'matern52', dims: [0, 1, 2], ard: true },
  mean: 'linear',
  restarts: 3,
  seed: 5,
  maxIter: 40,
};

/** A fit with fit threads on or off (`MIXOPT_FIT_THREADS`), as JSON of everything it reports. */
function fitWith(threads: boolean, seed: number): string {
  const before = process.env.MIXOPT_FIT_THREADS;
  if (threads) delete process.env.MIXOPT_FIT_THREADS;
  else process.env.MIXOPT_FIT_THREADS = '0';
  try {
    const { X, y } = toyData(seed, n, d, 0.2);
    const gp = fitGP(X, y, d, options);
    return JSON.stringify({
      hyper: gp.hyperparameters,
      lml: gp.logMarginalLikelihood,
      starts: gp.fitDiagnostics,
    });
  } finally {
    if (before === undefined) delete process.env.MIXOPT_FIT_THREADS;
    else process.env.MIXOPT_FIT_THREADS = before;
  }
}

describe('fit thread', () => {
  it('gives the same fit as one thread, and answers once it has started', () => {
    // The first fits may find the thread still starting (their random starts then run on the
    // calling thread); within a few fits it takes and answers one.
    let seed = 0;
    for (; seed < 6 && fitThreadStats().answered === 0; seed++) {
      const before = fitThreadStats();
      const threaded = fitWith(true, seed);
      const after = fitThreadStats();
      assert.equal(after.submitted, before.submitted + 1, 'every such fit offers its starts');
      assert.equal(threaded, fitWith(false, seed), `fit ${seed} differs with a fit thread`);
      assert.equal(fitThreadStats().submitted, after.submitted, 'threads off: nothing offered');
    }
    assert.ok(fitThreadStats().answered > 0, `no fit of ${seed} was answered by the thread`);
    assert.equal(fitThreadStats().failed, 0);
  });

  it('runs every start on the calling thread below the subset stage', () => {
    const before = fitThreadStats().submitted;
    const { X, y } = toyData(1, 100, d, 0.2);
    fitGP(X, y, d, options);
    assert.equal(fitThreadStats().submitted, before);
  });

  it('fitGPWithFreshStart: both fits as two fitGP calls, the fresh one on the thread once it answers', async () => {
    const report = (gp: ReturnType<typeof fitGP>) =>
      JSON.stringify({ h: gp.hyperparameters, l: gp.logMarginalLikelihood, s: gp.fitDiagnostics });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the thread has started
    const { X, y } = toyData(7, n, d, 0.2);
    const warmStart = fitGP(X, y, d, { ...options, restarts: 1, maxIter: 5 }).hyperparameters;
    const warmOptions: GPOptions = { ...options, restarts: 1, warmStart };
    const before = fitThreadStats();
    const pair = fitGPWithFreshStart(X, y, d, warmOptions);
    const after = fitThreadStats();
    assert.equal(after.submitted, before.submitted + 1, 'the fresh start is offered');
    assert.equal(after.answered, before.answered + 1, 'and answered by the thread');
    assert.equal(report(pair.fit), report(fitGP(X, y, d, warmOptions)));
    assert.ok(!(pair.fresh instanceof Error), 'the fresh fit succeeds on these data');
    const { warmStart: _, ...fresh } = warmOptions;
    assert.equal(report(pair.fresh), report(fitGP(X, y, d, { ...fresh, restarts: 1 })));
    // Below the subset stage nothing is offered, and the fits are the same.
    const small = toyData(7, 100, d, 0.2);
    const mid = fitThreadStats().submitted;
    const p2 = fitGPWithFreshStart(small.X, small.y, d, warmOptions);
    assert.equal(fitThreadStats().submitted, mid, 'nothing offered at n = 100');
    assert.ok(!(p2.fresh instanceof Error), 'the fresh fit succeeds at n = 100');
    assert.equal(report(p2.fresh), report(fitGP(small.X, small.y, d, { ...fresh, restarts: 1 })));
  });

  it('a job the thread cannot run comes back as null (the caller runs it), and is counted', async () => {
    const { X, y } = toyData(2, 10, d);
    const job: FitStartsJob = {
      X,
      y,
      extra: new Float64Array(10),
      groups: null,
      cov: null,
      n: 10,
      d,
      options: { ...options, restarts: 0 }, // rejected by the thread's option check
      stdz: { mean: 0, std: 1 },
      lower: new Float64Array(5).fill(-1),
      upper: new Float64Array(5).fill(1),
      starts: [{ k: 1, x0: new Float64Array(6) }],
    };
    // Give the thread time to take it, so the error path (not the withdrawal) is exercised.
    const before = fitThreadStats();
    const pending = submitFitStarts(job);
    assert.ok(pending !== null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(pending.result(), null);
    const after = fitThreadStats();
    assert.equal(after.failed + after.withdrawn, before.failed + before.withdrawn + 1);
    assert.equal(after.failed, before.failed + 1, 'the thread took the job and failed it');
  });
});
