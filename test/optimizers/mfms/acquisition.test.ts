import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type History, Rng, type RunRecord } from '../../../src/core/index.ts';
import { fidelityGrid, sampleMixture } from '../../../src/optimizers/index.ts';
import {
  candidateMixtures,
  costExponentAt,
  earlyCap,
  explorationProposal,
  fullTargetRuns,
  laterRaceProposal,
  probeProposal,
  raceRound,
  scaleSharePairs,
  spreadCandidates,
  targetScores,
  targetSharePairs,
  uniformControl,
  verificationProposal,
  verificationStarted,
} from '../../../src/optimizers/mfms/acquisition.ts';
import { createMfmsPolicy } from '../../../src/optimizers/mfms/recommendation.ts';
import { MfmsSettingsSchema } from '../../../src/optimizers/mfms/settings.ts';
import { createMfmsSurrogate, rmsMixtureDistance } from '../../../src/optimizers/mfms/surrogate.ts';
import { toySpace } from '../toy-space.ts';
import { history as synthHistory, space as synthSpace } from './histories.ts';
import { normCdf, onePointGp } from './one-point-gp.ts';

const normPdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
/** log EI for minimisation: log((best - mu) Phi(u) + s phi(u)), u = (best - mu) / s. */
const logEi = (mu: number, s: number, best: number) => {
  const u = (best - mu) / s;
  return Math.log((best - mu) * normCdf(u) + s * normPdf(u));
};

// A GP with one observation (one-point-gp.ts: closed-form posterior mean and covariance).
const _d = 5;
const v = 0.1;
const { gp, hyper, ...post } = onePointGp({
  s: 2,
  l: 0.8,
  v,
  x0: [0.2, 0.3, 0.5, 0.4, 0.6],
  y0: -1.5,
});

describe('mfms acquisition: targetScores', () => {
  const xStar = [0.3, 0.3, 0.4, 1, 1];
  const xs = [[0.3, 0.3, 0.4, 0.2, 0.5], [0.3, 0.3, 0.4, 0.6, 0.1], xStar];
  const costs = [0.5, 2, 8];
  const nu = [0.05, 0.2, 0.01];
  const muBest = -0.9;
  const alpha = 0.7;

  it('equals log EI(mu(x*), |C(x, x*)| / sqrt(C(x, x) + nu), mu_best) - alpha log c (hand-computed posterior)', () => {
    const got = targetScores(gp, xStar, xs, costs, muBest, alpha, nu);
    assert.equal(got.length, 3);
    xs.forEach((x, j) => {
      const sdTilde = Math.abs(post.C(x, xStar)) / Math.sqrt(post.C(x, x) + nu[j]!);
      const want = logEi(post.mu(xStar), sdTilde, muBest) - alpha * Math.log(costs[j]!);
      assert.ok(Math.abs(got[j]! - want) < 1e-9, `score ${j}: ${got[j]} vs ${want}`);
    });
  });

  it('at the target itself is plain EI with sigma^2 / sqrt(sigma^2 + nu), and each cost doubling costs alpha log 2', () => {
    const [a1, a2] = targetScores(gp, xStar, [xStar, xStar], [1, 2], muBest, alpha, [0.3, 0.3]);
    const v2 = post.C(xStar, xStar);
    assert.ok(Math.abs(a1! - logEi(post.mu(xStar), v2 / Math.sqrt(v2 + 0.3), muBest)) < 1e-9);
    assert.ok(Math.abs(a1! - a2! - alpha * Math.log(2)) < 1e-12);
  });

  it('a noisier observation is worth less', () => {
    const [quiet, noisy] = targetScores(gp, xStar, [xs[0]!, xs[0]!], [1, 1], muBest, 0, [0, 1]);
    assert.ok(quiet! > noisy!, `${quiet} > ${noisy}`);
  });
});

