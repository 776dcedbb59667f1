// bench/compare.ts: two methods paired by seed through suite scoreboards, with the standard error
// of each case's mean difference, checked against hand-computed values.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const perSeed = (seed: number[], final: number[], anytime: number[]) => ({
  perSeed: { seed, final, anytime, regression: seed.map(() => 0) },
});

/** A scoreboard.json with the given cases: id -> method -> per-seed results. */
function board(cases: Record<string, Record<string, ReturnType<typeof perSeed>>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mixopt-compare-'));
  const file = join(dir, 'scoreboard.json');
  const list = Object.entries(cases).map(([id, methods]) => ({ id, methods }));
  writeFileSync(file, JSON.stringify({ scoreboard: { cases: list } }));
  return file;
}

const run = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/compare.ts', ...args], {
    encoding: 'utf8',
  });

describe('bench/compare.ts', () => {
  it('pairs by seed (not by position) and gives the mean difference, its s.e. and a verdict', () => {
    // c1: A − B = [−0.1, −0.05, −0.15] by seed: mean −0.1, sd 0.05, s.e. 0.05/√3 = 0.0289.
    // c2: A − B = [0.01, −0.01, 0.02]: mean 0.0067, sd 0.0153, s.e. 0.0088, within 2 s.e.
    const a = board({
      c1: { A: perSeed([0, 1, 2], [0.1, 0.2, 0.3], [0.5, 0.5, 0.5]) },
      c2: { A: perSeed([0, 1, 2], [0.11, 0.09, 0.12], [0.2, 0.2, 0.2]) },
    });
    const b = board({
      c1: { B: perSeed([2, 0, 1], [0.45, 0.2, 0.25], [0.5, 0.5, 0.5]) },
      c2: { B: perSeed([0, 1, 2], [0.1, 0.1, 0.1], [0.2, 0.2, 0.2]) },
    });
    const r = run(['--a', `${a}:A`, '--b', `${b}:B`]);
    assert.equal(r.status, 0, r.stderr);
    const row = (id: string) => r.stdout.split('\n').find((l) => l.startsWith(`| ${id} |`)) ?? '';
    assert.match(
      row('c1'),
      /\| c1 \| 3 \| 0\.2000 \| 0\.3000 \| -0\.1000 \(0\.0289\) \| better \|/,
    );
    assert.match(row('c1'), /0\.0000 \(0\.0000\) \| ~ \|$/);
    assert.match(row('c2'), /\| 0\.0067 \(0\.0088\) \| ~ \|/);
    assert.match(r.stdout, /final regret: better on 1, worse on 0, within 2 s\.e\. on 1/);
    // A stricter threshold leaves c1 undecided (|−0.1| < 4 × 0.0289).
    const strict = run(['--a', `${a}:A`, '--b', `${b}:B`, '--z', '4']);
    assert.match(strict.stdout, /final regret: better on 0, worse on 0, within 4 s\.e\. on 2/);
  });

  it('pools several root seeds, one file per side each', () => {
    const a0 = board({ c: { A: perSeed([0, 1], [0.1, 0.1], [0.1, 0.1]) } });
    const b0 = board({ c: { B: perSeed([0, 1], [0.2, 0.2], [0.1, 0.1]) } });
    const a1 = board({ c: { A: perSeed([0, 1], [0.3, 0.3], [0.1, 0.1]) } });
    const b1 = board({ c: { B: perSeed([0, 1], [0.2, 0.2], [0.1, 0.1]) } });
    const r = run(['--a', `${a0}:A,${a1}:A`, '--b', `${b0}:B,${b1}:B`]);
    assert.equal(r.status, 0, r.stderr);
    // Differences [−0.1, −0.1, 0.1, 0.1]: mean 0, sd 0.1155, s.e. 0.0577, n = 4.
    assert.match(r.stdout, /\| c \| 4 \| 0\.2000 \| 0\.2000 \| 0\.0000 \(0\.0577\) \| ~ \|/);
  });

  it('errors: unpaired file lists, a method without per-seed results, a malformed argument', () => {
    const a = board({ c: { A: perSeed([0], [0.1], [0.1]) } });
    const unpaired = run(['--a', `${a}:A,${a}:A`, '--b', `${a}:A`]);
    assert.equal(unpaired.status, 2);
    assert.match(unpaired.stderr, /--a lists 2 file\(s\), --b 1/);
    const noSeeds = board({ c: { B: {} as ReturnType<typeof perSeed> } });
    const missing = run(['--a', `${a}:A`, '--b', `${noSeeds}:B`]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /case c has no per-seed results of 'B'/);
    const bad = run(['--a', 'results.txt', '--b', `${a}:A`]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /is not FILE\.json:METHOD/);
  });
});
