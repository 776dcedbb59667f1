import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { smallConfig, tempDir } from '../../study/helpers.ts';
import { cli } from '../study-helpers.ts';

function setup(over: Record<string, unknown> = {}) {
  const dir = tempDir();
  const config = join(dir, 'study.yaml');
  writeFileSync(config, stringify(smallConfig(over)));
  return { dir, config, db: join(dir, 'mixopt.db') };
}

describe('mixopt study commands', () => {
  it('create -> ask -> tell -> final -> status -> recommend -> export', async () => {
    const { config, db } = setup();
    const c = await cli('study', 'create', config, '--db', db);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /created study 'small'/);

    const a = await cli('ask', '--db', db, '--n', '2', '--json');
    assert.equal(a.code, 0, a.stderr);
    const trials = JSON.parse(a.stdout) as {
      trial: number;
      weights: number[];
      mixture: Record<string, number>;
      steps: number;
    }[];
    assert.deepEqual(
      trials.map((t) => t.trial),
      [1, 2],
    );
    assert.deepEqual(Object.keys(trials[0]!.mixture), ['a', 'b', 'c']);

    for (const [step, value] of [
      [500, '3.2'],
      [1000, '2.31'],
    ] as const) {
      const t = await cli(
        'tell',
        '--db',
        db,
        '--trial',
        '1',
        '--step',
        String(step),
        '--value',
        value,
      );
      assert.equal(t.code, 0, t.stderr);
    }
    const f = await cli('tell', '--db', db, '--study', 'small', '--trial', '1', '--final');
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /trial 1: completed/);
    const failed = await cli('tell', '--db', db, '--trial', '2', '--failed', 'OOM on node 3');
    assert.match(
      failed.stdout,
      /trial 2: pending \(OOM on node 3 \(attempt 1 of 3; will be retried\)\)/,
    );

    const s = await cli('status', '--db', db, '--json');
    const st = JSON.parse(s.stdout);
    assert.equal(st.counts.completed, 1);
    assert.equal(st.counts.pending, 1);
    assert.equal(st.spent, 10);
    assert.equal(st.bestAtTarget.value, 2.31);
    const text = await cli('status', '--db', db);
    assert.match(text.stdout, /spent: 10.00 units of budget|spent: 10.00 units no budget set/);

    const r = await cli('recommend', '--db', db, '--json');
    assert.equal(r.code, 0, r.stderr);
    const rec = JSON.parse(r.stdout);
    assert.deepEqual(rec.mixture, trials[0]!.weights);
    assert.equal(rec.trial, 1);
    const rt = await cli('recommend', '--db', db);
    assert.match(rt.stdout, /recommended mixture for 1B at 1000 steps/);
    assert.match(rt.stdout, /not available/);

    const csv = await cli('export', '--db', db, '--format', 'csv');
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^trial,state,attempts,scale,steps,parent,cost,w_a,w_b,w_c,last_step,last_loss/,
    );
    assert.match(lines[1]!, /^1,completed,1,1B,1000,,10,.*,1000,2.31,,$/);
    const pts = await cli('export', '--db', db, '--format', 'csv', '--points');
    assert.equal(pts.stdout, 'trial,metric,step,value\n1,loss,500,3.2\n1,loss,1000,2.31\n');
    const out = join(tempDir(), 'x.json');
    await cli('export', '--db', db, '--format', 'json', '--out', out);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(j.trials[0].points.length, 2);
  });

  it("status shows a continuation's parent trial", async () => {
    const { config, db } = setup({ optimizer: { method: 'hyperband' } });
    await cli('study', 'create', config, '--db', db);
    const first = JSON.parse((await cli('ask', '--db', db, '--n', '9', '--json')).stdout) as {
      trial: number;
    }[];
    for (const t of first) {
      const args = ['--trial', String(t.trial), '--step', '200', '--value', String(t.trial)];
      assert.equal((await cli('tell', '--db', db, ...args, '--final')).code, 0);
    }
    // Hyperband continues its best first-rung run (trial 1: the lowest loss) to 400 steps.
    const [next] = JSON.parse((await cli('ask', '--db', db, '--json')).stdout) as {
      trial: number;
      continues?: number;
    }[];
    assert.deepEqual([next?.trial, next?.continues], [10, 1]);
    const text = (await cli('status', '--db', db)).stdout;
    assert.match(text, /^trial\tstate\ttry\tscale\tsteps\tparent\tlast\tvalue\tmixture$/m);
    assert.match(text, /^10\trunning\t1\t1B\t400\t1\t-\t-\t/m);
    assert.match(text, /^2\tcompleted\t1\t1B\t200\t-\t200\t2\.0000\t/m);
  });

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

  it('an invalid config exits 2 and names each bad field', async () => {
    const { config, db } = setup({ seed: -1, budget: 'lots' });
    const r = await cli('study', 'create', config, '--db', db);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /E_INVALID_CONFIG.*\(2 problem\(s\)\)/);
    assert.match(r.stderr, /seed: seed must be a non-negative integer; got -1/);
    assert.match(r.stderr, /budget: budget must be a positive number of cost units.*; got "lots"/);
    // Cross-field checks run once every field has the right shape.
    const bad = setup({ target: { scale: '7B', steps: 1000 } });
    const r3 = await cli('study', 'create', bad.config, '--db', bad.db);
    assert.equal(r3.code, 2);
    assert.match(
      r3.stderr,
      /target\.scale: target\.scale must be one of the scales \(20M, 1B\); got "7B"/,
    );
    const r2 = await cli('study', 'create', join(tempDir(), 'missing.yaml'));
    assert.equal(r2.code, 3);
  });

  it('a missing database or an ambiguous study is a clear error (exit 2)', async () => {
    const r = await cli('status', '--db', join(tempDir(), 'none.db'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no study database at .*mixopt study create/);
    const { config, db, dir } = setup();
    await cli('study', 'create', config, '--db', db);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, stringify(smallConfig({ name: 'other' })));
    await cli('study', 'create', other, '--db', db);
    const amb = await cli('ask', '--db', db);
    assert.equal(amb.code, 2);
    assert.match(amb.stderr, /holds 2 studies \(small, other\); choose one with --study/);
    const hb = await cli('ask', '--db', db, '--study', 'other', '--json');
    const [t] = JSON.parse(hb.stdout);
    const beat = await cli(
      'heartbeat',
      '--db',
      db,
      '--study',
      'other',
      '--trial',
      String(t.trial),
      '--json',
    );
    assert.equal(beat.code, 0, beat.stderr);
    assert.equal(JSON.parse(beat.stdout).state, 'running');
  });
});