describe('mfms acquisition: the cost exponent and the target-share filter', () => {
  const s0 = { alphaSchedule: 'budget' as const, alpha0: 0.8, decay: 0.99, initial: 20 };

  it("'budget': alpha0 (1 - spent / budget), never below 0; without a budget the paper's decay", () => {
    assert.equal(costExponentAt(s0, { budget: 1200, spent: 300 }, 40), 0.8 * 0.75);
    assert.equal(costExponentAt(s0, { budget: 100, spent: 150 }, 40), 0);
    assert.ok(Math.abs(costExponentAt(s0, { spent: 300 }, 25) - 0.8 * 0.99 ** 5) < 1e-15);
    const it = { ...s0, alphaSchedule: 'iterations' as const };
    assert.ok(
      Math.abs(costExponentAt(it, { budget: 1200, spent: 300 }, 23) - 0.8 * 0.99 ** 3) < 1e-15,
    );
    // Before the end of the initial design t counts from 0.
    assert.equal(costExponentAt(it, { spent: 0 }, 3), 0.8);
  });

  const space = toySpace();
  const pairs = fidelityGrid(space, { steps: [500, 1000] });
  const run = (id: string, scale: string, cost: number): RunRecord => ({
    id,
    mixture: [1 / 3, 1 / 3, 1 / 3],
    scale,
    steps: 500,
    curve: [],
    state: 'completed',
    cost,
  });

  it('keeps only target-size pairs while the target share of the spend is below minTargetShare', () => {
    const h: History = { runs: [run('a', 'S', 3), run('b', 'L', 1)], spent: 4 };
    const low = targetSharePairs(h, pairs, 0.5, 'L');
    assert.equal(low.onlyTarget, true);
    assert.deepEqual(
      low.pairs.map((p) => `${p.scale}@${p.steps}`),
      ['L@500', 'L@1000'],
    );
    // 1 of 4 spent at the target: a share of 0.25 is met.
    assert.equal(targetSharePairs(h, pairs, 0.25, 'L').onlyTarget, false);
    assert.equal(targetSharePairs(h, pairs, 0, 'L').pairs, pairs);
    assert.equal(targetSharePairs({ runs: [], spent: 0 }, pairs, 0.9, 'L').onlyTarget, false);
  });

  it('drops a non-target size that took more than maxScaleShare of the spend, once a target run is spent', () => {
    const h: History = { runs: [run('a', 'S', 6), run('c', 'L', 4)], spent: 10 };
    const names = (ps: readonly { scale: string; steps: number }[]) =>
      [...new Set(ps.map((p) => p.scale))].join(',');
    // S took 6 of 10: over a share of 0.5, within 0.7; the target is never dropped.
    assert.equal(names(scaleSharePairs(h, pairs, 0.5, 'L', 10)), 'L');
    assert.equal(names(scaleSharePairs(h, pairs, 0.7, 'L', 10)), 'S,L');
    // Below one target run's cost spent, or with no cap: every pair.
    assert.equal(scaleSharePairs(h, pairs, 0.5, 'L', 10.5), pairs);
    assert.equal(scaleSharePairs(h, pairs, 1, 'L', 10), pairs);
    // Nothing left (only S pairs, over the cap): the pairs unchanged.
    const small = pairs.filter((p) => p.scale === 'S');
    assert.equal(scaleSharePairs(h, small, 0.5, 'L', 10), small);
  });
});

