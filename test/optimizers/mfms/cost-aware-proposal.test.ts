import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/core/index.ts';
import { conditionGP } from '../../../src/gp/index.ts';
import {
  affordablePairs,
  costAwareProposal,
  inFlightCap,
} from '../../../src/optimizers/mfms/cost-aware-proposal.ts';
import { toySpace } from '../toy-space.ts';
import { onePointGp } from './one-point-gp.ts';

// The hyper-parameters of a one-point GP (one-point-gp.ts) over d = 5 inputs, noise v.
const d = 5;
const v = 0.1;
const { hyper } = onePointGp({ s: 2, l: 0.8, v, x0: [0.2, 0.3, 0.5, 0.4, 0.6], y0: -1.5 });

describe('mfms cost-aware proposal (shared by both modes)', () => {
  const space = toySpace();

  it('affordablePairs keeps the pairs within the budget left, else the cheapest alone', () => {
    // Costs: S = 0.1 * steps / 100, L = steps / 100.
    const keys = (left: number) =>
      affordablePairs(space, [500, 1000], left).map((p) => `${p.scale}@${p.steps}:${p.cost}`);
    assert.deepEqual(keys(Number.POSITIVE_INFINITY), [
      'S@500:0.5',
      'S@1000:1',
      'L@500:5',
      'L@1000:10',
    ]);
    assert.deepEqual(keys(5), ['S@500:0.5', 'S@1000:1', 'L@500:5']);
    assert.deepEqual(keys(0.1), ['S@500:0.5']);
  });

  it('inFlightCap keeps the cost in flight within maxInFlight of the budget not yet spent', () => {
    // Budget 100, 40 spent: at share 0.5 at most 30 may be in flight. Costs: L@1000 = 10, S@500 = 0.5.
    const h = { budget: 100, spent: 40 };
    assert.equal(inFlightCap(h, 0.5, 12, [], space), 18);
    // Earlier proposals of the same batch count at their full cost.
    const batch = [
      { mixture: [1, 0, 0], scale: 'L', steps: 1000 },
      { mixture: [0, 1, 0], scale: 'S', steps: 500 },
    ];
    assert.equal(inFlightCap(h, 0.5, 12, batch, space), 18 - 10.5);
    // Over the cap already: a negative room (the caller falls back to the cheapest pair).
    assert.equal(inFlightCap(h, 0.25, 20, [], space), -5);
    // Nothing in flight (a sequential proposal), no cap, or no budget: unbounded.
    assert.equal(inFlightCap(h, 0.5, 0, [], space), Number.POSITIVE_INFINITY);
    assert.equal(inFlightCap(h, 1, 12, [], space), Number.POSITIVE_INFINITY);
    assert.equal(inFlightCap({ spent: 40 }, 0.5, 12, [], space), Number.POSITIVE_INFINITY);
  });

  it('proposes the chosen pair with its EI-maximising mixture and reports log EI at the target', () => {
    const gp3 = conditionGP(
      Float64Array.from([0.2, 0.3, 0.5, 0.5, 0.5, 0.6, 0.2, 0.2, 1, 1]),
      [1, 2],
      d,
      {
        kernel: { kind: 'rbf', dims: [0, 1, 2, 3, 4] },
        mean: 'zero',
        noise: { kind: 'fixed', variance: v },
        standardize: false,
      },
      hyper,
    );
    const pairs = affordablePairs(space, [500, 1000], Number.POSITIVE_INFINITY);
    const enc = { scaleEncoding: 'linear' as const, stepEncoding: 'linear' as const };
    const step = {
      pairs,
      best: 1,
      alpha: 1,
      rng: new Rng(3),
      search: { starts: 3, rawSamples: 0 },
    };
    const r = costAwareProposal(gp3, space, step, enc);
    assert.ok(pairs.some((p) => p.scale === r.proposal.scale && p.steps === r.proposal.steps));
    assert.equal(r.proposal.continues, undefined);
    assert.ok(Math.abs(r.proposal.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(Number.isFinite(r.logEiTarget));
    // With a large cost exponent the cheapest pair wins.
    const cheap = costAwareProposal(gp3, space, { ...step, alpha: 50 }, enc);
    assert.deepEqual([cheap.proposal.scale, cheap.proposal.steps], ['S', 500]);
  });
});
