import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OptimizerContext, SurrogateView } from '../../src/core/index.ts';
import { Rng, ValidationError } from '../../src/core/index.ts';
import { initialRun, initialStepRange } from '../../src/optimizers/gp-common.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { makeRun, simulate, synthSpace } from './helpers.ts';

const space = synthSpace();
const ctx = (seed: number, settings?: Record<string, unknown>): OptimizerContext => ({
  space,
  seed,
  ...(settings !== undefined ? { settings } : {}),
});

describe('mf-bo (multi-fidelity BO at the target scale)', () => {
  it('the initial design: the i-th run is initialRun(Rng(seed).fork("mf-bo").fork(i)) at the target scale, 100..900 steps', () => {
    assert.deepEqual(initialStepRange(space), [100, 900]);
    const opt = createOptimizer('mf-bo', ctx(6, { initial: 4 }));
    const ps = opt.propose({ runs: [], spent: 0 }, 4);
    const root = new Rng(6).fork('mf-bo');
    assert.deepEqual(
      ps,
      [0, 1, 2, 3].map((i) => initialRun(space, root.fork(i), ['L'], [100, 900])),
    );
    for (const p of ps) assert.ok(p.scale === 'L' && p.steps >= 100 && p.steps <= 900);
  });

  it('after the initial design: only the target scale, steps from the step candidates (6000, 12000, 19700)', () => {
    const opt = createOptimizer('mf-bo', ctx(3, { initial: 4, rawSamples: 32 }));
    const { proposals } = simulate(space, opt, 1e9, 9);
    for (const p of proposals.slice(4)) {
      assert.equal(p.scale, 'L');
      assert.ok([6000, 12000, 19700].includes(p.steps), `${p.steps} steps`);
    }
  });

  it('a step candidate that does not fit the remaining budget is not proposed', () => {
    // alpha0 = 0: cost is ignored, so with the budget open a longer run (12,000 steps) wins here.
    const opt = createOptimizer('mf-bo', ctx(3, { initial: 4, rawSamples: 32, alpha0: 0 }));
    const { history } = simulate(space, opt, 1e9, 5);
    const open = opt.propose({ ...history, budget: 1e9 }, 1)[0];
    assert.equal(open?.steps, 12000);
    // 100 units left: 6,000 steps (60 units at L) fit, 12,000 (120) and 19,700 (197) do not.
    const [p] = opt.propose({ ...history, budget: history.spent + 100 }, 1);
    assert.deepEqual({ scale: p?.scale, steps: p?.steps }, { scale: 'L', steps: 6000 });
  });

  it('the surrogate view answers at the target scale (any steps) and nowhere else', () => {
    const opt = createOptimizer('mf-bo', ctx(1, { initial: 4, rawSamples: 32 })) as ReturnType<
      typeof createOptimizer
    > &
      SurrogateView;
    const { history } = simulate(space, opt, 1e9, 5);
    const w = [[0.3, 0.3, 0.4]];
    const [long] = opt.predictAt(history, w, { scale: 'L', steps: 19700 });
    const [short] = opt.predictAt(history, w, { scale: 'L', steps: 500 });
    assert.ok(long !== undefined && short !== undefined);
    assert.ok(Number.isFinite(long.mean) && Number.isFinite(short.mean));
    assert.deepEqual(opt.predictAt(history, w, { scale: 'M', steps: 19700 }), []);
  });

  it('recommends the best target run, else the run with the most steps at the largest scale', () => {
    const opt = createOptimizer('mf-bo', ctx(0));
    const a = makeRun(space, 'a', [0.2, 0.5, 0.3], 'L', 900);
    const b = makeRun(space, 'b', [1, 0, 0], 'L', 5900);
    assert.equal(opt.recommend({ runs: [a, b], spent: 0 })?.runId, 'b');
    const t = makeRun(space, 't', [0.3, 0.3, 0.4], 'L', 19700);
    assert.equal(opt.recommend({ runs: [a, b, t], spent: 0 })?.runId, 't');
  });

  it('rejects bad settings with a ValidationError naming the setting', () => {
    for (const [key, value] of [
      ['maxObservations', 5],
      ['initial', 0],
      ['stepFractions', 'all'],
    ] as const) {
      assert.throws(
        () => createOptimizer('mf-bo', ctx(0, { [key]: value })),
        (e: unknown) => e instanceof ValidationError && e.message.includes(key),
        key,
      );
    }
  });
});