describe('mfms acquisition: the verification run (verify)', () => {
  // Target L@1000 costs 10; L@500 costs 5. Radius 0.1 (L2).
  const space = toySpace();
  const w = [0.6, 0.3, 0.1];
  const run = (
    id: string,
    mixture: number[],
    scale: string,
    steps: number,
    state: RunRecord['state'] = 'completed',
  ): RunRecord => ({ id, mixture, scale, steps, curve: [], state, cost: 0 });
  const h = (...runs: RunRecord[]): History => ({ runs, spent: 0 });
  const verify = (hist: History, left = 100) => verificationProposal(hist, space, w, left, 0.1);

  it('proposes the recommended mixture at the target when no target run is near it', () => {
    // Small runs of w and a target run far from it (L2 0.57) do not count.
    const far = run('f', [0.2, 0.2, 0.6], 'L', 1000);
    assert.deepEqual(verify(h(run('a', w, 'S', 1000), far)), {
      mixture: w,
      scale: 'L',
      steps: 1000,
    });
    // Not affordable: nothing.
    assert.equal(verify(h(far), 9.99), undefined);
  });

  it('continues the longest completed partial target run near it, else starts one', () => {
    const near = [0.62, 0.3, 0.08]; // L2 0.028
    const p = verify(h(run('p1', near, 'L', 300), run('p2', near, 'L', 500)));
    assert.deepEqual(p, { mixture: near, scale: 'L', steps: 1000, continues: 'p2' });
    // The continuation costs 10 - 5 = 5: affordable with 5 left, a new run (10) is not.
    assert.deepEqual(verify(h(run('p2', near, 'L', 500)), 5)?.continues, 'p2');
    assert.equal(verify(h(run('p2', near, 'L', 500)), 4.9), undefined);
  });

  it('nothing when a target run near it reaches the target steps: completed, pending or failed', () => {
    const near = [0.6, 0.25, 0.15]; // L2 0.071
    for (const state of ['completed', 'running', 'failed'] as const) {
      assert.equal(verify(h(run('t', near, 'L', 1000, state))), undefined, state);
    }
    // Just outside the radius it does not count.
    const out = [0.6, 0.22, 0.18]; // L2 0.113
    assert.equal(verify(h(run('t', out, 'L', 1000)))?.scale, 'L');
  });

  it('nothing when an earlier proposal of the same batch, or a run within minDistance (L1), covers it', () => {
    const near = [0.6, 0.25, 0.15]; // L2 0.071, L1 0.1
    const batch = [{ mixture: near, scale: 'L', steps: 1000 }];
    assert.equal(verificationProposal(h(), space, w, 100, 0.1, batch), undefined);
    // A batch proposal at fewer steps or another size does not cover it.
    for (const b of [
      { mixture: near, scale: 'L', steps: 500 },
      { mixture: near, scale: 'S', steps: 1000 },
    ]) {
      assert.deepEqual(verificationProposal(h(), space, w, 100, 0.1, [b]), {
        mixture: w,
        scale: 'L',
        steps: 1000,
      });
    }
    // L2 0.113 is outside the radius, L1 0.16 inside minDistance 0.2 (not inside 0.15).
    const out = run('t', [0.6, 0.22, 0.18], 'L', 1000);
    assert.equal(verificationProposal(h(out), space, w, 100, 0.1, [], 0.2), undefined);
    assert.equal(verificationProposal(h(out), space, w, 100, 0.1, [], 0.15)?.scale, 'L');
  });

  it('verificationStarted: once verifyFrom of the budget is spent; always without a budget', () => {
    assert.equal(verificationStarted({ spent: 0, budget: 100 }, 0), true);
    assert.equal(verificationStarted({ spent: 24.9, budget: 100 }, 0.25), false);
    assert.equal(verificationStarted({ spent: 25, budget: 100 }, 0.25), true);
    assert.equal(verificationStarted({ spent: 0 }, 0.5), true);
  });

  it('earlyCap: before verification starts, pairs within earlyCostCap target runs and the budget left capped there', () => {
    // The target L@1000 costs 10; pairs S@500 (0.5), S@1000 (1), L@200 (2), L@500 (5), L@1000 (10).
    const pairs = [
      { scale: 'S', steps: 500, cost: 0.5 },
      { scale: 'S', steps: 1000, cost: 1 },
      { scale: 'L', steps: 200, cost: 2 },
      { scale: 'L', steps: 500, cost: 5 },
      { scale: 'L', steps: 1000, cost: 10 },
    ];
    const s = { verify: true, verifyFrom: 0.25, earlyCostCap: 0.25 };
    const before = earlyCap({ spent: 20, budget: 100 }, space, s, pairs, 80);
    assert.deepEqual(
      before?.pairs.map((p) => `${p.scale}@${p.steps}`),
      ['S@500', 'S@1000', 'L@200'],
    );
    assert.equal(before?.left, 2.5);
    // The budget left is never raised by the cap.
    assert.equal(earlyCap({ spent: 20, budget: 100 }, space, s, pairs, 1.5)?.left, 1.5);
    // Nothing fits: the cheapest pair alone, and the budget left lets it run.
    const tight = earlyCap(
      { spent: 0, budget: 100 },
      space,
      { ...s, earlyCostCap: 0.01 },
      pairs,
      80,
    );
    assert.deepEqual(tight, { pairs: [pairs[0]], left: 0.5 });
    // Once verification has started, without verify, or with no cap: nothing applies.
    assert.equal(earlyCap({ spent: 25, budget: 100 }, space, s, pairs, 75), undefined);
    assert.equal(
      earlyCap({ spent: 0, budget: 100 }, space, { ...s, verify: false }, pairs, 80),
      undefined,
    );
    assert.equal(
      earlyCap({ spent: 0, budget: 100 }, space, { ...s, earlyCostCap: 1 }, pairs, 80),
      undefined,
    );
    assert.equal(earlyCap({ spent: 0 }, space, s, pairs, Number.POSITIVE_INFINITY), undefined);
  });

  it('fullTargetRuns counts target-size runs that reach the target steps, in any state (verifyRuns)', () => {
    const runs = h(
      run('a', w, 'L', 1000),
      run('b', w, 'L', 900),
      run('c', w, 'S', 1000),
      run('d', w, 'L', 1000, 'failed'),
      run('e', w, 'L', 1000, 'running'),
    );
    assert.equal(fullTargetRuns(runs, space), 3);
    assert.equal(fullTargetRuns(h(), space), 0);
  });
});

