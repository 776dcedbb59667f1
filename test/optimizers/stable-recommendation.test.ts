import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, Optimizer, Proposal, SurrogateView } from '../../src/core/index.ts';
import { Rng } from '../../src/core/index.ts';
import { conditionGP } from '../../src/gp/index.ts';
import { normCdf } from '../../src/linalg/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { stableRecommendation } from '../../src/optimizers/stable-recommendation.ts';
import { makeRun, simulate, synthLoss, synthSpace } from './helpers.ts';

/**
 * Two mixtures A = [1, 0] and B = [0, 1], far apart (lengthscale 0.01, so uncorrelated), each
 * observed once with prior variance 1, noise variance 1, zero mean: the posterior of each is
 * mean y/2, variance 1/2 (closed form), so P(B < A) = Phi((yA - yB) / 2 / 1).
 */
function twoPointGp(yA: number, yB: number) {
  const X = Float64Array.from([1, 0, 0, 1]);
  return conditionGP(
    X,
    [yA, yB],
    2,
    { kernel: { kind: 'rbf', dims: [0, 1] }, mean: 'zero', standardize: false },
    {
      lengthscales: [{ kind: 'rbf', dims: [0, 1], values: [0.01] }],
      outputScale: 1,
      noise: 1,
      mean: [],
    },
  );
}

const A = [1, 0];
const B = [0, 1];
const base = (yA: number, yB: number) => ({
  gp: twoPointGp(yA, yB),
  xStar: (w: ArrayLike<number>) => Array.from(w),
  observed: [A, B],
  rng: new Rng(1),
});

