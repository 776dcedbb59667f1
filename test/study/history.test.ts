import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryStudyStore,
  metricCurves,
  parseStudyConfig,
  SqliteStudyStore,
  Study,
  studySpend,
  ValidationError,
} from '../internals.ts';
import { smallConfig, tempDb } from './helpers.ts';

describe('study history', () => {
  it('a combined metric is the weighted sum at the steps where every part was reported', () => {
    const config = parseStudyConfig(
      smallConfig({
        metric: {
          name: 'avg_loss',
          direction: 'minimize',
          combine: [
            { metric: 'c4', weight: 0.25 },
            { metric: 'wiki', weight: 0.75 },
          ],
        },
      }),
    );
    const curves = metricCurves(config, [
      { trial: 1, metric: 'c4', step: 100, value: 4 },
      { trial: 1, metric: 'wiki', step: 100, value: 2 },
      { trial: 1, metric: 'c4', step: 200, value: 3 }, // wiki missing at 200: no combined point
      { trial: 1, metric: 'other', step: 100, value: 99 },
    ]);
    assert.deepEqual(curves.get(1), [{ step: 100, value: 0.25 * 4 + 0.75 * 2 }]);
  });

  it('tells of a combined study need a part name; the combination name itself is not reported', () => {
    const study = Study.create(
      SqliteStudyStore.open(tempDb()),
      parseStudyConfig(
        smallConfig({
          metric: { name: 'avg', direction: 'minimize', combine: [{ metric: 'c4', weight: 1 }] },
        }),
      ),
    );
    const [t] = study.ask(1);
    assert.throws(
      () => study.tell(t!.id, { step: 100, value: 3 }),
      (e: unknown) =>
        e instanceof ValidationError && /\(none given\).*accepted: c4/.test((e as Error).message),
    );
    study.tell(t!.id, { step: 100, value: 3, metric: 'c4' });
    assert.throws(() => study.finish(999), /no trial 999/);
    assert.equal(study.finish(t!.id).state, 'completed');
    assert.deepEqual(study.history().runs[0]?.curve, [{ step: 100, value: 3 }]);
  });

  it('spend: completed trials in full, failed ones up to their last reported step, running ones as committed', () => {
    const study = Study.create(
      SqliteStudyStore.open(tempDb()),
      parseStudyConfig(smallConfig({ trials: { maxAttempts: 1 } })),
    );
    const [a, b, c] = study.ask(3); // each 1B x 1000 steps = 10 units
    study.tell(a!.id, { step: 1000, value: 2 });
    study.finish(a!.id);
    study.tell(b!.id, { step: 400, value: 3 });
    study.fail(b!.id, 'diverged');
    void c;
    const s = studySpend(study.trials(), metricCurves(study.config, study.points()));
    assert.equal(s.spent, 10 + 4);
    assert.equal(s.committed, 10);
  });

  it('a continuation that failed without training neither hides its parent nor repeats its curve', () => {
    const optimizer = () => ({
      name: 'fixed',
      propose: (h: { runs: readonly { id: string }[] }) =>
        h.runs.length === 0
          ? [{ mixture: [0.2, 0.3, 0.5], scale: '1B', steps: 400 }]
          : [{ mixture: [0.2, 0.3, 0.5], scale: '1B', steps: 1000, continues: h.runs[0]!.id }],
      recommend: () => undefined,
    });
    const config = parseStudyConfig(smallConfig({ trials: { maxAttempts: 1 } }));
    const study = Study.create(new MemoryStudyStore(), config, { optimizer });
    const [a] = study.ask(1);
    study.tell(a!.id, [{ step: 400, value: 3 }], undefined, { final: true });
    const [b, c] = [study.ask(1)[0]!, study.ask(1)[0]!];
    study.fail(b.id, 'the testbed has no run that long', undefined, { charged: 0 });
    study.tell(c.id, [{ step: 500, value: 2.9 }]);
    study.fail(c.id, 'diverged');
    const runs = study.history().runs;
    // b never trained: a failed proposal, no parent, no curve, charged nothing.
    assert.deepEqual(
      [runs[1]!.state, runs[1]!.parent, runs[1]!.curve, runs[1]!.cost],
      ['failed', undefined, [], 0],
    );
    // c trained before failing: it keeps its parent and inherits its curve.
    assert.deepEqual(
      [runs[2]!.parent, runs[2]!.curve],
      [
        String(a!.id),
        [
          { step: 400, value: 3 },
          { step: 500, value: 2.9 },
        ],
      ],
    );
    assert.equal(study.history().spent, 4 + 6 * (100 / 600));
  });

  it('a single metric: its points ascending in step, the last report of a step winning, on any input order', () => {
    const config = parseStudyConfig(smallConfig());
    const pts = [
      { trial: 2, metric: 'loss', step: 300, value: 2 },
      { trial: 2, metric: 'loss', step: 100, value: 3 },
      { trial: 1, metric: 'other', step: 100, value: 9 },
      { trial: 2, metric: 'loss', step: 300, value: 1.5 },
    ];
    assert.deepEqual(
      [...metricCurves(config, pts)],
      [
        [
          2,
          [
            { step: 100, value: 3 },
            { step: 300, value: 1.5 },
          ],
        ],
        [1, []],
      ],
    );
  });
});
