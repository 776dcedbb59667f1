import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  costAwareScore,
  costExponent,
  expectedImprovement,
  logCostAwareScore,
  logExpectedImprovement,
  selectCostAware,
  shouldShrink,
} from '../../src/acquisition/index.ts';
import { ValidationError } from '../../src/core/index.ts';

describe('costAwareScore / logCostAwareScore', () => {
  it('EI / c^α, with α = 0 ignoring cost', () => {
    assert.ok(Math.abs(costAwareScore(0.2, 4, 0.5) - 0.1) < 1e-16);
    assert.equal(costAwareScore(0.2, 123, 0), 0.2);
    assert.ok(Math.abs(costAwareScore(0.3, 3, 1) - 0.1) < 1e-16);
  });

  it('the log form equals the log of the score, and stays finite when EI underflows', () => {
    for (const [mu, sigma] of [
      [0.5, 1],
      [3, 0.4],
      [1.2, 2],
    ] as const) {
      const ei = expectedImprovement(mu, sigma, 0).value;
      const lei = logExpectedImprovement(mu, sigma, 0).value;
      const a = Math.log(costAwareScore(ei, 7.5, 0.8));
      const b = logCostAwareScore(lei, 7.5, 0.8);
      assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    }
    const deep = logCostAwareScore(logExpectedImprovement(1000, 1, 0).value, 197, 1);
    assert.ok(Number.isFinite(deep) && deep < -5e5);
    assert.equal(logCostAwareScore(Number.NEGATIVE_INFINITY, 2, 1), Number.NEGATIVE_INFINITY);
  });

  it('prefers the cheaper fidelity at equal EI, the larger EI at equal cost', () => {
    assert.ok(costAwareScore(0.1, 1, 1) > costAwareScore(0.1, 10, 1));
    assert.ok(costAwareScore(0.2, 5, 1) > costAwareScore(0.1, 5, 1));
  });

  it('rejects a non-positive cost, a negative α, a negative EI, a NaN log EI', () => {
    assert.throws(() => costAwareScore(0.1, 0, 1), /cost must be finite and > 0, got 0/);
    assert.throws(() => costAwareScore(0.1, 1, -1), ValidationError);
    assert.throws(() => costAwareScore(-0.1, 1, 1), ValidationError);
    assert.throws(() => logCostAwareScore(Number.NaN, 1, 1), ValidationError);
    assert.throws(() => logCostAwareScore(0, -2, 1), ValidationError);
  });
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