describe('mfms acquisition: target-size probes before the first verification (probes)', () => {
  // Target L@1000 costs 10, a probe L@300 costs 3. The posterior mean at the target is smallest
  // at A = [0.2, 0.3, 0.5] and grows with the L2 distance from it (one observation at A, y < 0).
  const space = toySpace();
  const { gp: g, mu } = onePointGp({ s: 1, l: 0.3, v: 0.01, x0: [0.2, 0.3, 0.5, 1, 1], y0: -1 });
  const xStar = (w: ArrayLike<number>) => [...Array.from(w), 1, 1];
  const A = [0.2, 0.3, 0.5];
  const B = [0.22, 0.3, 0.48]; // L2 0.028 from A: inside the spread, never probed beside A
  const C = [0.5, 0.2, 0.3]; // L2 0.374 from A
  const D = [0.1, 0.2, 0.7]; // L2 0.245 from A, 0.566 from C
  const E = [0.9, 0.05, 0.05]; // the worst
  const pool = [E, C, B, D, A];
  const run = (
    id: string,
    mixture: number[],
    steps: number,
    value?: number,
    state: RunRecord['state'] = 'completed',
  ): RunRecord => ({
    id,
    mixture,
    scale: 'L',
    steps,
    curve: value === undefined ? [] : [{ step: steps, value }],
    state,
    cost: 0,
  });
  const h = (...runs: RunRecord[]): History => ({ runs, spent: 0 });
  const opts = {
    probes: 3,
    zp: 300,
    left: 100,
    radius: 0.05,
    spread: 0.2,
    optimist: 0,
    explore: false,
    control: undefined as readonly number[] | undefined,
  };
  const probe = (hist: History, o: Partial<typeof opts> & { batch?: RunRecord[] } = {}) =>
    probeProposal(hist, space, g, xStar, pool, { ...opts, ...o });

  it('the ranking the test relies on: mean at the target increases A < B < D < C < E', () => {
    const means = [A, B, D, C, E].map((w) => mu(xStar(w)));
    for (let j = 1; j < means.length; j++) assert.ok(means[j - 1]! < means[j]!, `${j}`);
  });

  it('probes the best-predicted mixtures, spread apart, one at a time: A, then D, then C', () => {
    assert.deepEqual(probe(h()), { mixture: A, scale: 'L', steps: 300 });
    // A probe near A (L2 0.028 < radius) counts for A; a small-scale run of D does not count.
    const small: RunRecord = { ...run('s', D, 1000), scale: 'S' };
    assert.deepEqual(probe(h(run('a', B, 300), small))?.mixture, D);
    assert.deepEqual(
      probe(h(run('a', A, 300), run('d', D, 300, undefined, 'running')))?.mixture,
      C,
    );
    // A spread so wide that only A qualifies: one probe candidate, and two more slots are unused.
    assert.equal(probe(h(run('a', A, 300)), { spread: 1.5 }), undefined);
  });

  it('probeOptimism: the last probe goes to the smallest mean - k sd (E, far from the data), not the next mean (C)', () => {
    const { C: cov } = onePointGp({ s: 1, l: 0.3, v: 0.01, x0: [0.2, 0.3, 0.5, 1, 1], y0: -1 });
    // k = 20: E's larger sd outweighs C's smaller mean (k = 2 would still pick C).
    const lcb = (w: number[], k = 20) => mu(xStar(w)) - k * Math.sqrt(cov(xStar(w), xStar(w)));
    assert.ok(lcb(C, 2) < lcb(E, 2));
    assert.ok(lcb(E) < lcb(C) && lcb(E) < lcb(A), `${lcb(E)} ${lcb(C)} ${lcb(A)}`);
    const two = h(run('a', A, 300), run('d', D, 300));
    assert.deepEqual(probe(two, { optimist: 20 })?.mixture, E);
    assert.deepEqual(probe(two, { optimist: 2 })?.mixture, C);
    assert.deepEqual(probe(two)?.mixture, C);
    // The first two slots still go by the mean.
    assert.deepEqual(probe(h(), { optimist: 20 })?.mixture, A);
    assert.deepEqual(probe(h(run('a', A, 300)), { optimist: 20 })?.mixture, D);
  });

  it('probeExplore: the last probe goes to the pool mixture farthest from the other probes and the target-size runs (E)', () => {
    // Smallest L2 distance to {A, D}: E 0.869, C 0.374, B 0.028 (A and D themselves 0).
    const two = h(run('a', A, 300), run('d', D, 300));
    assert.deepEqual(probe(two, { explore: true })?.mixture, E);
    assert.deepEqual(probe(two)?.mixture, C);
    // The first two slots still go by the mean: A, then D.
    assert.deepEqual(probe(h(), { explore: true })?.mixture, A);
    assert.deepEqual(probe(h(run('a', A, 300)), { explore: true })?.mixture, D);
    // A shorter target-size run at E counts as seen: C (0.374 away) is then the farthest.
    const seenE = h(run('a', A, 300), run('d', D, 300), run('e', E, 200));
    assert.deepEqual(probe(seenE, { explore: true })?.mixture, C);
    // No pool mixture farther than the spread from what was seen: no third probe. F is 0.141
    // from A (outside the probe radius, inside the spread of 0.2).
    const F = [0.3, 0.3, 0.4];
    const near = [A, F, D];
    assert.equal(probeProposal(two, space, g, xStar, near, { ...opts, explore: true }), undefined);
  });

  it('probeUniform: the last probe goes to the uniform mixture as a control, unless a model probe is near it', () => {
    const U = [1 / 3, 1 / 3, 1 / 3]; // L2 0.216 from A, 0.454 from D
    const two = h(run('a', A, 300), run('d', D, 300));
    assert.deepEqual(probe(two, { control: U })?.mixture, U);
    assert.deepEqual(probe(h(), { control: U })?.mixture, A);
    // A spread of 0.25: the model's two probes are A and C, and A is within 0.25 of U, so the
    // last slot goes by the mean (D and B are within 0.25 of A): E.
    const ac = h(run('a', A, 300), run('c', C, 300));
    assert.deepEqual(probe(ac, { control: U, spread: 0.25 })?.mixture, E);
    // The control overrides the exploring probe.
    assert.deepEqual(probe(two, { control: U, explore: true })?.mixture, U);
  });

  it('uniformControl: the uniform mixture, projected into the bounds, or the nearest listed candidate', () => {
    const u = uniformControl(space);
    assert.deepEqual(u, [1 / 3, 1 / 3, 1 / 3]);
    const bounded = uniformControl(
      toySpace({
        bounds: [
          { min: 0.5, max: 1 },
          { min: 0, max: 1 },
          { min: 0, max: 1 },
        ],
      }),
    );
    assert.ok(Math.abs(bounded[0]! - 0.5) < 1e-12 && Math.abs(bounded[1]! - 0.25) < 1e-12);
    const listed = uniformControl(toySpace({ candidates: [E, D, C, [0.3, 0.4, 0.3]] }));
    assert.deepEqual(listed, [0.3, 0.4, 0.3]);
  });

  it('raceRound: round k starts at verifyFrom + (k - 1)(1 - verifyFrom) / probeRounds of the budget', () => {
    const s2 = { probeRounds: 2, verifyFrom: 0.25 };
    assert.equal(raceRound({ spent: 62.4, budget: 100 }, s2), 1);
    assert.equal(raceRound({ spent: 62.5, budget: 100 }, s2), 2);
    assert.equal(raceRound({ spent: 62.5, budget: 100 }, { ...s2, probeRounds: 3 }), 2); // 0.5
    assert.equal(raceRound({ spent: 74.9, budget: 100 }, { ...s2, probeRounds: 3 }), 2);
    assert.equal(raceRound({ spent: 75, budget: 100 }, { ...s2, probeRounds: 3 }), 3);
    assert.equal(raceRound({ spent: 99 }, s2), 1);
    assert.equal(raceRound({ spent: 99, budget: 100 }, { ...s2, probeRounds: 1 }), 1);
  });

  it('a later race: probes new mixtures, then continues its best only when it beats every earlier probe', () => {
    // Round 1 (2 probes): A 2.5 and D 2.4, D continued to the target. F is the best-predicted
    // mixture away from every target-size run (A and B are near A's probe, D has its own), E the next.
    const F = [0.35, 0.45, 0.2];
    const racePool = [E, F, A, B, D];
    const cont: RunRecord = { ...run('dc', D, 1000, 2.0), parent: 'd' };
    const r1 = [run('a', A, 300, 2.5), run('d', D, 300, 2.4), cont];
    const race = (hist: History, o: { batch?: RunRecord[]; left?: number } = {}) =>
      laterRaceProposal(hist, space, g, xStar, racePool, { ...opts, probes: 2, round: 2, ...o });
    assert.ok(mu(xStar(F)) < mu(xStar(E)));
    assert.deepEqual(race(h(...r1)), { mixture: F, scale: 'L', steps: 300 });
    assert.deepEqual(race(h(...r1, run('f', F, 300, undefined, 'running')))?.mixture, E);
    assert.equal(
      race(h(...r1, run('f', F, 300, undefined, 'running'), run('e', E, 300, 2.6))),
      null,
    );
    // F measured 2.3 < 2.4 (the best earlier probe): continued; 2.45 is not better: no continuation.
    const won = h(...r1, run('f', F, 300, 2.3), run('e', E, 300, 2.6));
    assert.deepEqual(race(won), { mixture: F, scale: 'L', steps: 1000, continues: 'f' });
    assert.equal(race(won, { left: 6.9 }), undefined);
    assert.equal(race(h(...r1, run('f', F, 300, 2.45), run('e', E, 300, 2.6))), undefined);
    // Already continued: the round is over.
    const done = h(...r1, run('f', F, 300, 2.3), run('e', E, 300, 2.6), {
      ...run('fc', F, 1000, 2.1),
      parent: 'f',
    });
    assert.equal(race(done), undefined);
  });

  it('once every probe completed, continues the one with the best observed value to the target', () => {
    const done = h(run('a', A, 300, 2.5), run('d', D, 300, 2.4), run('c', C, 300, 2.6));
    assert.deepEqual(probe(done), { mixture: D, scale: 'L', steps: 1000, continues: 'd' });
    // Maximised metric: the largest value wins.
    const up = toySpace({ metric: { name: 'acc', direction: 'maximize' } });
    assert.equal(probeProposal(done, up, g, xStar, pool, opts)?.continues, 'c');
    // A failed probe is passed over; the continuation (10 - 3 = 7) must be affordable.
    const withFailed = h(
      run('a', A, 300, 2.5),
      run('d', D, 300, 2.4, 'failed'),
      run('c', C, 300, 2.6),
    );
    assert.equal(probe(withFailed)?.continues, 'a');
    assert.equal(probe(done, { left: 7 })?.continues, 'd');
    assert.equal(probe(done, { left: 6.9 }), undefined);
  });

  it('null (no verification yet) while a probe runs or is in the same batch', () => {
    const running = h(
      run('a', A, 300, 2.5),
      run('d', D, 300, 2.4),
      run('c', C, 300, undefined, 'running'),
    );
    assert.equal(probe(running), null);
    const twoDone = h(run('a', A, 300, 2.5), run('d', D, 300, 2.4));
    assert.equal(probe(twoDone, { batch: [run('c', C, 300)] }), null);
  });

  it('over once a target-size run reaches the target steps, or when a probe is not affordable', () => {
    assert.equal(probe(h(run('t', E, 1000, 2.7, 'running'))), undefined);
    assert.equal(probe(h(), { left: 2.9 }), undefined);
    assert.deepEqual(probe(h(), { left: 3 })?.mixture, A);
  });
});

