/**
 * Faults in reports: a `tell` that is partly invalid, empty failure texts,
 * blank commands.
 *
 * Invariant: a refused report leaves the study unchanged (all or nothing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStudyConfig, SqliteStudyStore, Study } from '../../src/index.ts';
import { cli } from '../cli/study-helpers.ts';
import { smallConfig, tempDb } from '../study/helpers.ts';

function twoMetricStudy(): { path: string; study: Study } {
  const path = tempDb();
  const config = smallConfig({
    metric: {
      name: 'avg',
      direction: 'minimize',
      combine: [
        { metric: 'm1', weight: 0.5 },
        { metric: 'm2', weight: 0.5 },
      ],
    },
  });
  const study = Study.create(SqliteStudyStore.open(path), parseStudyConfig(config));
  return { path, study };
}

describe('faults: tell', () => {
  it('tell --final with a point of one metric of two stores nothing and exits non-zero', async () => {
    const { path, study } = twoMetricStudy();
    study.ask(1, { owner: 'w' });
    const r = await cli(
      'tell',
      '--db',
      path,
      ...'--trial 1 --step 100 --value 3 --metric m1 --final'.split(' '),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /reported no value of m2/);
    assert.equal(study.points().length, 0, 'the m1 point was not stored');
    assert.equal(study.trial(1).state, 'running');
    // The library call is all-or-nothing too.
    assert.throws(() =>
      study.tell(1, [{ step: 100, value: 3, metric: 'm1' }], undefined, { final: true }),
    );
    assert.equal(study.points().length, 0);
    const done = study.tell(
      1,
      [
        { step: 100, value: 3, metric: 'm1' },
        { step: 100, value: 4, metric: 'm2' },
      ],
      undefined,
      { final: true },
    );
    assert.equal(done.state, 'completed');
  });

  for (const msg of ['', '   ']) {
    it(`tell --failed ${JSON.stringify(msg)} is refused (exit 2), the trial unchanged`, async () => {
      const { path, study } = twoMetricStudy();
      study.ask(1);
      const r = await cli('tell', '--db', path, '--trial', '1', '--failed', msg);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--failed needs a message/);
      assert.equal(study.trial(1).state, 'running');
      assert.throws(() => study.fail(1, msg), /error text/);
    });
  }

  it('a whitespace-only command is a config error', () => {
    assert.throws(
      () => parseStudyConfig(smallConfig({ executor: { kind: 'local', command: '   ' } })),
      /executor.command.*non-empty shell command/s,
    );
  });
});
