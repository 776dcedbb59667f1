import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costExponent, selectCostAware, shouldShrink } from '../../src/acquisition/index.ts';
import type {
  History,
  Optimizer,
  OptimizerContext,
  Proposal,
  RunRecord,
  SurrogateView,
} from '../../src/core/index.ts';
import { Rng, ValidationError } from '../../src/core/index.ts';
import type { GPHyperparameters } from '../../src/gp/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { assertClose } from '../gp/helpers.ts';
import { makeRun, simulate, synthSpace, TARGET_OPT, targetLoss } from './helpers.ts';

const GP_METHODS = ['bo', 'mf-bo', 'mfms-bo', 'mfms-bo:paper'] as const;
const space = synthSpace();
const ctx = (seed: number, settings?: Record<string, unknown>): OptimizerContext => ({
  space,
  seed,
  ...(settings !== undefined ? { settings } : {}),
});

describe('paper selection rule', () => {
  it('picks the pair maximising EI / c^alpha, compared in log space', () => {
    const cands = [
      { logEi: Math.log(0.02), cost: 1 }, // 0.02 per unit
      { logEi: Math.log(0.5), cost: 20 }, // 0.025 per unit: best at alpha = 1
      { logEi: Math.log(0.9), cost: 197 }, // largest EI: best at alpha = 0
      { logEi: Number.NEGATIVE_INFINITY, cost: 0.1 }, // EI underflowed: never chosen
    ];
    assert.equal(selectCostAware(cands, 1).index, 1);
    assert.equal(selectCostAware(cands, 0).index, 2);
    // alpha = 0.5: 0.02/1, 0.5/4.47 = 0.112, 0.9/14.0 = 0.064 -> index 1.
    assert.equal(selectCostAware(cands, 0.5).index, 1);
    const r = selectCostAware(cands, 1);
    assert.ok(Math.abs(r.score - Math.log(0.5 / 20)) < 1e-12);
    assert.throws(() => selectCostAware([], 1), ValidationError);
  });

  it('alpha_t = alpha_0 0.99^t and the shrink trigger is EI < 1e-4', () => {
    assert.equal(costExponent(0), 1);
    assert.ok(Math.abs(costExponent(10) - 0.99 ** 10) < 1e-15);
    assert.equal(shouldShrink(Math.log(0.99e-4)), true);
    assert.equal(shouldShrink(Math.log(1.01e-4)), false);
    assert.equal(shouldShrink(Number.NEGATIVE_INFINITY), true);
  });
});

describe('mfms-bo recommendation modes', () => {
  for (const recommend of ['posterior', 'best-raw']) {
    it(`${recommend}: asking for recommendations between proposals never changes a later proposal`, () => {
      const run = (ask: boolean) => {
        const opt = createOptimizer('mfms-bo', ctx(4, { initial: 6, recommend })) as Optimizer &
          SurrogateView;
        const runs: History['runs'][number][] = [];
        const proposals: Proposal[] = [];
        for (let i = 0; i < 10; i++) {
          const h: History = { runs: [...runs], spent: 0 };
          if (ask) {
            opt.recommend(h);
            opt.predictAt(h, [[0.2, 0.3, 0.5]], { scale: 'M', steps: 3000 });
          }
          const [p] = opt.propose(h, 1);
          proposals.push(p!);
          runs.push(makeRun(space, `r${i}`, p!.mixture, p!.scale, p!.steps));
        }
        return proposals;
      };
      assert.deepEqual(run(true), run(false));
    });
  }

  it('verified: the posterior until a target run completes, then the best completed target run', () => {
    const make = (settings: Record<string, unknown>) =>
      createOptimizer('mfms-bo', ctx(2, { initial: 6, recommend: 'posterior', ...settings }));
    const { history } = simulate(space, make({}), 1e9, 8);
    const small = { runs: history.runs.filter((r) => r.scale !== 'L'), spent: 0 };
    // No target run yet: the same as the posterior recommendation (fresh optimisers, same fit).
    assert.deepEqual(
      make({ recommend: 'verified' }).recommend(small)?.mixture,
      make({}).recommend(small)?.mixture,
    );
    const opt = make({ recommend: 'verified' });
    const a = makeRun(space, 'Ta', [0.6, 0.2, 0.2], 'L', 19700);
    const b = makeRun(space, 'Tb', [0.25, 0.45, 0.3], 'L', 19700);
    const partial = makeRun(space, 'Tc', [0.2, 0.5, 0.3], 'L', 12000);
    const h: History = { runs: [...small.runs, a, b, partial], spent: 0 };
    assert.ok(targetLoss(b.mixture) < targetLoss(a.mixture));
    const rec = opt.recommend(h)!;
    assert.equal(rec.runId, 'Tb');
    assert.deepEqual(rec.mixture, b.mixture);
    assert.ok(rec.predicted !== undefined && Number.isFinite(rec.predicted.mean));
    const at = (opt as Optimizer & SurrogateView).recommendAt?.(h, { scale: 'L', steps: 19700 });
    assert.equal(at?.runId, 'Tb');
  });

  it('pessimistic: the smallest mean + sd at the target among the observed mixtures and the predicted optimum', () => {
    const settings = { initial: 6, recommend: 'pessimistic' };
    const opt = createOptimizer('mfms-bo', ctx(2, settings)) as Optimizer & SurrogateView;
    const { history } = simulate(space, opt, 1e9, 9);
    // One completed target run: it keeps its id when it wins (no confirmation needed).
    const runs = [...history.runs, makeRun(space, 'T', [0.2, 0.5, 0.3], 'L', 19700)];
    const h: History = { runs, spent: 0 };
    const rec = opt.recommend(h)!;
    const target = { scale: 'L', steps: 19700 };
    const seen = [...new Map(runs.map((r) => [r.mixture.join(','), r.mixture])).values()];
    const bound = (w: readonly number[]) => {
      const [p] = opt.predictAt(h, [w], target);
      return p!.mean + p!.std;
    };
    const best = bound(rec.mixture);
    for (const w of seen) assert.ok(best <= bound(w) + 1e-12, `${w} beats the recommendation`);
    assert.ok(rec.basis?.startsWith('smallest upper bound'));
    if (rec.mixture.join(',') === '0.2,0.5,0.3') assert.equal(rec.runId, 'T');
    // The default (posterior) recommendation can be a mixture never observed; this one is
    // observed or the predicted optimum, i.e. recommendAt at the target agrees with it.
    assert.deepEqual(opt.recommendAt?.(h, target)?.mixture, rec.mixture);
  });
});

