import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  History,
  Optimizer,
  OptimizerContext,
  Proposal,
  RunRecord,
  SurrogateView,
} from '../../src/core/index.ts';
import { Rng } from '../../src/core/index.ts';
import type { GPHyperparameters } from '../../src/gp/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { assertClose } from '../gp/helpers.ts';
import { makeRun, SCALES, simulate, synthSpace, targetLoss } from './helpers.ts';

const space = synthSpace();
const ctx = (seed: number, settings?: Record<string, unknown>): OptimizerContext => ({
  space,
  seed,
  ...(settings !== undefined ? { settings } : {}),
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
    const opt = createOptimizer(
      'mfms-bo',
      ctx(3, { initial: 6, minTargetShare: 0.5, verify: false }),
    );
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

  it("afterVerification 'target': only target-size runs once a target run has completed", () => {
    const drive = (afterVerification: 'any' | 'target') => {
      const opt = createOptimizer(
        'mfms-bo',
        ctx(3, { initial: 6, verifyFrom: 0, afterVerification }),
      );
      const runs: RunRecord[] = [];
      let spent = 0;
      const after: string[] = [];
      for (let i = 0; i < 18; i++) {
        const [p] = opt.propose({ runs: [...runs], spent, budget: 1e9 }, 1);
        const verified = runs.some(
          (r) => r.scale === space.target.scale && r.steps === space.target.steps,
        );
        if (verified) after.push(p!.scale);
        const parent = p!.continues ? runs.find((r) => r.id === p!.continues) : undefined;
        const run = makeRun(space, `r${i}`, p!.mixture, p!.scale, p!.steps, parent);
        runs.push(run);
        spent += run.cost;
      }
      return after;
    };
    const target = drive('target');
    assert.ok(target.length >= 5, `only ${target.length} proposals after the first target run`);
    assert.deepEqual(new Set(target), new Set([space.target.scale]));
    // The default goes on proposing smaller runs (so the setting is what restricts them).
    assert.ok(drive('any').some((sc) => sc !== space.target.scale));
  });
});

describe('mfms-bo batches', () => {
  it('mfms-bo: a batch of 3 gives 3 distinct proposals (kriging believer)', () => {
    const opt = createOptimizer('mfms-bo', ctx(5, { initial: 5 }));
    const { history } = simulate(space, opt, 1e9, 6);
    const ps = opt.propose(history, 3);
    assert.equal(ps.length, 3);
    assert.equal(new Set(ps.map((p) => JSON.stringify(p))).size, 3);
  });
});

describe('mfms-bo runs in flight (maxInFlight)', () => {
  // After a 5-run initial design (60 cost units left), a batch of 8: each proposal after the
  // first is made with the earlier ones in flight.
  const batchOf = (settings: Record<string, unknown>) => {
    const opt = createOptimizer('mfms-bo', ctx(5, { initial: 5, ...settings }));
    const { history } = simulate(space, opt, 1e9, 5);
    const h: History = { ...history, budget: history.spent + 60 };
    return { h, batch: opt.propose(h, 8) };
  };
  const costs = (ps: readonly Proposal[]) => ps.map((p) => space.cost(p.scale, p.steps));

  it('keeps the cost in flight within the share of the budget left, or proposes the cheapest runs', () => {
    const share = 0.3;
    const { h, batch } = batchOf({ maxInFlight: share });
    const c = costs(batch);
    const room = share * ((h.budget as number) - h.spent);
    let committed = c[0] as number;
    for (let j = 1; j < c.length; j++) {
      const cj = c[j] as number;
      if (committed + cj > room + 1e-9) {
        // Over the room: only the cheapest pair (the smallest scale) may be proposed.
        assert.equal(cj, Math.min(...c), `proposal ${j} costs ${cj} with ${committed} in flight`);
        assert.equal(batch[j]?.scale, space.scales[0]?.name);
      }
      committed += cj;
    }
    // Without the cap the same batch commits more than the cap allows: it binds here.
    const free = costs(batchOf({}).batch);
    assert.ok(free.reduce((a, b) => a + b, 0) > room, `uncapped batch ${free}`);
    assert.ok(c.reduce((a, b) => a + b, 0) < free.reduce((a, b) => a + b, 0), `capped ${c}`);
  });

  it('leaves a proposal with nothing in flight as it was', () => {
    const a = batchOf({ maxInFlight: 0.3 }).batch[0];
    const b = batchOf({}).batch[0];
    assert.deepEqual(a, b);
  });
});

