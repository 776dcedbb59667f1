import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upperConfidenceBound } from '../../src/acquisition/index.ts';
import { NumericsError, Rng, ValidationError } from '../../src/core/index.ts';

describe('upperConfidenceBound (negated lower confidence bound, minimisation)', () => {
  it('is √β σ − μ: a lower mean or a larger σ scores higher', () => {
    const r = upperConfidenceBound(1, 0.5, 4);
    assert.equal(r.value, 0);
    assert.equal(r.dMu, -1);
    assert.equal(r.dSigma, 2);
    assert.ok(upperConfidenceBound(0, 1, 2).value > upperConfidenceBound(1, 1, 2).value);
    assert.ok(upperConfidenceBound(0, 2, 2).value > upperConfidenceBound(0, 1, 2).value);
    assert.equal(upperConfidenceBound(3, 7, 0).value, -3);
  });

  it('derivatives match central finite differences', () => {
    const rng = new Rng(1);
    for (let t = 0; t < 50; t++) {
      const mu = rng.normal();
      const sigma = rng.uniformIn(0.1, 3);
      const beta = rng.uniformIn(0, 9);
      const r = upperConfidenceBound(mu, sigma, beta);
      const h = 1e-6;
      const dMu =
        (upperConfidenceBound(mu + h, sigma, beta).value -
          upperConfidenceBound(mu - h, sigma, beta).value) /
        (2 * h);
      const dSigma =
        (upperConfidenceBound(mu, sigma + h, beta).value -
          upperConfidenceBound(mu, sigma - h, beta).value) /
        (2 * h);
      assert.ok(Math.abs(dMu - r.dMu) < 1e-8);
      assert.ok(Math.abs(dSigma - r.dSigma) < 1e-7);
    }
  });

  it('rejects a negative β and a NaN posterior', () => {
    assert.throws(() => upperConfidenceBound(0, 1, -1), ValidationError);
    assert.throws(() => upperConfidenceBound(Number.NaN, 1, 1), NumericsError);
    assert.throws(() => upperConfidenceBound(0, -0.1, 1), NumericsError);
  });
});
