import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, OptimizerContext, Proposal } from '../../src/core/index.ts';
import { ValidationError } from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { makeRun, simulate, synthSpace, TARGET_OPT, targetLoss } from './helpers.ts';

const GP_METHODS = ['bo', 'mf-bo', 'mfms-bo', 'mfms-bo:paper'] as const;
const space = synthSpace();
const ctx = (seed: number, settings?: Record<string, unknown>): OptimizerContext => ({
  space,
  seed,
  ...(settings !== undefined ? { settings } : {}),
});

function checkInSpace(p: Proposal, history: History): void {
  assert.ok(Math.abs(p.mixture.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  assert.ok(p.mixture.every((x) => x >= 0));
  assert.ok(space.scales.some((s) => s.name === p.scale));
  assert.ok(p.steps >= space.steps.min && p.steps <= space.steps.max && Number.isInteger(p.steps));
  if (p.continues !== undefined) {
    const parent = history.runs.find((r) => r.id === p.continues);
    assert.ok(parent !== undefined && parent.scale === p.scale && parent.steps < p.steps);
    assert.deepEqual(parent.mixture, p.mixture);
  }
}

describe('GP optimisers: contract', () => {
  for (const method of GP_METHODS) {
    it(`${method}: deterministic from the seed; proposals valid; recommendation after one run`, () => {
      const settings = method === 'bo' ? undefined : { initial: 4 };
      const a = simulate(space, createOptimizer(method, ctx(11, settings)), 1e9, 7);
      const b = simulate(space, createOptimizer(method, ctx(11, settings)), 1e9, 7);
      assert.deepEqual(a.proposals, b.proposals);
      const c = simulate(space, createOptimizer(method, ctx(12, settings)), 1e9, 7);
      assert.notDeepEqual(a.proposals, c.proposals);
      for (let i = 0; i < a.proposals.length; i++) {
        checkInSpace(a.proposals[i]!, { runs: a.history.runs.slice(0, i), spent: 0 });
      }
      const one = { runs: [makeRun(space, 'x', [0.3, 0.3, 0.4], 'S', 200)], spent: 0.03 };
      assert.ok(createOptimizer(method, ctx(1, settings)).recommend(one) !== undefined);
      assert.equal(
        createOptimizer(method, ctx(1, settings)).recommend({ runs: [], spent: 0 }),
        undefined,
      );
    });

    it(`${method}: rejects unknown settings`, () => {
      assert.throws(
        () => createOptimizer(method, ctx(0, { nope: 1 })),
        (e: unknown) => e instanceof ValidationError && /nope/.test(e.message),
      );
    });
  }
});

describe('GP optimisers: improve on a smooth synthetic problem vs random search', () => {
  // Mean target regret of the recommendation after the budget, over seeds 0..2.
  const regret = (method: string, budget: number, settings?: Record<string, unknown>) => {
    let total = 0;
    for (const seed of [0, 1, 2]) {
      const opt = createOptimizer(method, ctx(seed, settings));
      const { history } = simulate(space, opt, budget, 60);
      total += targetLoss(opt.recommend(history)!.mixture) - targetLoss(TARGET_OPT);
    }
    return total / 3;
  };
  // Budgets in target runs (197 units each): 10 for bo, 3 for the multi-fidelity methods.
  const random10 = regret('random', 1970);
  const random3 = regret('random', 591);

  it('random search leaves a clear regret at these budgets (sanity)', () => {
    assert.ok(random10 > 0.005 && random3 > 0.02, `random regret ${random10}, ${random3}`);
  });
  it('bo: at least 4x lower regret than random with 10 target runs', () => {
    const r = regret('bo', 1970);
    assert.ok(r < random10 / 4, `bo ${r} vs random ${random10}`);
  });
  it('mfms-bo: at least 10x lower regret than random with 3 target runs of budget', () => {
    const r = regret('mfms-bo', 591, { initial: 8, rawSamples: 64, maxObservations: 120 });
    assert.ok(r < random3 / 10, `mfms-bo ${r} vs random ${random3}`);
  });
  it('mf-bo: lower regret than random with 10 target runs of budget', () => {
    const r = regret('mf-bo', 1970, { initial: 5, rawSamples: 64, maxObservations: 120 });
    assert.ok(r < random10, `mf-bo ${r} vs random ${random10}`);
  });
  // mfms-bo:paper has no such test: on this problem it fixates on vertices (its linear mean,
  // fitted once on 100..900-step runs, extrapolates to 19,700 steps; see BENCHMARKS.md).
});