describe('mfms acquisition: exploration when nothing scores (step 4)', () => {
  const failed = (mixture: number[], scale: string, steps: number): RunRecord => ({
    id: `f${scale}${steps}${mixture.join()}`,
    mixture,
    scale,
    steps,
    curve: [],
    state: 'failed',
    cost: 0,
  });
  const l1 = (a: readonly number[], b: readonly number[]) =>
    a.reduce((acc, v, j) => acc + Math.abs(v - b[j]!), 0);
  const failedBefore = (h: History, w: readonly number[], scale: string, z: number) =>
    h.runs.some(
      (r) => r.state === 'failed' && r.scale === scale && r.steps === z && l1(r.mixture, w) < 1e-9,
    );
  const A = [0.5, 0.5, 0];
  const B = [0.2, 0.3, 0.5];
  const listed = toySpace({ candidates: [A, B] });
  // L@1000 (10) and L@500 (5) are the most expensive pairs; S@1000 costs 1.
  const pairs = fidelityGrid(listed, { steps: [500, 1000] });
  const h = (...runs: RunRecord[]): History => ({ runs, spent: 0 });

  it('a continuous simplex: the first draw at the most expensive pair (as before failures were skipped)', () => {
    const space = toySpace();
    const rng = new Rng(5);
    const want = sampleMixture(new Rng(5).fork('explore'), space);
    assert.deepEqual(explorationProposal(h(), space, pairs, rng, failedBefore), {
      mixture: want,
      scale: 'L',
      steps: 1000,
    });
  });

  it('listed mixtures: skips one that failed at the pair, then goes down a pair when all failed there', () => {
    const rng = new Rng(1);
    const first = sampleMixture(new Rng(1).fork('explore'), listed);
    const other = l1(first, A) < 1e-9 ? B : A;
    const once = explorationProposal(h(failed(first, 'L', 1000)), listed, pairs, rng, failedBefore);
    assert.deepEqual(once, { mixture: other, scale: 'L', steps: 1000 });
    const both = h(failed(A, 'L', 1000), failed(B, 'L', 1000));
    assert.deepEqual(explorationProposal(both, listed, pairs, rng, failedBefore), {
      mixture: first,
      scale: 'L',
      steps: 500,
    });
    // Everything failed everywhere: the first draw at the most expensive pair (the caller's
    // failure count then ends the job).
    const all = h(
      ...pairs.flatMap((p) => [failed(A, p.scale, p.steps), failed(B, p.scale, p.steps)]),
    );
    assert.deepEqual(explorationProposal(all, listed, pairs, rng, failedBefore), {
      mixture: first,
      scale: 'L',
      steps: 1000,
    });
  });
});

