import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../study/helpers.ts';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('mixopt export', () => {
  it('a fresh study: the CSV header only; JSON with the config and no trials', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const csv = await cli('export', '--db', db);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^trial,state,attempts,scale,steps,parent,cost,w_a,w_b,w_c,/);
    assert.equal(csv.stdout.trim().split('\n').length, 1);
    const pts = await cli('export', '--db', db, '--points');
    assert.equal(pts.stdout, 'trial,metric,step,value\n');
    const j = JSON.parse((await cli('export', '--db', db, '--format', 'json')).stdout);
    assert.deepEqual(j.trials, []);
    assert.equal(j.config.name, 'small');
  });

  it('--out writes the file and prints nothing', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const out = join(tempDir(), 'trials.csv');
    const r = await cli('export', '--db', db, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), (await cli('export', '--db', db)).stdout);
  });

  it('a bad --format exits 2 naming it, before opening the database', async () => {
    const missing = join(tempDir(), 'none.db');
    const r = await cli('export', '--db', missing, '--format', 'xlsx');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format must be csv or json, got 'xlsx'/);
    assert.equal(existsSync(missing), false);
  });
});
