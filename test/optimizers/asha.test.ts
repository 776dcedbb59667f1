import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateJob } from '../../src/bench/index.ts';
import type { Mixture } from '../../src/core/index.ts';
import type { RungResult } from '../../src/optimizers/index.ts';
import { toyTestbed } from '../bench/toy-testbed.ts';

const _r = (config: number, value: number, promoted = false): RungResult => ({
  config,
  value,
  promoted,
});

describe('asha on the toy testbed', () => {
  // At S the toy's loss is 1.5 + 2 (z/100)^-0.5 + |w - (0.6, 0.3, 0.1)|^2: configurations rank by distance.
  const dist = (w: Mixture): number =>
    ((w[0] as number) - 0.6) ** 2 + ((w[1] as number) - 0.3) ** 2 + ((w[2] as number) - 0.1) ** 2;
  const best = (runs: number[], d: (i: number) => number, k: number): number[] =>
    [...runs].sort((a, b) => d(a) - d(b)).slice(0, k);

  it('sequentially follows the hand-worked bracket (eta = 3)', () => {
    const t = simulateJob(toyTestbed, {
      method: 'asha',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 4,
      budget: 2,
    });
    assert.equal(t.error, undefined);
    const ps = t.points.map((p) => p.proposal);
    const d = (i: number): number => dist(ps[i]?.mixture ?? []);
    // Runs r0..r2 start configurations 0..2 at rung 0 (S, 100); with three results the best
    // third, floor(3/3) = 1 of them, goes to rung 1 (S, 300) as a continuation: r1 here.
    assert.deepEqual(best([0, 1, 2], d, 1), [1]);
    // r4..r6: configurations 3..5 (the top third of 4 and 5 results is still r1, promoted);
    // with six results the top two are r6 and r1: r6 goes up (r7).
    assert.deepEqual(best([0, 1, 2, 4, 5, 6], d, 2), [6, 1]);
    // r8..r10: three more; with nine results the top three are r6, r1 and r10: r10 goes up.
    assert.deepEqual(best([0, 1, 2, 4, 5, 6, 8, 9, 10], d, 3), [6, 1, 10]);
    assert.deepEqual(
      ps.slice(0, 12).map((p) => [p.scale, p.steps, p.continues ?? '-']),
      [
        ['S', 100, '-'],
        ['S', 100, '-'],
        ['S', 100, '-'],
        ['S', 300, 'r1'],
        ['S', 100, '-'],
        ['S', 100, '-'],
        ['S', 100, '-'],
        ['S', 300, 'r6'],
        ['S', 100, '-'],
        ['S', 100, '-'],
        ['S', 100, '-'],
        ['S', 300, 'r10'],
      ],
    );
    for (const [i, j] of [
      [3, 1],
      [7, 6],
      [11, 10],
    ] as const)
      assert.deepEqual(ps[i]?.mixture, ps[j]?.mixture);
    // Charged: nine runs of 100 steps at S (0.1 each), three continuations of 200 steps (0.2 each).
    assert.ok(Math.abs((t.points[11]?.spent as number) - (9 * 0.1 + 3 * 0.2)) < 1e-12);
  });

  it('asynchronously: four free workers start four configurations before any result', () => {
    const t = simulateJob(toyTestbed, {
      method: 'asha',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 4,
      budget: 3,
      clock: { workers: 4 },
    });
    assert.equal(t.error, undefined);
    const starts = t.points.filter((p) => p.start === 0);
    assert.equal(starts.length, 4);
    assert.ok(starts.every((p) => p.proposal.scale === 'S' && p.proposal.steps === 100));
    assert.equal(new Set(starts.map((p) => p.proposal.mixture.join(','))).size, 4);
  });
});
