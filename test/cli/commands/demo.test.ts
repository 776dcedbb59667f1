import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const tmp = mkdtempSync(join(tmpdir(), 'mixopt-bench-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('mixopt demo (CLI)', () => {
  it('runs on the built-in law testbed, prints speedups over hyperband and random, writes charts', () => {
    const out = join(tmp, 'demo');
    const r = spawnSync(
      process.execPath,
      [
        'scripts/mixopt-dev.mjs',
        'demo',
        '--methods',
        'random,hyperband',
        '--seeds',
        '1',
        '--workers',
        '1',
        '--quiet',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| hyperband vs random \|/);
    assert.match(r.stdout, /\| random vs hyperband \|/);
    assert.match(r.stdout, /\| \*\*median\*\* \|/);
    assert.deepEqual(
      readdirSync(out)
        .filter((f) => f.endsWith('.svg'))
        .sort(),
      ['c4_cross_entropy.svg', 'hellaswag_accuracy.svg'],
    );
  });
});
