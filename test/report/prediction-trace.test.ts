import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, Optimizer, RunRecord } from '../../src/core/index.ts';
import { predictionTrace } from '../../src/report/index.ts';

// Five trials finishing at t = 1..5 (two at t = 4); trial i reaches the target (1B, 100 steps)
// when odd, with value 10 - i; the stub optimiser "predicts" the number of runs it saw.
const runs: RunRecord[] = [1, 2, 3, 4, 5].map((i) => ({
  id: String(i),
  mixture: [0.5, 0.5],
  scale: i % 2 === 1 ? '1B' : '20M',
  steps: 100,
  curve: [{ step: 100, value: 10 - i }],
  state: 'completed',
  cost: i,
}));
const finish = [1, 2, 3, 4, 4];
const historyAt = (t: number): History => {
  const keep = runs.filter((_, j) => (finish[j] as number) <= t);
  return { runs: keep, spent: keep.reduce((s, r) => s + r.cost, 0) };
};
const seen: number[] = [];
const optimizer = (): Optimizer =>
  ({
    name: 'stub',
    propose: () => [],
    recommend: (h: History) => {
      seen.push(h.runs.length);
      const n = h.runs.length;
      return {
        mixture: [0.5, 0.5],
        basis: 'stub',
        predicted: { mean: n, std: 1, lower: n - 1.645, upper: n + 1.645 },
      };
    },
  }) as unknown as Optimizer;

describe('predictionTrace', () => {
  it('refits at evenly spread finish times, the last included; spend and best at target as of each', () => {
    seen.length = 0;
    const tr = predictionTrace({
      optimizer,
      historyAt,
      finishTimes: [4, 1, 3, 2, 4],
      target: { scale: '1B', steps: 100 },
      direction: 'minimize',
      maxPoints: 2,
    });
    // picks: ceil(1 * 5 / 2) - 1 = 2 (t = 3) and ceil(2 * 5 / 2) - 1 = 4 (t = 4)
    assert.deepEqual(
      tr.map((p) => [p.trials, p.spent, p.bestAtTarget, p.predicted?.mean]),
      [
        [3, 6, 7, 3],
        [5, 15, 5, 5],
      ],
    );
    assert.deepEqual(seen, [3, 5], 'one refit per point');
  });

  it('trials finishing at the same instant count together; maximise takes the largest', () => {
    const tr = predictionTrace({
      optimizer,
      historyAt,
      finishTimes: finish,
      target: { scale: '1B', steps: 100 },
      direction: 'maximize',
      maxPoints: 5,
    });
    assert.deepEqual(
      tr.map((p) => [p.trials, p.bestAtTarget]),
      [
        [1, 9],
        [2, 9],
        [3, 9],
        [5, 9],
      ],
      'the 4th and 5th trials finish together: one point with both',
    );
  });

  it('no finished trial: an empty trace', () => {
    assert.deepEqual(
      predictionTrace({
        optimizer,
        historyAt,
        finishTimes: [],
        target: { scale: '1B', steps: 100 },
        direction: 'minimize',
      }),
      [],
    );
  });
});