describe('stable recommendation rule', () => {
  it('without an incumbent: the smallest predicted target value', () => {
    const c = stableRecommendation({ ...base(1.0, 0.8), pSwitch: 0.9 });
    assert.deepEqual(c.mixture, B);
    assert.ok(Math.abs(c.mean - 0.4) < 1e-9, `mean ${c.mean}`);
    assert.ok(Math.abs(c.sd - Math.sqrt(0.5)) < 1e-9, `sd ${c.sd}`);
    assert.equal(c.changed, true);
  });

  it('keeps the incumbent unless P(challenger better) reaches pSwitch (closed form)', () => {
    const expected = normCdf((1.0 - 0.8) / 2); // (0.5 - 0.4) / sqrt(0.5 + 0.5)
    const keep = stableRecommendation({ ...base(1.0, 0.8), incumbent: A, pSwitch: 0.9 });
    assert.deepEqual(keep.mixture, A);
    assert.equal(keep.changed, false);
    assert.ok(Math.abs((keep.pBetter ?? 0) - expected) < 1e-9, `pBetter ${keep.pBetter}`);
    const sw = stableRecommendation({ ...base(1.0, 0.8), incumbent: A, pSwitch: 0.52 });
    assert.deepEqual(sw.mixture, B);
    assert.equal(sw.changed, true);
    // A clear winner switches at the default threshold: P = Phi(4 / 2) = 0.977.
    const clear = stableRecommendation({ ...base(4.0, 0.0), incumbent: A, pSwitch: 0.9 });
    assert.deepEqual(clear.mixture, B);
  });

  it('againstMean: a well-known challenger beats a poorly known incumbent; inflate scales every variance', () => {
    // A observed with noise 9, B with noise 0.01 (prior variance 1, zero mean, uncorrelated):
    // A ~ N(yA/10, 0.9), B ~ N(yB/1.01, 1/101).
    const gpOf = (yA: number, yB: number) =>
      conditionGP(
        Float64Array.from([1, 0, 0, 1]),
        [yA, yB],
        2,
        {
          kernel: { kind: 'rbf', dims: [0, 1] },
          mean: 'zero',
          standardize: false,
          noisePerPoint: [9, 0.01],
        },
        {
          lengthscales: [{ kind: 'rbf', dims: [0, 1], values: [0.01] }],
          outputScale: 1,
          noise: 1e-9,
          mean: [],
        },
      );
    const input = (yA: number, yB: number, incumbent: number[]) => ({
      gp: gpOf(yA, yB),
      xStar: (w: ArrayLike<number>) => Array.from(w),
      observed: [A, B],
      rng: new Rng(1),
      incumbent,
      pSwitch: 0.9,
    });
    const mA = 0.5;
    const mB = 0.2 / 1.01;
    const pair = normCdf((mA - mB) / Math.sqrt(0.9 + 1 / 101)); // 0.62
    const kept = stableRecommendation(input(5, 0.2, A));
    assert.deepEqual(kept.mixture, A);
    assert.ok(Math.abs(kept.pBetter! - pair) < 1e-9, `pBetter ${kept.pBetter} vs ${pair}`);
    // P(B < E[A]) = Phi((0.5 - 0.198) / 0.0995) = 0.999: switches.
    const sw = stableRecommendation({ ...input(5, 0.2, A), againstMean: true });
    assert.deepEqual(sw.mixture, B);
    assert.equal(sw.changed, true);
    // The other way round a poorly known challenger does not unseat a well-known incumbent:
    // A ~ N(-0.5, 0.9) against B: P(A < E[B]) = Phi(0.698 / 0.949) = 0.77 < 0.9.
    const stay = stableRecommendation({ ...input(-5, 0.2, B), againstMean: true });
    assert.deepEqual(stay.mixture, B);
    // inflate c: P(better) = Phi(diff / sqrt(c v)), and the reported sd is sqrt(c) times larger.
    const c = 4;
    const inf = stableRecommendation({ ...input(5, 0.2, A), inflate: c });
    assert.ok(Math.abs(inf.pBetter! - normCdf((mA - mB) / Math.sqrt(c * (0.9 + 1 / 101)))) < 1e-9);
    assert.ok(Math.abs(inf.sd - 2 * kept.sd) < 1e-12, `sd ${inf.sd} vs ${kept.sd}`);
  });

  it('P(best) matches the closed form for two independent candidates', () => {
    const c = stableRecommendation({ ...base(1.0, 0.8), pSwitch: 0.9, samples: 20000 });
    // B best with probability P(B < A) = Phi(0.1); Monte Carlo with 20,000 draws: sd 0.0035.
    assert.ok(Math.abs((c.pBest ?? 0) - normCdf(0.1)) < 0.015, `pBest ${c.pBest}`);
  });

  it('an unobserved searched point is taken only when confidently better than every observed one', () => {
    // The searched point [0.5, 0.5] is far from both data (lengthscale 0.01): prior mean 0,
    // sd 1. It beats B (mean 0.4) in mean, but 0 + 1 > 0.4: not confidently, so B stays.
    const c = stableRecommendation({
      ...base(1.0, 0.8),
      searched: { w: [0.5, 0.5] },
      pSwitch: 0.9,
    });
    assert.deepEqual(c.mixture, B);
    // With both observed means high (1.5 and 1.25), 0 + 1 < 1.25: the searched point wins.
    const d = stableRecommendation({
      ...base(3.0, 2.5),
      searched: { w: [0.5, 0.5] },
      pSwitch: 0.9,
    });
    assert.deepEqual(d.mixture, [0.5, 0.5]);
  });
});

describe('stable recommendation risk', () => {
  it('ranks challengers by mean + risk * sd (closed form)', () => {
    // A = [1, 0] observed once at 0.7: mean 0.35, variance 0.5. B = [0, 1] observed four
    // times at 0.9: mean 4 * 0.9 / 5 = 0.72, variance 1 / 5.
    const X = Float64Array.from([1, 0, 0, 1, 0, 1, 0, 1, 0, 1]);
    const gp = conditionGP(
      X,
      [0.7, 0.9, 0.9, 0.9, 0.9],
      2,
      { kernel: { kind: 'rbf', dims: [0, 1] }, mean: 'zero', standardize: false },
      {
        lengthscales: [{ kind: 'rbf', dims: [0, 1], values: [0.01] }],
        outputScale: 1,
        noise: 1,
        mean: [],
      },
    );
    const input = {
      gp,
      xStar: (w: ArrayLike<number>) => Array.from(w),
      observed: [A, B],
      rng: new Rng(2),
      pSwitch: 0.9,
    };
    const mean = stableRecommendation(input);
    assert.deepEqual(mean.mixture, A);
    assert.ok(Math.abs(mean.mean - 0.35) < 1e-9 && Math.abs(mean.sd - Math.sqrt(0.5)) < 1e-9);
    // risk 3: A 0.35 + 3 * 0.707 = 2.47 > B 0.72 + 3 * 0.447 = 2.06.
    const cautious = stableRecommendation({ ...input, risk: 3 });
    assert.deepEqual(cautious.mixture, B);
    assert.ok(Math.abs(cautious.sd - Math.sqrt(0.2)) < 1e-9);
  });
});