describe('mfms-bo run noise', () => {
  // 16 runs whose curves each carry one shared offset (sd 0.05, seed noise) and little
  // independent noise: with runNoise the GP learns the offsets' variance, and a long curve of
  // one mixture no longer pins its target value down to the independent noise.
  const rng = new Rng(5);
  const runs: RunRecord[] = [];
  for (let i = 0; i < 16; i++) {
    const w = [0.1 + 0.05 * i, 0.5 - 0.02 * i, 0.4 - 0.03 * i];
    const scale = i % 3 === 0 ? 'L' : i % 3 === 1 ? 'M' : 'S';
    const run = makeRun(space, `r${i}`, w, scale, 19700);
    const off = 0.05 * rng.normal();
    runs.push({
      ...run,
      curve: run.curve.map((p) => ({ step: p.step, value: p.value + off + 0.002 * rng.normal() })),
    });
  }
  const h: History = { runs, spent: 0 };
  const fit = (runNoise: string, more: Record<string, unknown> = {}) => {
    const opt = createOptimizer('mfms-bo', ctx(1, { initial: 4, runNoise, ...more })) as Optimizer &
      SurrogateView;
    opt.propose(h, 1);
    const state = opt.saveState?.() as { hyper: GPHyperparameters };
    const [p] = opt.predictAt(h, [runs[0]!.mixture], { scale: 'L', steps: 19700 });
    return { hyper: state.hyper, sd: p!.std };
  };
  it('learns a per-run offset variance above the independent noise, and is less sure of each run', () => {
    const grouped = fit('learned');
    const plain = fit('none');
    assert.equal(plain.hyper.groupNoise, undefined);
    assert.ok(grouped.hyper.groupNoise !== undefined);
    assert.ok(
      grouped.hyper.groupNoise > 10 * grouped.hyper.noise,
      `offset variance ${grouped.hyper.groupNoise} vs point noise ${grouped.hyper.noise}`,
    );
    assert.ok(grouped.sd > 1.5 * plain.sd, `sd with run noise ${grouped.sd} vs ${plain.sd}`);
  });
  it('wLengthscaleFloor: the mixture lengthscale stays above its share of the typical mixture distance', () => {
    // k = 3: the rms distance of two uniform Dirichlet draws is sqrt(2*2/(3*4)) = 0.5774.
    const floor = Math.sqrt(4 / 12);
    const free = fit('none').hyper.lengthscales[0]!.values[0]!;
    assert.ok(free < floor, `the free fit must lie below the floor (l = ${free})`);
    const floored = fit('none', { wLengthscaleFloor: 1 }).hyper.lengthscales[0]!.values[0]!;
    assertClose(floored, floor, 1e-9, 1e-9, 'mixture lengthscale on its floor');
  });
});

