import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, OptimizerContext, SurrogateView } from '../../src/core/index.ts';
import { DataError, Rng, ValidationError } from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { sampleMixture } from '../../src/optimizers/sample-mixture.ts';
import { makeRun, simulate, synthSpace, targetLoss } from './helpers.ts';

const space = synthSpace();
const ctx = (seed: number, settings?: Record<string, unknown>): OptimizerContext => ({
  space,
  seed,
  ...(settings !== undefined ? { settings } : {}),
});
const TARGET = { scale: 'L', steps: 19700 };

describe('bo (full-fidelity BO at the target)', () => {
  it('until `initial` target runs: the i-th proposal is the Dirichlet draw of Rng(seed).fork("bo").fork(i), at the target', () => {
    // Ten short runs at S do not count towards `initial` (the GP sees target runs only).
    const small = Array.from({ length: 10 }, (_, i) =>
      makeRun(space, `s${i}`, [0.5, 0.3, 0.2], 'S', 1000),
    );
    const opt = createOptimizer('bo', ctx(8, { initial: 3 }));
    const ps = opt.propose({ runs: small, spent: 0 }, 2);
    const root = new Rng(8).fork('bo');
    assert.deepEqual(ps, [
      { mixture: sampleMixture(root.fork(10), space), ...TARGET },
      { mixture: sampleMixture(root.fork(11), space), ...TARGET },
    ]);
  });

  it('after the initial runs every proposal is still at the target fidelity, and moves towards the optimum', () => {
    const opt = createOptimizer('bo', ctx(2, { initial: 3, rawSamples: 64 }));
    const { proposals, history } = simulate(space, opt, 1e9, 8);
    for (const p of proposals) assert.deepEqual({ scale: p.scale, steps: p.steps }, TARGET);
    // The best GP-chosen run beats the best of the three random ones.
    const values = history.runs.map((r) => targetLoss(r.mixture));
    assert.ok(Math.min(...values.slice(3)) < Math.min(...values.slice(0, 3)), `${values}`);
  });

  it('recommends the best completed target run; before any, the largest scale and steps reached', () => {
    const opt = createOptimizer('bo', ctx(0));
    const good = makeRun(space, 'good', [0.2, 0.5, 0.3], 'L', 19700);
    const bad = makeRun(space, 'bad', [1, 0, 0], 'L', 19700);
    // A shorter run with a smaller value (different fidelity) is not compared with the target.
    const short = makeRun(space, 'short', [0.2, 0.5, 0.3], 'M', 19700);
    assert.equal(opt.recommend({ runs: [bad, short, good], spent: 0 })?.runId, 'good');
    assert.equal(opt.recommend({ runs: [short], spent: 0 })?.runId, 'short');
  });

  it('the surrogate view answers at the target only, and its state resumes the same proposals', () => {
    const opt = createOptimizer('bo', ctx(4, { initial: 3, rawSamples: 32 })) as ReturnType<
      typeof createOptimizer
    > &
      SurrogateView;
    const { history } = simulate(space, opt, 1e9, 5);
    const [atTarget] = opt.predictAt(history, [[0.3, 0.3, 0.4]], TARGET);
    assert.ok(atTarget !== undefined && Number.isFinite(atTarget.mean) && atTarget.std > 0);
    assert.deepEqual(opt.predictAt(history, [[0.3, 0.3, 0.4]], { scale: 'S', steps: 19700 }), []);
    // A fresh optimiser loaded with the saved state proposes what the original proposes next.
    const state = JSON.parse(JSON.stringify(opt.saveState?.()));
    assert.notEqual(state.hyper, null);
    const resumed = createOptimizer('bo', ctx(4, { initial: 3, rawSamples: 32 }));
    resumed.loadState?.(state);
    const h: History = { ...history };
    assert.deepEqual(resumed.propose(h, 1), opt.propose(h, 1));
  });

  it('rejects bad settings (ValidationError) and damaged saved state (DataError), naming them', () => {
    assert.throws(
      () => createOptimizer('bo', ctx(0, { initial: 0 })),
      (e: unknown) => e instanceof ValidationError && /initial/.test(e.message),
    );
    assert.throws(
      () => createOptimizer('bo', ctx(0, { kernel: 'cosine' })),
      (e: unknown) => e instanceof ValidationError && /kernel/.test(e.message),
    );
    const opt = createOptimizer('bo', ctx(0));
    assert.throws(
      () => opt.loadState?.({ hyper: 'garbage' }),
      (e: unknown) =>
        e instanceof DataError && /saved state of optimiser 'bo' is malformed/.test(e.message),
    );
  });
});
