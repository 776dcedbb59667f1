import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import { fitPowerLawTrend, trendValue } from '../../src/gp/index.ts';

describe('power-law trend L = E + A n^-alpha + B d^-beta', () => {
  const ref = { params: 1e9, steps: 20000 };
  const truth = {
    E: 1.7,
    A: 0.9,
    alpha: 0.34,
    B: 1.1,
    beta: 0.28,
    nRef: 1e9,
    dRef: 20000,
    rmsLog: 0,
  };
  const sizes = [20e6, 60e6, 150e6, 300e6, 600e6, 1e9];
  const steps = [500, 1000, 2000, 4000, 8000, 16000, 20000];

  it('recovers the parameters of noise-free data on a size x steps grid', () => {
    const P: number[] = [];
    const Z: number[] = [];
    const Y: number[] = [];
    for (const p of sizes) {
      for (const z of steps) {
        P.push(p);
        Z.push(z);
        Y.push(trendValue(truth, p, z));
      }
    }
    const t = fitPowerLawTrend(P, Z, Y, ref);
    assert.ok(t.rmsLog < 1e-4, `rms ${t.rmsLog}`);
    for (const [p, z] of [
      [1e9, 20000],
      [20e6, 500],
      [300e6, 7000],
    ] as const) {
      const rel = trendValue(t, p, z) / trendValue(truth, p, z) - 1;
      assert.ok(Math.abs(rel) < 1e-3, `${p} ${z}: ${rel}`);
    }
  });

  it('extrapolates in steps from short runs better than a constant would', () => {
    // Only runs up to 4,000 steps: the value at 20,000 steps comes from the fitted exponent.
    const P: number[] = [];
    const Z: number[] = [];
    const Y: number[] = [];
    for (const p of sizes) {
      for (const z of steps.filter((s) => s <= 4000)) {
        P.push(p);
        Z.push(z);
        Y.push(trendValue(truth, p, z));
      }
    }
    const t = fitPowerLawTrend(P, Z, Y, ref);
    const at = trendValue(t, 1e9, 20000);
    const want = trendValue(truth, 1e9, 20000);
    assert.ok(Math.abs(at / want - 1) < 0.01, `${at} vs ${want}`);
  });

  it('refuses non-positive values and mismatched lengths, naming them', () => {
    assert.throws(
      () => fitPowerLawTrend([1e9], [100], [-1], ref),
      (e: unknown) => {
        return e instanceof ValidationError && /value -1/.test(e.message);
      },
    );
    assert.throws(() => fitPowerLawTrend([1e9, 2e9], [100], [1], ref), ValidationError);
  });
});