describe('mfms acquisition: failed runs', () => {
  it('never proposes again a run (mixture, size, steps) that failed; the study goes on', async () => {
    const { createOptimizer } = await import('../../../src/optimizers/index.ts');
    const { history, space } = await import('./histories.ts');
    const opt = createOptimizer('mfms-bo', { space, seed: 3, settings: { initial: 5 } });
    const h = history(12);
    const runs: RunRecord[] = [...h.runs];
    const failed: { mixture: number[]; scale: string; steps: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const [p] = opt.propose({ runs: [...runs], spent: h.spent }, 1);
      assert.ok(p !== undefined);
      for (const f of failed) {
        const same =
          f.scale === p.scale &&
          f.steps === p.steps &&
          f.mixture.every((v, j) => Math.abs(v - p.mixture[j]!) < 1e-9);
        assert.ok(!same, `proposal ${i} repeats a run that failed: ${JSON.stringify(p)}`);
      }
      // The run fails (no curve): the next proposal must not ask for it again.
      failed.push({ mixture: [...p.mixture], scale: p.scale, steps: p.steps });
      runs.push({
        id: `f${i}`,
        mixture: [...p.mixture],
        scale: p.scale,
        steps: p.steps,
        curve: [],
        state: 'failed',
        cost: 0,
        ...(p.continues !== undefined ? { parent: p.continues } : {}),
      });
    }
  });
});

