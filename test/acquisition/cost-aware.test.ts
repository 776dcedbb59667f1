import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  costAwareScore,
  expectedImprovement,
  logCostAwareScore,
  logExpectedImprovement,
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