describe('stable recommendation anchor', () => {
  it('the anchor is the incumbent until another mixture is better with probability pSwitch', () => {
    // Anchor [0.5, 0.5] is unobserved (lengthscale 0.01): prior mean 0, variance 1. A and B both
    // observed at -1: posterior mean -0.5, variance 0.5; P(B < anchor) = Phi(0.5 / sqrt(1.5)) = 0.66.
    const keep = stableRecommendation({ ...base(-1, -1), anchor: [0.5, 0.5], pSwitch: 0.9 });
    assert.deepEqual(keep.mixture, [0.5, 0.5]);
    assert.ok(Math.abs((keep.pBetter ?? 0) - normCdf(0.5 / Math.sqrt(1.5))) < 1e-9);
    // B observed at -6: mean -3, P = Phi(3 / sqrt(1.5)) = 0.993: B replaces the anchor.
    const sw = stableRecommendation({ ...base(-1, -6), anchor: [0.5, 0.5], pSwitch: 0.9 });
    assert.deepEqual(sw.mixture, B);
    // An incumbent takes precedence over the anchor.
    const inc = stableRecommendation({
      ...base(-1, -1),
      anchor: [0.5, 0.5],
      incumbent: A,
      pSwitch: 0.9,
    });
    assert.deepEqual(inc.mixture, A);
  });
});

