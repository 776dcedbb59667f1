import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const tmp = mkdtempSync(join(tmpdir(), 'mixopt-bench-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('mixopt bench (CLI)', () => {
  it('prints the summary with speedups and final regret as JSON', () => {
    const out = join(tmp, 'cli');
    const r = spawnSync(
      process.execPath,
      [
        'scripts/mixopt-dev.mjs',
        'bench',
        '--testbed-module',
        'test/bench/toy-testbed.ts',
        '--methods',
        'random,hyperband',
        '--metrics',
        'loss',
        '--seeds',
        '2',
        '--budget',
        '30',
        '--workers',
        '1',
        '--out',
        out,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      speedups: Record<
        string,
        Record<string, { median: number; perMetric: Record<string, number> }>
      >;
      finalRegret: Record<string, Record<string, { mean: number; sem: number }>>;
      files: string[];
    };
    assert.equal(typeof s.speedups['hyperband']?.['random']?.median, 'number');
    assert.equal(typeof s.speedups['hyperband']?.['random']?.perMetric['loss'], 'number');
    assert.equal(typeof s.finalRegret['random']?.['loss']?.mean, 'number');
    assert.equal(typeof s.finalRegret['random']?.['loss']?.sem, 'number');
    assert.ok(s.files.some((p) => p.endsWith('loss.svg')));
    assert.match(r.stderr, /job 4\/4 done/);
  });

  it('exits 2 naming the bad value', () => {
    const r = spawnSync(
      process.execPath,
      [
        'scripts/mixopt-dev.mjs',
        'bench',
        '--testbed-module',
        'test/bench/toy-testbed.ts',
        '--seeds',
        '0',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--seeds must be a positive integer, got '0'/);
  });
});