describe('mfms-bo initial design (initialDesign)', () => {
  const SCALES_BY_NAME = Object.fromEntries(SCALES.map((x) => [x.name, x])) as Record<
    'S' | 'M' | 'L',
    (typeof SCALES)[number]
  >;
  const design = (settings: Record<string, unknown>, sp = space): Proposal[] => {
    const opt = createOptimizer('mfms-bo', {
      space: sp,
      seed: 9,
      settings: { initial: 8, ...settings },
    });
    return opt.propose({ runs: [], spent: 0 }, 8);
  };

  it("'nested': pairs of one mixture and steps, at a smaller and a larger size", () => {
    const ps = design({ initialDesign: 'nested' });
    for (let p = 0; p < 4; p++) {
      const [a, b] = [ps[2 * p]!, ps[2 * p + 1]!];
      assert.deepEqual(a.mixture, b.mixture, `pair ${p}: one mixture`);
      assert.equal(a.steps, b.steps, `pair ${p}: one step count`);
      // Three sizes: the smaller half is S, the larger half L (the middle one in neither).
      assert.equal(a.scale, 'S');
      assert.equal(b.scale, 'L');
    }
    assert.equal(new Set(ps.map((q) => q.mixture.join(','))).size, 4, 'four distinct mixtures');
    // The default design trains distinct mixtures.
    assert.equal(new Set(design({}).map((q) => q.mixture.join(','))).size, 8);
  });

  it("'half-nested': the first half in pairs (rounded down to pairs), then distinct mixtures", () => {
    const ps = design({ initialDesign: 'half-nested' });
    // 8 runs: 2 pairs, then 4 single runs of 4 more mixtures.
    assert.deepEqual(ps[0]!.mixture, ps[1]!.mixture);
    assert.deepEqual(ps[2]!.mixture, ps[3]!.mixture);
    assert.deepEqual(
      ps.slice(0, 4).map((q) => q.scale),
      ['S', 'L', 'S', 'L'],
    );
    assert.equal(new Set(ps.map((q) => q.mixture.join(','))).size, 6, 'six distinct mixtures');
    // The single runs are the default design's runs 4..7 but with mixtures 2..5 of its sequence.
    const sobol = design({});
    assert.deepEqual(
      ps.slice(4).map((q) => q.scale),
      sobol.slice(4).map((q) => q.scale),
    );
    assert.deepEqual(
      ps.slice(4).map((q) => q.mixture),
      sobol.slice(2, 6).map((q) => q.mixture),
    );
  });

  it('designVertices: the vertices first, then the Sobol design unchanged', () => {
    const ps = design({ designVertices: true });
    assert.deepEqual(
      ps.slice(0, 3).map((q) => q.mixture),
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    );
    // Runs 3..7 are the default design's: same mixtures, sizes and steps.
    assert.deepEqual(ps.slice(3), design({}).slice(3));
    // Sizes and steps of the vertex runs are drawn as the default design's runs 0..2.
    assert.deepEqual(
      ps.slice(0, 3).map((q) => [q.scale, q.steps]),
      design({})
        .slice(0, 3)
        .map((q) => [q.scale, q.steps]),
    );
  });

  it('designVertices with fewer than 2k design runs: floor(initial / 2) distinct vertices, seeded', () => {
    const four = (seed: number) =>
      createOptimizer('mfms-bo', {
        space,
        seed,
        settings: { initial: 4, designVertices: true },
      }).propose({ runs: [], spent: 0 }, 4);
    const a = four(9);
    const vertices = a.slice(0, 2).map((q) => q.mixture);
    for (const w of vertices) {
      assert.equal(w.filter((v) => v === 1).length, 1, `${w} is a vertex`);
      assert.equal(w.filter((v) => v === 0).length, 2, `${w} is a vertex`);
    }
    assert.notDeepEqual(vertices[0], vertices[1]);
    // Runs 2 and 3 are interior (Sobol) points.
    for (const q of a.slice(2))
      assert.ok(
        q.mixture.every((v) => v > 0 && v < 1),
        `${q.mixture}`,
      );
    assert.deepEqual(four(9), a, 'the same seed gives the same design');
    const chosen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      for (const q of four(seed).slice(0, 2)) chosen.add(q.mixture.join(','));
    }
    assert.equal(chosen.size, 3, 'over seeds every vertex is chosen');
  });

  it("'nested' on a ladder given out of order sorts it by parameters; one size takes both runs", () => {
    const shuffled = { ...space, scales: [SCALES_BY_NAME.L, SCALES_BY_NAME.S, SCALES_BY_NAME.M] };
    const ps = design({ initialDesign: 'nested' }, shuffled);
    assert.deepEqual(
      ps.map((q) => q.scale),
      ['S', 'L', 'S', 'L', 'S', 'L', 'S', 'L'],
    );
    const one = { ...space, scales: [SCALES_BY_NAME.L] };
    assert.ok(design({ initialDesign: 'nested' }, one).every((q) => q.scale === 'L'));
  });
});
