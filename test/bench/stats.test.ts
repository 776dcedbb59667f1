import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { medianWithNulls, quantileSorted, sampleStats } from '../../src/bench/stats.ts';

const close = (a: number, b: number, tol = 1e-12): void =>
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('stats', () => {
  it('mean, s.e. and type-7 quartiles', () => {
    const s = sampleStats([4, 1, 3, 2]);
    assert.equal(s.mean, 2.5);
    close(s.sem, Math.sqrt(5 / 3) / 2); // sd = sqrt(((1.5^2 + 0.5^2) * 2) / 3)
    assert.equal(s.median, 2.5);
    assert.equal(s.q25, 1.75);
    assert.equal(s.q75, 3.25);
  });

  it('one value: s.e. 0 and every quantile the value', () => {
    assert.deepEqual(sampleStats([7]), { n: 1, mean: 7, sem: 0, median: 7, q25: 7, q75: 7 });
  });

  it('quantiles interpolate linearly between order statistics (numpy type 7), NaN for no data', () => {
    const xs = [10, 20, 30, 40, 50];
    assert.equal(quantileSorted(xs, 0), 10);
    assert.equal(quantileSorted(xs, 1), 50);
    assert.equal(quantileSorted(xs, 0.5), 30);
    assert.equal(quantileSorted(xs, 0.1), 14); // h = 0.4: 10 + 0.4 · 10
    assert.equal(quantileSorted(xs, 0.9), 46); // h = 3.6
    assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  });

  it('medians with not-reached ranking lowest', () => {
    assert.equal(medianWithNulls([3, null, 1]), 1);
    assert.equal(medianWithNulls([3, null, null]), null);
    assert.equal(medianWithNulls([4, 2, 1, 3]), 2.5);
    assert.equal(medianWithNulls([4, 2, null, 3]), 2.5);
    assert.equal(medianWithNulls([4, null, null, 3]), null);
    assert.equal(medianWithNulls([]), null);
  });
});
