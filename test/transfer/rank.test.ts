import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  averageRanks,
  kendallTau,
  rankScores,
  spearman,
  topKOverlap,
} from '../../src/bench/index.ts';
import { ValidationError } from '../../src/core/index.ts';

// Hand-computed: y = 1..5, ŷ swaps the first two and the middle two.
// Rank differences d = (-1, 1, -1, 1, 0), Σd² = 4: ρ = 1 - 6·4 / (5·24) = 0.8.
// Pairs: 10, discordant (1,2) and (3,4): τ = (8 - 2) / 10 = 0.6.
const Y = [1, 2, 3, 4, 5];
const Y_HAT = [2, 1, 4, 3, 5];

describe('rank metrics', () => {
  it('Spearman ρ and Kendall τ match the hand-computed example', () => {
    assert.ok(Math.abs((spearman(Y, Y_HAT) as number) - 0.8) < 1e-15);
    assert.ok(Math.abs((kendallTau(Y, Y_HAT) as number) - 0.6) < 1e-15);
    assert.equal(spearman(Y, Y), 1);
    assert.equal(spearman(Y, [...Y].reverse()), -1);
    assert.equal(kendallTau(Y, [...Y].reverse()), -1);
  });

  it('handle ties: average ranks, and τ_b', () => {
    assert.deepEqual(averageRanks([1, 1, 2, 3]), [1.5, 1.5, 3, 4]);
    assert.deepEqual(averageRanks([5, 2, 5, 5]), [3, 1, 3, 3]);
    // ranks (1.5, 1.5, 3, 4) vs (1, 2, 3, 4): Σ da·db = 4.5, Σ da² = 4.5, Σ db² = 5
    assert.ok(
      Math.abs((spearman([1, 1, 2, 3], [1, 2, 3, 4]) as number) - 4.5 / Math.sqrt(22.5)) < 1e-15,
    );
    // 6 pairs, one tied in y, 5 concordant: τ_b = 5 / sqrt(5 · 6)
    assert.ok(
      Math.abs((kendallTau([1, 1, 2, 3], [1, 2, 3, 4]) as number) - 5 / Math.sqrt(30)) < 1e-15,
    );
  });

  it('are undefined (not NaN) when a side is constant or too short', () => {
    assert.equal(spearman([1, 1, 1], [1, 2, 3]), undefined);
    assert.equal(kendallTau([1, 2, 3], [4, 4, 4]), undefined);
    assert.equal(spearman([1], [2]), undefined);
    assert.throws(() => spearman([1, 2], [1]), ValidationError);
    assert.throws(() => kendallTau([1, Number.NaN], [1, 2]), /not finite/);
  });

  it('top-k overlap: the predicted best among the true best, direction-aware', () => {
    assert.equal(topKOverlap(Y, Y_HAT, 1, 'minimize'), 0); // true best 0, predicted best 1
    assert.equal(topKOverlap(Y, Y_HAT, 1, 'maximize'), 1); // both say index 4
    assert.equal(topKOverlap(Y, Y_HAT, 2, 'minimize'), 1);
    assert.equal(topKOverlap(Y, Y_HAT, 3, 'minimize'), 2 / 3); // {0,1,2} vs {1,0,3}
    assert.throws(() => topKOverlap(Y, Y_HAT, 6, 'minimize'), /k in 1\.\.5/);
  });

  it('rankScores: k = 1, 5 and 10% of the candidates, each only when k < n', () => {
    const y = Array.from({ length: 20 }, (_, i) => i);
    const r = rankScores(y, y, 'maximize');
    assert.deepEqual(r, { n: 20, spearman: 1, kendall: 1, top1: 1, top5: 1, top10pct: 1 });
    const small = rankScores(Y, Y_HAT, 'minimize');
    assert.equal(small.top5, undefined);
    assert.equal(small.top1, 0);
    assert.equal(small.top10pct, 0); // k = max(1, round(0.5)) = 1
  });
});
