import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type BenchSummary,
  readJsonFile,
  readTrajectories,
  runBenchmark,
  type Trajectory,
  writeResults,
} from '../../src/bench/index.ts';
import { safeName } from '../../src/bench/write-results.ts';
import { readBenchSummary } from '../../src/cli/shared/index.ts';
import { DataError } from '../../src/core/index.ts';

const TOY = { module: new URL('./toy-testbed.ts', import.meta.url).href };
const tmp = mkdtempSync(join(tmpdir(), 'mixopt-bench-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeResults / readTrajectories / readJsonFile', () => {
  it('writes JSON, Markdown and one SVG per metric, and merges foreign trajectories', async () => {
    const r = await runBenchmark({
      testbed: TOY,
      methods: ['random'],
      metrics: 'all',
      seeds: 2,
      budget: 30,
      workers: 1,
    });
    const dir = join(tmp, 'out');
    await writeResults(r, dir);
    assert.deepEqual(readdirSync(dir).sort(), ['acc.svg', 'bench.json', 'loss.svg', 'summary.md']);
    const svg = readFileSync(join(dir, 'loss.svg'), 'utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, /random/);
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /\| loss \|/);
    const back = readTrajectories(join(dir, 'bench.json'));
    assert.deepEqual(back, r.trajectories);
    // A trajectory from another tool (e.g. optuna-tpe) joins the summary.
    const foreign: Trajectory = { ...(back[0] as Trajectory), method: 'optuna-tpe' };
    const f = join(tmp, 'tpe.json');
    writeFileSync(f, JSON.stringify({ trajectories: [foreign] }));
    const merged = await runBenchmark({
      testbed: TOY,
      methods: ['random'],
      metrics: ['loss'],
      seeds: 1,
      budget: 30,
      workers: 1,
      include: readTrajectories(f),
    });
    assert.deepEqual(merged.summary.methods, ['random', 'optuna-tpe']);
    assert.equal(merged.summary.speedups['optuna-tpe']?.['random']?.perMetric['loss'], 1);
    writeFileSync(f, '{"trajectories": [{"method": 1}]}');
    assert.throws(() => readTrajectories(f), DataError);
  });

  it('with gzip: bench.json.gz and summary.json.gz, read back by every reader', async () => {
    const r = await runBenchmark({
      testbed: TOY,
      methods: ['random'],
      metrics: ['loss'],
      seeds: 2,
      budget: 30,
      workers: 1,
    });
    const dir = join(tmp, 'gz');
    mkdirSync(dir, { recursive: true });
    // A summary.json from an earlier run without gzip would be read first: it goes.
    writeFileSync(join(dir, 'summary.json'), '{"stale": true}');
    await writeResults(r, dir, { gzip: true });
    assert.deepEqual(readdirSync(dir).sort(), [
      'bench.json.gz',
      'loss.svg',
      'summary.json.gz',
      'summary.md',
    ]);
    assert.deepEqual(readTrajectories(join(dir, 'bench.json.gz')), r.trajectories);
    const s = readJsonFile(join(dir, 'summary.json.gz')) as { summary: BenchSummary };
    assert.deepEqual(s.summary.methods, ['random']);
    assert.equal(s.summary.seeds, 2);
    // Rounded to 7 significant digits, otherwise the summary in bench.json.gz.
    const mean = r.summary.curves['random']?.['loss']?.mean ?? [];
    const i = mean.findIndex((x) => x !== null && Number(x.toPrecision(7)) !== x);
    assert.ok(i >= 0, 'a value with more than 7 significant digits');
    assert.equal(s.summary.curves['random']?.['loss']?.mean[i], Number(mean[i]?.toPrecision(7)));
    const read = readBenchSummary(dir);
    assert.deepEqual(read.summary, s.summary);
    assert.deepEqual(readBenchSummary(join(dir, 'bench.json.gz')).summary, r.summary);
  });
});

describe('safeName', () => {
  it('replaces each run of characters outside [A-Za-z0-9._-] by one underscore', () => {
    assert.equal(safeName('c4_cross_entropy'), 'c4_cross_entropy');
    assert.equal(safeName('acc/norm (5-shot)'), 'acc_norm_5-shot_');
    assert.equal(safeName('é.v1'), '_.v1');
  });
});