describe('mfms acquisition: candidate mixtures (candidateSpread)', () => {
  const local = [
    { w: [0.5, 0.3, 0.2], value: -1 },
    { w: [0.5, 0.3, 0.2005], value: -1.1 }, // within 1e-3 (L1) of the first
    { w: [0.45, 0.35, 0.2], value: -1.2 }, // L2 0.071 from the first
    { w: [0.2, 0.2, 0.6], value: Number.NEGATIVE_INFINITY },
    { w: [0.1, 0.1, 0.8], value: -2 }, // L2 0.75 from the first, 0.74 from the third
    { w: [0.6, 0.2, 0.2], value: -3 }, // L2 0.14 from the first
  ];

  it('without a spread: the best maxima in order, skipping near-repeats and non-finite values', () => {
    assert.deepEqual(spreadCandidates(local, 3, 0), [
      [0.5, 0.3, 0.2],
      [0.45, 0.35, 0.2],
      [0.1, 0.1, 0.8],
    ]);
    assert.deepEqual(spreadCandidates(local, 1, 0), [[0.5, 0.3, 0.2]]);
  });

  it('with a spread: each kept maximum farther than it (L2) from those kept before', () => {
    assert.deepEqual(spreadCandidates(local, 3, 0.1), [
      [0.5, 0.3, 0.2],
      [0.1, 0.1, 0.8],
      [0.6, 0.2, 0.2],
    ]);
    assert.deepEqual(spreadCandidates(local, 3, 0.5), [
      [0.5, 0.3, 0.2],
      [0.1, 0.1, 0.8],
    ]);
    assert.deepEqual(spreadCandidates(local, 3, 1), [[0.5, 0.3, 0.2]]);
  });

  it('through the search: a spread wider than the simplex keeps the best maximum alone, then the incumbent', () => {
    const h = synthHistory(10);
    const candidatesWith = (over: Record<string, unknown>) => {
      const s = MfmsSettingsSchema.parse({ initial: 5, noise: 'fixed', candidates: 3, ...over });
      const surrogate = createMfmsSurrogate(synthSpace, s, 5);
      const policy = createMfmsPolicy(
        synthSpace,
        s,
        surrogate.encoding,
        new Rng(5).fork('mfms'),
        undefined,
      );
      const fit = surrogate.fit(h, false)!;
      const model = policy.model(fit, h, false);
      const got = candidateMixtures(
        fit.gp,
        model,
        new Rng(1),
        synthSpace,
        s,
        surrogate.encoding.xStar,
      );
      return { ei: got.cands.filter((w) => w !== model.wInc), model, got };
    };
    const near = candidatesWith({});
    // Two distinct maxima here, 1.3 apart (L2).
    assert.equal(near.ei.length, 2);
    const apart = Math.hypot(...near.ei[0]!.map((x, i) => x - near.ei[1]![i]!));
    assert.ok(apart > 1 && apart < 4 * rmsMixtureDistance(3), `${apart}`);
    const one = candidatesWith({ candidateSpread: 4 });
    assert.deepEqual(one.ei, [near.ei[0]]);
    assert.deepEqual(one.got.eiW, near.got.eiW);
    // The incumbent (not a kept maximum here) still comes last.
    assert.equal(one.got.cands.length, 2);
    assert.equal(one.got.cands[1], one.model.wInc);
  });
});
