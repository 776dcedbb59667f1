// Gradient-boosted trees (src/gbt/gradient-boosting.ts): closed forms of the
// boosting recursion F_m = F_{m-1} + ν h_m, seeded subsampling, and the
// errors naming each bad hyper-parameter or value. The peer comparison with
// scikit-learn and XGBoost is in peers.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import { fitGbt, predictGbt } from '../../src/gbt/index.ts';

/** 12 rows of 2 features with a smooth response, for the subsampling test. */
function smallData(): { X: number[]; y: number[]; Xs: number[] } {
  const X: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 12; i++) {
    const a = i / 11;
    const b = ((i * 5) % 12) / 11;
    X.push(a, b);
    y.push(Math.sin(3 * a) + b * b);
  }
  return { X, y, Xs: [0.05, 0.9, 0.5, 0.5, 0.95, 0.1] };
}

describe('fitGbt: closed forms and errors', () => {
  it('one stump on two clusters: F_1 = ȳ + ν (cluster mean − ȳ)', () => {
    const X = Float64Array.from([0, 0.1, 0.9, 1]);
    const y = [1, 1, 3, 3];
    const m = fitGbt(X, 4, 1, y, { nEstimators: 1, learningRate: 0.5, maxDepth: 1 });
    assert.equal(m.init, 2);
    assert.equal(m.trees[0]?.threshold[0], 0.5);
    assert.deepEqual([...predictGbt(m, [0.2, 0.7])], [1.5, 2.5]);
  });
  it('subsampling is reproducible from the seed and changes with it', () => {
    const c = smallData();
    const fit = (seed: number) =>
      predictGbt(
        fitGbt(Float64Array.from(c.X), c.y.length, 2, c.y, {
          subsample: 0.5,
          nEstimators: 10,
          seed,
        }),
        c.Xs,
      );
    assert.deepEqual(fit(3), fit(3));
    assert.notDeepEqual(fit(3), fit(4));
  });
  it('rejects bad hyper-parameters and non-finite data, naming them', () => {
    const X = Float64Array.from([0, 1]);
    assert.throws(
      () => fitGbt(X, 2, 1, [1, 2], { learningRate: 0 }),
      /learningRate must be in \(0, 1\], got 0/,
    );
    assert.throws(
      () => fitGbt(X, 2, 1, [1, 2], { maxDepth: 1.5 }),
      /maxDepth must be an integer >= 1, got 1.5/,
    );
    assert.throws(() => fitGbt(X, 2, 1, [1, Number.NaN]), /target y\[1\] is NaN/);
    assert.throws(() => fitGbt(X, 3, 1, [1, 2, 3]), /n·d = 3/);
  });
  it('names a bad leaf size, a non-finite input and a ragged prediction input', () => {
    const X = Float64Array.from([0, 1]);
    assert.throws(
      () => fitGbt(X, 2, 1, [1, 2], { minSamplesLeaf: 0 }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === 'gbt minSamplesLeaf must be an integer >= 1, got 0',
    );
    assert.throws(
      () => fitGbt(X, 2, 1, [1, 2], { subsample: 1.5 }),
      /gbt subsample must be in \(0, 1\], got 1.5/,
    );
    assert.throws(
      () => fitGbt(Float64Array.from([0, 1, Number.POSITIVE_INFINITY, 3]), 2, 2, [1, 2]),
      /gbt input X\[1\]\[0\] is Infinity; drop or fix that row/,
    );
    const m = fitGbt(Float64Array.from([0, 0, 1, 1]), 2, 2, [1, 2], { nEstimators: 2 });
    assert.throws(
      () => predictGbt(m, [0, 1, 2]),
      /gbt prediction needs rows of 2 features; got 3 values/,
    );
  });

  it('M stumps on two clean clusters: F_M = ȳ + (1 − (1 − ν)^M)(cluster mean − ȳ)', () => {
    // Every stump splits at 0.5 and fits the residual exactly, so each tree removes the
    // share ν of what is left: after M trees the residual is (1 − ν)^M of the first.
    const X = Float64Array.from([0, 0.2, 0.8, 1]);
    const y = [1, 1, 5, 5];
    for (const M of [1, 3, 10]) {
      const m = fitGbt(X, 4, 1, y, { nEstimators: M, learningRate: 0.3, maxDepth: 2 });
      assert.equal(m.trees.length, M);
      const shrink = 1 - 0.7 ** M;
      const [lo, hi] = predictGbt(m, [0.1, 0.9]);
      assert.ok(Math.abs(lo! - (3 - 2 * shrink)) < 1e-12, `${lo}`);
      assert.ok(Math.abs(hi! - (3 + 2 * shrink)) < 1e-12, `${hi}`);
    }
  });

  it('learning rate 1 and depth n − 1 interpolate the training rows (each split peels off at least one row)', () => {
    const X = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const y = [3, -1, 4, 1, -5, 9, 2, 6];
    const m = fitGbt(X, 8, 1, y, { nEstimators: 1, learningRate: 1, maxDepth: 7 });
    assert.deepEqual([...predictGbt(m, X)], y);
    assert.equal(m.init, 19 / 8);
  });
});
