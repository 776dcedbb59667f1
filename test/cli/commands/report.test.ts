import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lawStudy } from '../../report/fixtures.ts';
import { tempDir } from '../../study/helpers.ts';
import { cli } from '../study-helpers.ts';

const PNG_MAGIC = '89504e470d0a1a0a';
const isPng = (p: string): boolean => readFileSync(p).subarray(0, 8).toString('hex') === PNG_MAGIC;

describe('mixopt report', () => {
  it('writes a study report with one table row per trial, and PNGs of every chart', async () => {
    const { db, input } = await lawStudy('random', 600, {});
    const out = join(tempDir(), 'sub', 'study.html');
    const r = await cli(
      'report',
      '--db',
      db,
      '--out',
      out,
      '--png',
      '--trace-points',
      '3',
      '--quiet',
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', '--quiet prints nothing on stderr');
    const { files, charts } = JSON.parse(r.stdout) as { files: string[]; charts: string[] };
    assert.deepEqual(charts, [
      'trace',
      'mixture',
      'ladder',
      'learning-curves',
      'spend',
      'timeline',
    ]);
    assert.equal(files[0], out);
    const html = readFileSync(out, 'utf8');
    const tbody = html.match(/<table id="trials"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
    assert.equal(tbody.match(/<tr/g)?.length, input.trials.length);
    assert.ok(input.trials.some((t) => t.state === 'failed'));
    assert.equal(files.length, 1 + charts.length);
    // without --quiet, on a non-terminal: one progress line per refit of the recommendation
    const loud = await cli('report', '--db', db, '--out', out, '--trace-points', '2');
    assert.equal(loud.code, 0, loud.stderr);
    assert.equal(
      loud.stderr.match(/^report: recommendation after \d+ of \d+ finished trial\(s\)$/gm)?.length,
      2,
    );
    for (const c of charts) {
      const png = files.find((f) => f.endsWith(`study-${c}.png`));
      assert.ok(png !== undefined && existsSync(png) && isPng(png), `${c} PNG`);
    }
  });

  it('bench --html --png writes report.html and a PNG per chart into --out; report --bench rebuilds it', async () => {
    const dir = tempDir();
    const b = await cli(
      'bench',
      '--testbed',
      'law',
      '--methods',
      'random,hyperband',
      '--metrics',
      'c4_cross_entropy',
      '--seeds',
      '2',
      '--budget',
      '300',
      '--workers',
      '1',
      '--out',
      dir,
      '--html',
      '--png',
      '--quiet',
      '--json',
    );
    assert.equal(b.code, 0, b.stderr);
    const files = (JSON.parse(b.stdout) as { files: string[] }).files;
    assert.ok(files.includes(join(dir, 'report.html')));
    for (const f of ['metric-c4_cross_entropy.png', 'regret.png'])
      assert.ok(isPng(join(dir, f)), f);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<title>Benchmark on law<\/title>/);
    assert.match(html, /id="speedup-median"/);

    const out = join(dir, 'again.html');
    const r = await cli('report', '--bench', dir, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*again\.html \(2 charts: metric-c4_cross_entropy, regret\)/);
    assert.match(readFileSync(out, 'utf8'), /<title>Benchmark on law<\/title>/);
  });

  it('bad input: a clear error and exit 2 (or 3 for a malformed file)', async () => {
    const dir = tempDir();
    const noOut = await cli(
      'bench',
      '--testbed',
      'law',
      '--methods',
      'random',
      '--metrics',
      'c4_cross_entropy',
      '--seeds',
      '1',
      '--budget',
      '200',
      '--workers',
      '1',
      '--html',
      '--quiet',
    );
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--html writes into the results folder: add --out DIR/);
    const none = await cli('report', '--bench', join(dir, 'nope'));
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no benchmark results at '.*nope'/);
    const empty = await cli('report', '--bench', dir);
    assert.equal(empty.code, 2);
    assert.match(
      empty.stderr,
      /holds no summary\.json, summary\.json\.gz, bench\.json, bench\.json\.gz/,
    );
    writeFileSync(join(dir, 'summary.json'), '{"summary": {"testbed": 1}}');
    const bad = await cli('report', '--bench', dir);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /has no benchmark "summary"/);
    const noDb = await cli('report', '--db', join(dir, 'missing.db'));
    assert.equal(noDb.code, 2);
    assert.match(noDb.stderr, /no study database at/);
  });
});
