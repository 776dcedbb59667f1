import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, ValidationError } from '../../src/core/index.ts';
import {
  intervalCoverage,
  meanStd,
  normalQuantile,
  rSquared,
  rSquaredLog,
  Z90,
} from '../../src/transfer/metrics.ts';

describe('rSquared', () => {
  it('is 1 for perfect predictions and 0 for predicting the mean', () => {
    assert.equal(rSquared([1, 2, 3, 4], [1, 2, 3, 4]), 1);
    assert.equal(rSquared([1, 2, 3, 4], [2.5, 2.5, 2.5, 2.5]), 0);
  });
  it('matches the closed form on a small case', () => {
    // ss_res = 1, ss_tot = 5 -> 0.8
    assert.ok(Math.abs(rSquared([1, 2, 3, 4], [1, 2, 3, 5]) - 0.8) < 1e-15);
    // reversed predictions: ss_res = 9+1+1+9 = 20, ss_tot = 5 -> -3
    assert.ok(Math.abs(rSquared([1, 2, 3, 4], [4, 3, 2, 1]) + 3) < 1e-15);
  });
  it('rejects constant truth, mismatched lengths and non-finite values', () => {
    assert.throws(() => rSquared([2, 2, 2], [1, 2, 3]), /all 3 held-out values are equal/);
    assert.throws(() => rSquared([1, 2, 3], [1, 2]), /3 true values but 2 predictions/);
    assert.throws(() => rSquared([1, 2, 3], [1, Number.NaN, 3]), ValidationError);
    assert.throws(() => rSquared([1], [1]), /at least 2/);
  });
});

describe('rSquaredLog', () => {
  it('is R² of the logs', () => {
    const y = [Math.E, Math.E ** 2, Math.E ** 3];
    const yHat = [Math.E, Math.E ** 2, Math.E ** 4];
    // logs: [1,2,3] vs [1,2,4]: ss_res = 1, ss_tot = 2
    assert.ok(Math.abs((rSquaredLog(y, yHat) as number) - 0.5) < 1e-12);
  });
  it('is undefined (not NaN) when a value is not positive', () => {
    assert.equal(rSquaredLog([1, 2, 3], [1, 0, 3]), undefined);
    assert.equal(rSquaredLog([-1, 2, 3], [1, 2, 3]), undefined);
  });
});

describe('intervalCoverage', () => {
  it('counts values inside mean ± z·σ on constructed data', () => {
    const y = [0.5, 1.6, 1.7, -1.64, -1.65];
    const zeros = [0, 0, 0, 0, 0];
    const ones = [1, 1, 1, 1, 1];
    assert.equal(intervalCoverage(y, zeros, ones, 0.9), 3 / 5);
    // variance 4 doubles the half-width to ±3.29: all five are inside
    assert.equal(intervalCoverage(y, zeros, [4, 4, 4, 4, 4], 0.9), 1);
    // the 50% interval is ±0.6745: only 0.5 is inside
    assert.equal(intervalCoverage(y, zeros, ones, 0.5), 1 / 5);
    // zero variance: only exact hits count
    assert.equal(intervalCoverage([1, 2], [1, 3], [0, 0]), 1 / 2);
  });
  it('is close to the level for calibrated Gaussian predictions', () => {
    const rng = new Rng(7);
    const n = 20_000;
    const y: number[] = [];
    const mean: number[] = [];
    const variance: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = rng.uniformIn(-5, 5);
      const s = rng.uniformIn(0.1, 3);
      mean.push(m);
      variance.push(s * s);
      y.push(m + s * rng.normal());
    }
    // binomial std at 0.9: sqrt(0.09/20000) = 0.0021; allow 4 sd
    for (const q of [0.5, 0.8, 0.9, 0.95]) {
      assert.ok(Math.abs(intervalCoverage(y, mean, variance, q) - q) < 0.01, `level ${q}`);
    }
    // over-confident predictions (variance / 4) cover far less
    const tight = variance.map((v) => v / 4);
    assert.ok(intervalCoverage(y, mean, tight, 0.9) < 0.65);
  });
  it('rejects negative variances and bad levels', () => {
    assert.throws(() => intervalCoverage([1, 2], [1, 2], [1, -1]), /variance 1 is -1/);
    assert.throws(() => intervalCoverage([1, 2], [1, 2], [1, 1], 1.5), /level must be in/);
  });
});

describe('normalQuantile', () => {
  it('matches reference quantiles', () => {
    assert.ok(Math.abs(normalQuantile(0.95) - Z90) < 1e-8);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
    assert.ok(Math.abs(normalQuantile(0.75) - 0.6744897501960817) < 1e-8);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232306167813) < 1e-8);
    assert.equal(normalQuantile(0.5), 0);
  });
});

describe('meanStd', () => {
  it('uses the n - 1 denominator', () => {
    assert.deepEqual(meanStd([1, 2, 3]), { mean: 2, std: 1 });
    assert.deepEqual(meanStd([5]), { mean: 5, std: 0 });
    assert.throws(() => meanStd([]), ValidationError);
  });
});
