import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('mixopt ask', () => {
  it('--json: one object per trial with its spec, lease and seed', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const before = Date.now();
    const r = await cli('ask', '--db', db, '--n', '2', '--owner', 'w1', '--lease', '120', '--json');
    assert.equal(r.code, 0, r.stderr);
    const ts = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(ts.length, 2);
    const t = ts[0] as Record<string, unknown> & { weights: number[]; leaseExpires: string };
    assert.equal(t['study'], 'small');
    assert.equal(t['trial'], 1);
    assert.equal(t['attempt'], 1);
    assert.equal(t['logEvery'], 100);
    assert.deepEqual(t['mixture'], { a: t.weights[0], b: t.weights[1], c: t.weights[2] });
    assert.ok(Math.abs(t.weights.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    // The lease runs 120 s from now.
    const lease = Date.parse(t.leaseExpires) - before;
    assert.ok(lease >= 119_000 && lease <= 125_000, `lease ${lease} ms`);
  });

  it('text: one line per trial with its scale, steps and mixture', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const r = await cli('ask', '--db', db);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^trial 1 \(attempt 1\): (20M|1B) for \d+ steps; a=\d\.\d{3} b=\d\.\d{3} c=\d\.\d{3}\n$/,
    );
  });

  it('bad --n or --lease exits 2 naming the value', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const n = await cli('ask', '--db', db, '--n', '0');
    assert.equal(n.code, 2);
    assert.match(n.stderr, /--n must be an integer >= 1, got '0'/);
    const lease = await cli('ask', '--db', db, '--lease', 'soon');
    assert.equal(lease.code, 2);
    assert.match(lease.stderr, /--lease .*got 'soon'/);
    // Nothing was handed out.
    assert.equal(JSON.parse((await cli('status', '--db', db, '--json')).stdout).trials.length, 0);
  });
});