describe('mfms-bo target-share floor', () => {
  it('proposes only target-size runs while their share of the spend is below minTargetShare', () => {
    const opt = createOptimizer('mfms-bo', ctx(3, { initial: 6, minTargetShare: 0.5 }));
    const runs: RunRecord[] = [];
    let spent = 0;
    let forced = 0;
    for (let i = 0; i < 16; i++) {
      const h: History = { runs: [...runs], spent, budget: 1e9 };
      const [p] = opt.propose(h, 1);
      const atL = runs.filter((r) => r.scale === 'L').reduce((a, r) => a + r.cost, 0);
      if (i >= 6 && atL < 0.5 * spent) {
        assert.equal(
          p!.scale,
          'L',
          `proposal ${i} at ${p!.scale} with target share ${atL / spent}`,
        );
        forced++;
      }
      const parent = p!.continues ? runs.find((r) => r.id === p!.continues) : undefined;
      const run = makeRun(space, `r${i}`, p!.mixture, p!.scale, p!.steps, parent);
      runs.push(run);
      spent += run.cost;
    }
    assert.ok(forced > 0, 'the floor never applied: the test does not exercise it');
  });
});

describe('mfms-bo:paper loop', () => {
  it('fits hyper-parameters once; shrinks the fidelity lengthscales when target EI < threshold', () => {
    const always = createOptimizer('mfms-bo:paper', ctx(3, { initial: 6, shrinkThreshold: 1e9 }));
    simulate(space, always, 1e9, 10);
    const st = always.saveState!() as { hyper: unknown; shrinkAt: number[] };
    assert.deepEqual(st.shrinkAt, [6, 7, 8, 9]);
    const never = createOptimizer('mfms-bo:paper', ctx(3, { initial: 6, shrinkThreshold: 0 }));
    const runA = simulate(space, never, 1e9, 8);
    const h1 = JSON.stringify((never.saveState!() as { hyper: unknown }).hyper);
    assert.deepEqual((never.saveState!() as { shrinkAt: number[] }).shrinkAt, []);
    never.propose(runA.history, 1);
    assert.equal(JSON.stringify((never.saveState!() as { hyper: unknown }).hyper), h1);
    // A (strong) shrink changes the proposals: the conditioned GP differs.
    const b = createOptimizer(
      'mfms-bo:paper',
      ctx(3, { initial: 6, shrinkThreshold: 1e9, shrinkFactor: 0.3 }),
    );
    const runB = simulate(space, b, 1e9, 10);
    const c = createOptimizer('mfms-bo:paper', ctx(3, { initial: 6, shrinkThreshold: 0 }));
    const runC = simulate(space, c, 1e9, 10);
    assert.notDeepEqual(runB.proposals.slice(7), runC.proposals.slice(7));
  });

  it('initial design: 20 runs, scales across the ladder, 100..900 steps', () => {
    const opt = createOptimizer('mfms-bo:paper', ctx(0));
    const ps = opt.propose({ runs: [], spent: 0 }, 20);
    assert.equal(ps.length, 20);
    for (const p of ps) {
      assert.ok(p.steps >= 100 && p.steps <= 900 && p.steps % 100 === 0, `${p.steps}`);
      assert.ok(Math.abs(p.mixture.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    }
    assert.equal(new Set(ps.map((p) => p.scale)).size, 3);
    assert.ok(new Set(ps.map((p) => p.steps)).size >= 5);
  });

  it('stops after `iterations` cost-aware rounds (the paper: 100), whatever budget is left', () => {
    const opt = createOptimizer('mfms-bo:paper', ctx(5, { initial: 4, iterations: 3 }));
    const run = simulate(space, opt, 1e9, 50);
    assert.equal(run.proposals.length, 7);
    assert.deepEqual(opt.propose(run.history, 2), []);
    // A batch is cut at the same point; null keeps proposing.
    const batch = createOptimizer('mfms-bo:paper', ctx(5, { initial: 4, iterations: 3 }));
    assert.equal(batch.propose({ runs: run.history.runs.slice(0, 5), spent: 0 }, 4).length, 2);
    const open = createOptimizer('mfms-bo:paper', ctx(5, { initial: 4, iterations: null }));
    assert.equal(simulate(space, open, 1e9, 9).proposals.length, 9);
    assert.throws(
      () => createOptimizer('mfms-bo:paper', ctx(5, { iterations: -1 })),
      (e: unknown) => e instanceof ValidationError && /iterations/.test(e.message),
    );
  });

  it('recommends the best raw value at any fidelity', () => {
    const opt = createOptimizer('mfms-bo:paper', ctx(0));
    const a = makeRun(space, 'a', [1, 0, 0], 'S', 300);
    const b = makeRun(space, 'b', [0.2, 0.5, 0.3], 'L', 200);
    const rec = opt.recommend({ runs: [a, b], spent: 0 });
    assert.equal(rec?.runId, 'b');
  });
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

  it('mfms-bo: a batch of 3 gives 3 distinct proposals (kriging believer)', () => {
    const opt = createOptimizer('mfms-bo', ctx(5, { initial: 5 }));
    const { history } = simulate(space, opt, 1e9, 6);
    const ps = opt.propose(history, 3);
    assert.equal(ps.length, 3);
    assert.equal(new Set(ps.map((p) => JSON.stringify(p))).size, 3);
  });
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
