import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../study/helpers.ts';
import { cli, studySetup as setup } from '../study-helpers.ts';

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
});
