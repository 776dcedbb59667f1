// The least-squares regression tree (src/gbt/regression-tree.ts): splits
// worked by hand from the SSE-reduction formula, the stopping rules, tie
// breaks, FEATURE_THRESHOLD, and prediction by walking the flat arrays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FEATURE_THRESHOLD,
  fitRegressionTree,
  predictTree,
  type RegressionTree,
} from '../../src/gbt/regression-tree.ts';

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('fitRegressionTree', () => {
  it('cuts at the midpoint that maximises the SSE reduction', () => {
    // r = [0, 0, 6, 10] on x = [1, 2, 3, 4]. Gains (Σ_L r)²/n_L + (Σ_R r)²/n_R − (Σ r)²/n:
    // cut 1|2: 0 + 256/3 − 64 = 21.33; cut 2|3: 0 + 256/2 − 64 = 64; cut 3|4: 36/3 + 100 − 64 = 48.
    const X = Float64Array.from([1, 2, 3, 4]);
    const t = fitRegressionTree(X, 1, [0, 0, 6, 10], all(4), { maxDepth: 1, minSamplesLeaf: 1 });
    assert.deepEqual(t, {
      feature: [0, -1, -1],
      threshold: [2.5, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [4, 0, 8],
    });
  });

  it('grows depth first, left before right, numbering nodes in that order', () => {
    const X = Float64Array.from([1, 2, 3, 4]);
    const t = fitRegressionTree(X, 1, [0, 0, 6, 10], all(4), { maxDepth: 2, minSamplesLeaf: 1 });
    // The left child [0, 0] has no variance: a leaf. The right child splits at 3.5.
    assert.deepEqual(t.feature, [0, -1, 0, -1, -1]);
    assert.deepEqual(t.threshold, [2.5, 0, 3.5, 0, 0]);
    assert.deepEqual(t.left, [1, -1, 3, -1, -1]);
    assert.deepEqual(t.right, [2, -1, 4, -1, -1]);
    assert.deepEqual(t.value, [4, 0, 8, 6, 10]);
  });

  it('honours minSamplesLeaf: the best cut with at least that many rows a side', () => {
    // r = [10, 0, 0, 0]: the best cut 1|2 would leave one row; with 2 per leaf only 2|3 is allowed.
    const X = Float64Array.from([1, 2, 3, 4]);
    const t = fitRegressionTree(X, 1, [10, 0, 0, 0], all(4), { maxDepth: 3, minSamplesLeaf: 2 });
    assert.equal(t.threshold[0], 2.5);
    assert.deepEqual(t.value, [2.5, 5, 0]);
    // Fewer than 2·minSamplesLeaf rows: a leaf at once.
    const leaf = fitRegressionTree(X, 1, [10, 0, 0, 0], all(4), { maxDepth: 3, minSamplesLeaf: 3 });
    assert.deepEqual(leaf.feature, [-1]);
    assert.deepEqual(leaf.value, [2.5]);
  });

  it('ties go to the lower feature; a constant feature is never cut', () => {
    // Features 1 and 2 separate the rows identically; feature 0 is constant.
    const X = Float64Array.from([7, 0, 10, 7, 0, 10, 7, 1, 20, 7, 1, 20]);
    const t = fitRegressionTree(X, 3, [1, 1, 3, 3], all(4), { maxDepth: 1, minSamplesLeaf: 1 });
    assert.equal(t.feature[0], 1);
    assert.equal(t.threshold[0], 0.5);
  });

  it('treats values within FEATURE_THRESHOLD as equal', () => {
    const X = Float64Array.from([0, FEATURE_THRESHOLD / 2, 1, 1]);
    // Only the cut between 5e-8 and 1 is allowed; 0 | 5e-8 is not a cut.
    const t = fitRegressionTree(X, 1, [0, 4, 8, 8], all(4), { maxDepth: 2, minSamplesLeaf: 1 });
    assert.deepEqual(t.feature, [0, -1, -1]);
    assert.equal(t.threshold[0], 0.5 + FEATURE_THRESHOLD / 4);
    assert.deepEqual(t.value, [5, 2, 8]);
    // No feature varies by more than the threshold: a single leaf.
    const flat = Float64Array.from([0, FEATURE_THRESHOLD / 2]);
    assert.deepEqual(
      fitRegressionTree(flat, 1, [0, 4], all(2), { maxDepth: 2, minSamplesLeaf: 1 }).feature,
      [-1],
    );
  });

  it('fits only the given rows', () => {
    const X = Float64Array.from([1, 2, 3, 4]);
    const t = fitRegressionTree(X, 1, [100, 0, 6, 10], [1, 2, 3], {
      maxDepth: 1,
      minSamplesLeaf: 1,
    });
    // rows 1..3: r = [0, 6, 10]; cut 2|3 gain = 0 + 256/2 − 256/3 = 42.7 beats 3|4: 36/2 + 100 − 85.3 = 32.7
    assert.equal(t.threshold[0], 2.5);
    assert.deepEqual(t.value, [16 / 3, 0, 8]);
  });

  it('a zero-variance node is a leaf even below maxDepth', () => {
    const t = fitRegressionTree(Float64Array.from([1, 2, 3]), 1, [2, 2, 2], all(3), {
      maxDepth: 5,
      minSamplesLeaf: 1,
    });
    assert.deepEqual(t, { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [2] });
  });
});

describe('predictTree', () => {
  // x0 <= 0.5 ? (x1 <= 2 ? 10 : 20) : 30
  const tree: RegressionTree = {
    feature: [0, 1, -1, -1, -1],
    threshold: [0.5, 2, 0, 0, 0],
    left: [1, 3, -1, -1, -1],
    right: [4, 2, -1, -1, -1],
    value: [0, 0, 20, 10, 30],
  };

  it('walks left on <= threshold and right otherwise', () => {
    assert.equal(predictTree(tree, [0.5, 2]), 10);
    assert.equal(predictTree(tree, [0.5, 2.1]), 20);
    assert.equal(predictTree(tree, [0.6, 0]), 30);
  });

  it('reads the row starting at the offset', () => {
    const rows = [9, 9, 0.1, 3, 0.9, 0];
    assert.equal(predictTree(tree, rows, 2), 20);
    assert.equal(predictTree(tree, rows, 4), 30);
  });
});
