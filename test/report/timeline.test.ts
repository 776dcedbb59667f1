import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrialRecord } from '../../src/core/index.ts';
import { assignLanes, timelineBars, timelineSpec } from '../../src/report/index.ts';

const iv = (id: number, start: number, end: number) => ({ id, start, end });

describe('study timeline', () => {
  it('assigns the lowest free lane in order of start: as many lanes as jobs at once', () => {
    // 1: [0,10) lane 0; 2: [0,4) lane 1; 3: [4,8) lane 1 (2 ended at 4); 4: [5,12) lane 2;
    // 5: [10,11) lane 0 (1 ended at 10); 6: [8,9) lane 1 (3 ended at 8).
    assert.deepEqual(
      assignLanes([
        iv(1, 0, 10),
        iv(2, 0, 4),
        iv(3, 4, 8),
        iv(4, 5, 12),
        iv(5, 10, 11),
        iv(6, 8, 9),
      ]),
      [0, 1, 1, 2, 0, 1],
    );
    // Sequential jobs share one lane; input order does not matter, ties go to the lower id.
    assert.deepEqual(assignLanes([iv(3, 2, 3), iv(1, 0, 1), iv(2, 1, 2)]), [0, 0, 0]);
    assert.deepEqual(assignLanes([iv(2, 0, 5), iv(1, 0, 5)]), [1, 0]);
  });

  it('draws started trials, a running one up to now, and one lane per worker', () => {
    const t = (
      id: number,
      startedAt: number | undefined,
      finishedAt: number | undefined,
      state: TrialRecord['state'],
    ): TrialRecord => ({
      id,
      mixture: [0.5, 0.5],
      scale: 'S',
      steps: 100,
      state,
      attempts: 1,
      cost: 1,
      createdAt: 0,
      updatedAt: finishedAt ?? 0,
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(finishedAt !== undefined ? { finishedAt } : {}),
    });
    const bars = timelineBars(
      [
        t(1, 0, 3.6e6, 'completed'),
        t(2, 0, undefined, 'running'),
        t(3, undefined, undefined, 'pending'),
        t(4, 3.6e6, 7.2e6, 'failed'),
      ],
      5.4e6,
    );
    assert.deepEqual(
      bars.map((b) => [b.trial, b.lane, b.start, b.end]),
      [
        [1, 0, 0, 3.6e6],
        [2, 1, 0, 5.4e6],
        [4, 0, 3.6e6, 7.2e6],
      ],
    );
    const spec = timelineSpec(bars, ['S']) as unknown as {
      data: { values: { worker: number; from: number; to: number }[] };
    };
    assert.deepEqual(
      spec.data.values.map((r) => [r.worker, r.from, r.to]),
      [
        [1, 0, 1],
        [2, 0, 1.5],
        [1, 1, 2],
      ],
    );
  });
});