describe('mfms-bo stable recommendation', () => {
  const space = synthSpace();
  const ctx = (settings: Record<string, unknown> = {}) => ({ space, seed: 3, settings });

  it('never ranks raw values from different fidelities: a poor mixture trained longer at 1B does not win', () => {
    const good = [
      [0.2, 0.5, 0.3],
      [0.3, 0.4, 0.3],
      [0.25, 0.45, 0.3],
      [0.15, 0.55, 0.3],
    ];
    const poor = [0.9, 0.05, 0.05];
    const runs = [];
    let i = 0;
    for (const w of [...good, [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.4, 0.2, 0.4], poor]) {
      for (const s of ['S', 'M']) runs.push(makeRun(space, `r${i++}`, w, s, 2000));
    }
    // The poor mixture at the target scale, partially trained: its raw loss is the lowest of all.
    const big = makeRun(space, 'big', poor, 'L', 12000);
    runs.push(big);
    const minOther = Math.min(
      ...runs.filter((r) => r.id !== 'big').map((r) => r.curve.at(-1)!.value),
    );
    assert.ok(big.curve.at(-1)!.value < minOther, 'the 1B partial run has the best raw value');
    assert.ok(synthLoss(poor, 'L', 19700) > synthLoss(good[0]!, 'L', 19700) + 0.5);
    const h: History = { runs, spent: 0 };
    // best-raw falls for it (this is what the stable rule is for)...
    assert.deepEqual(
      createOptimizer('mfms-bo', ctx({ recommend: 'best-raw' })).recommend(h)?.mixture,
      poor,
    );
    // ...the stable rule does not: it picks a good observed mixture, and reports its
    // prediction, interval and P(best).
    const rec = createOptimizer('mfms-bo', ctx({ recommend: 'stable' })).recommend(h)!;
    assert.notDeepEqual(rec.mixture, poor);
    assert.ok(
      good.some((w) => w.every((x, j) => x === rec.mixture[j])),
      `${rec.mixture}`,
    );
    assert.ok(rec.predicted !== undefined && rec.predicted.lower < rec.predicted.upper);
    assert.ok(rec.pBest !== undefined && rec.pBest > 0 && rec.pBest <= 1);
    // Nor does the default (no target run has completed: the predicted best at the target,
    // which may be the model's own argmin), with the same outputs.
    const def = createOptimizer('mfms-bo', ctx()).recommend(h)!;
    assert.ok(
      synthLoss(def.mixture, 'L', 19700) < synthLoss(good[1]!, 'L', 19700),
      `${def.mixture}`,
    );
    assert.ok(def.predicted !== undefined && def.predicted.lower < def.predicted.upper);
    assert.ok(def.pBest !== undefined && def.pBest > 0 && def.pBest <= 1);
  });

  it('is deterministic, independent of when it is asked, and survives save/load of the state', () => {
    const loop = (ask: boolean) => {
      const opt = createOptimizer('mfms-bo', ctx({ initial: 6 })) as Optimizer & SurrogateView;
      const runs: History['runs'][number][] = [];
      const proposals: Proposal[] = [];
      const recs: string[] = [];
      for (let i = 0; i < 10; i++) {
        const h: History = { runs: [...runs], spent: 0 };
        if (ask) recs.push(JSON.stringify(opt.recommend(h)?.mixture));
        const [p] = opt.propose(h, 1);
        proposals.push(p!);
        runs.push(makeRun(space, `r${i}`, p!.mixture, p!.scale, p!.steps));
      }
      const h: History = { runs, spent: 0 };
      const final = opt.recommend(h);
      // A new process restoring the state recommends the same mixture.
      const again = createOptimizer('mfms-bo', ctx({ initial: 6 }));
      again.loadState?.(JSON.parse(JSON.stringify(opt.saveState?.())));
      assert.deepEqual(again.recommend(h)?.mixture, final?.mixture);
      return { proposals, final: final?.mixture };
    };
    const a = loop(true);
    const b = loop(false);
    assert.deepEqual(a.proposals, b.proposals);
    assert.deepEqual(a.final, b.final);
  });

  it('models log loss: no negative loss is predicted far from the data', () => {
    const runs = [];
    let i = 0;
    for (const w of [
      [0.2, 0.5, 0.3],
      [0.6, 0.3, 0.1],
      [0.1, 0.1, 0.8],
      [0.4, 0.2, 0.4],
      [0.3, 0.3, 0.4],
    ]) {
      runs.push(makeRun(space, `r${i++}`, w, 'S', 3000));
    }
    const opt = createOptimizer('mfms-bo', ctx({ initial: 5 })) as Optimizer & SurrogateView;
    const preds = opt.predictAt(
      { runs, spent: 0 },
      [
        [1, 0, 0],
        [0, 0, 1],
      ],
      {
        scale: 'L',
        steps: 19700,
      },
    );
    assert.equal(preds.length, 2);
    for (const p of preds) assert.ok(p.lower > 0 && p.mean > 0, JSON.stringify(p));
  });
});

describe('mfms-bo near-duplicate runs', () => {
  const space = synthSpace();
  const l1 = (a: readonly number[], b: readonly number[]) =>
    a.reduce((acc, v, j) => acc + Math.abs(v - b[j]!), 0);

  for (const minDistance of [0.05, 0.2]) {
    it(`never proposes a new run within L1 ${minDistance} of a run at the same scale with as many steps`, () => {
      const opt = createOptimizer('mfms-bo', {
        space,
        seed: 8,
        settings: { initial: 6, minDistance },
      });
      // 800 units: room for the default's verification runs at the target (197 each) and
      // enough other proposals to test the rule on (verification runs obey it too).
      const { proposals } = simulate(space, opt, 800, 30);
      assert.ok(proposals.length >= 15, `${proposals.length}`);
      proposals.forEach((p, i) => {
        if (p.continues !== undefined || i < 6) return;
        for (const q of proposals.slice(0, i)) {
          if (q.scale !== p.scale || q.steps < p.steps) continue;
          assert.ok(
            l1(p.mixture, q.mixture) > minDistance,
            `proposal ${i} repeats ${JSON.stringify(q)}`,
          );
        }
      });
    });
  }
});
