// Exports of a study (src/study/export.ts): the trial CSV (header, one row per
// trial, quoting of commas, quotes and newlines), the point CSV and the JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exportJson,
  exportPointsCsv,
  exportTrialsCsv,
  parseStudyConfig,
  SqliteStudyStore,
  Study,
} from '../internals.ts';
import { smallConfig } from './helpers.ts';

/** A study with a completed trial (2 points), a failed one (1 point) and a pending one. */
function threeTrials(): Study {
  const study = Study.create(
    SqliteStudyStore.open(':memory:'),
    parseStudyConfig(smallConfig({ trials: { maxAttempts: 1 } })),
  );
  const [a, b] = study.ask(3);
  study.tell(a!.id, [
    { step: 500, value: 3.5 },
    { step: 1000, value: 2.25 },
  ]);
  study.finish(a!.id);
  study.tell(b!.id, { step: 100, value: 7 });
  study.fail(b!.id, 'CUDA error: "out of memory", rank 3\nretry later');
  return study;
}

describe('exportTrialsCsv', () => {
  const study = threeTrials();
  const text = exportTrialsCsv(study);
  const lines = text.split('\n');

  it('has a header with one weight column per domain and the metric name', () => {
    assert.equal(
      lines[0],
      'trial,state,attempts,scale,steps,parent,cost,w_a,w_b,w_c,last_step,last_loss,job_id,error',
    );
    assert.ok(text.endsWith('\n'));
  });

  it('writes each trial with its weights, last point and empty cells for absent values', () => {
    const [a] = study.trials();
    const w = a!.mixture.map(String).join(',');
    assert.equal(lines[1], `1,completed,1,1B,1000,,10,${w},1000,2.25,,`);
    const c = study.trials()[2]!;
    assert.equal(lines.at(-2), `3,${c.state},${c.attempts},1B,1000,,10,${c.mixture.join(',')},,,,`);
  });

  it('quotes a cell with a comma, quote or newline, doubling the quotes', () => {
    // (the store appends the attempt note to a failure message)
    const b = study.trials()[1]!;
    const row = `2,failed,1,1B,1000,,10,${b.mixture.join(',')},100,7,,"CUDA error: ""out of memory"", rank 3\nretry later (attempt 1 of 1; not retried)"`;
    assert.ok(text.includes(`\n${row}\n`), text);
  });
});

describe('exportPointsCsv and exportJson', () => {
  const study = threeTrials();

  it('writes one row per stored point', () => {
    assert.equal(
      exportPointsCsv(study),
      'trial,metric,step,value\n1,loss,500,3.5\n1,loss,1000,2.25\n2,loss,100,7\n',
    );
  });

  it('holds the config, the status and every trial with its own points', () => {
    const j = exportJson(study) as {
      study: string;
      config: { name: string };
      status: { counts: Record<string, number> };
      trials: {
        id: number;
        state: string;
        points: { metric: string; step: number; value: number }[];
      }[];
    };
    assert.equal(j.study, 'small');
    assert.equal(j.config.name, 'small');
    assert.equal(j.status.counts.completed, 1);
    assert.equal(j.status.counts.failed, 1);
    assert.deepEqual(
      j.trials.map((t) => [t.id, t.state, t.points.length]),
      [
        [1, 'completed', 2],
        [2, 'failed', 1],
        [3, study.trials()[2]!.state, 0],
      ],
    );
    assert.deepEqual(j.trials[0]!.points, [
      { metric: 'loss', step: 500, value: 3.5 },
      { metric: 'loss', step: 1000, value: 2.25 },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(j)), j, 'plain JSON');
  });
});
