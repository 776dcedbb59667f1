import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('mixopt tell', () => {
  it('bad tells are rejected with a clear error and leave the study unchanged', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    await cli('ask', '--db', db, '--json');
    await cli('tell', '--db', db, '--trial', '1', '--step', '100', '--value', '3');
    const cases: [string[], number, RegExp][] = [
      [['--trial', '1', '--step', '200', '--value', 'abc'], 2, /--value: not a number: 'abc'/],
      [['--trial', '1', '--step', '200', '--value', 'NaN'], 2, /--value: not a number: 'NaN'/],
      [['--trial', '1', '--step', '200', '--value', 'inf'], 2, /not a number: 'inf'/],
      [
        ['--trial', '1', '--step', '200', '--value', '-Infinity'],
        2,
        /--value: not a finite number: '-Infinity'/,
      ],
      [
        ['--trial', '1', '--step', '5000', '--value', '2'],
        2,
        /step 5000 is outside trial 1's length; accepted: an integer in 1..1000/,
      ],
      [['--trial', '7', '--step', '200', '--value', '2'], 2, /has no trial 7/],
      [['--trial', 'x', '--final'], 2, /--trial must be an integer >= 1, got 'x'/],
      [['--trial', '1', '--step', '200'], 2, /give both --step and --value/],
      [['--trial', '1', '--failed', 'x', '--final'], 2, /cannot be combined/],
    ];
    for (const [args, code, re] of cases) {
      const r = await cli('tell', '--db', db, ...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    await cli('tell', '--db', db, '--trial', '1', '--final');
    const done = await cli('tell', '--db', db, '--trial', '1', '--step', '200', '--value', '2');
    assert.equal(done.code, 1);
    assert.match(done.stderr, /E_STATE.*it is completed/);
    const j = await cli(
      'tell',
      '--db',
      db,
      '--trial',
      '1',
      '--step',
      '200',
      '--value',
      '2',
      '--json',
    );
    assert.equal(JSON.parse(j.stdout).error.code, 'E_STATE');
    const after = JSON.parse((await cli('export', '--db', db, '--format', 'json')).stdout);
    assert.deepEqual(after.trials[0].points, [{ metric: 'loss', step: 100, value: 3 }]);
  });

  it('a step and value, then --final: the trial completes and its points are stored (text and JSON)', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    await cli('ask', '--db', db, '--json');
    const t = await cli('tell', '--db', db, '--trial', '1', '--step', '400', '--value', '2.5');
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^trial 1: running/);
    const f = await cli('tell', '--db', db, '--trial', '1', '--final', '--json');
    assert.equal(f.code, 0, f.stderr);
    assert.equal(JSON.parse(f.stdout).state, 'completed');
    const csv = await cli('export', '--db', db, '--format', 'csv', '--points');
    assert.equal(csv.stdout, 'trial,metric,step,value\n1,loss,400,2.5\n');
  });
});
