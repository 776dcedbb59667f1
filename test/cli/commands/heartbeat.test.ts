import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { smallConfig } from '../../study/helpers.ts';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('mixopt heartbeat', () => {
  it('renews the lease of a running trial of the chosen study', async () => {
    const { config, db, dir } = setup();
    await cli('study', 'create', config, '--db', db);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, stringify(smallConfig({ name: 'other' })));
    await cli('study', 'create', other, '--db', db);
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

  it('text: the new lease end; a lease moves forward; a trial not running is a state error (exit 1)', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const [t] = JSON.parse((await cli('ask', '--db', db, '--lease', '30', '--json')).stdout);
    const first = Date.parse(t.leaseExpires);
    await new Promise((r) => setTimeout(r, 20));
    const beat = await cli('heartbeat', '--db', db, '--trial', '1');
    assert.equal(beat.code, 0, beat.stderr);
    const m = /^trial 1: lease until (\S+)\n$/.exec(beat.stdout);
    assert.ok(m !== null, beat.stdout);
    // Renewed for the study's lease length (60 s), from now.
    assert.ok(Date.parse(m[1] as string) > first + 20_000, `${m[1]} vs ${t.leaseExpires}`);
    await cli('tell', '--db', db, '--trial', '1', '--step', '100', '--value', '3');
    await cli('tell', '--db', db, '--trial', '1', '--final');
    const done = await cli('heartbeat', '--db', db, '--trial', '1');
    assert.equal(done.code, 1);
    assert.match(done.stderr, /E_STATE/);
    const none = await cli('heartbeat', '--db', db, '--trial', '9');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /has no trial 9/);
  });
});
