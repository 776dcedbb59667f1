import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type BenchSummary,
  readJsonFile,
  readTrajectories,
  runBenchmark,
  seedFor,
  simulateJob,
  type Trajectory,
  writeResults,
} from '../../src/bench/index.ts';
import { readBenchSummary } from '../../src/cli/shared/index.ts';
import { DataError, NotFoundError } from '../../src/core/index.ts';

const TOY = { module: new URL('./toy-testbed.ts', import.meta.url).href };
const tmp = mkdtempSync(join(tmpdir(), 'mixopt-bench-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('benchmark harness', () => {
  it('runs methods x metrics x seeds on a tiny budget without exceeding it', async () => {
    const r = await runBenchmark({
      testbed: TOY,
      methods: ['random', 'hyperband'],
      metrics: 'all',
      seeds: 2,
      budget: 25,
      workers: 1,
    });
    assert.equal(r.trajectories.length, 2 * 2 * 2);
    for (const t of r.trajectories) {
      assert.equal(t.error, undefined);
      assert.ok(t.points.length > 0);
      let prev = 0;
      for (const p of t.points) {
        assert.ok(p.spent <= 25 + 1e-9);
        assert.ok(Math.abs(p.spent - prev - p.cost) < 1e-12, 'spent accumulates the charged costs');
        prev = p.spent;
        assert.equal(p.x, p.spent + (p.confirm ? 10 : 0));
      }
    }
    // Random: 2 target runs of cost 10 fit in 25; its recommendations are target runs.
    const rnd = r.trajectories.find((t) => t.method === 'random');
    assert.equal(rnd?.points.length, 2);
    assert.ok(rnd?.points.every((p) => !p.confirm));
    // Values are the true target values of the recommended mixtures.
    for (const p of rnd?.points ?? []) {
      const w = p.recommended;
      const o = [0.2, 0.2, 0.6];
      const d = w.reduce((s, x, i) => s + (x - (o[i] as number)) ** 2, 0);
      assert.ok(Math.abs(p.value - (1 + 2 / Math.sqrt(10) + d)) < 1e-12);
    }
    assert.deepEqual(r.summary.methods, ['random', 'hyperband']);
    assert.ok(r.summary.finalRegret['hyperband']?.['loss'] !== undefined);
    assert.equal(r.trajectories[0]?.optimizerSeed, seedFor(0, 0));
  });

  it('gives identical trajectories with worker threads and in-process', async () => {
    const opts = {
      testbed: TOY,
      methods: ['hyperband', 'random'],
      metrics: ['loss'],
      seeds: 3,
      budget: 30,
      seed: 4,
    } as const;
    const one = await runBenchmark({ ...opts, workers: 1 });
    const two = await runBenchmark({ ...opts, workers: 2 });
    assert.equal(two.meta.workers, 2);
    assert.deepEqual(two.trajectories, one.trajectories);
    assert.deepEqual(two.summary, one.summary);
  });

  it('rejects unknown methods and metrics by name', async () => {
    await assert.rejects(
      runBenchmark({ testbed: TOY, methods: ['optuna-tpe'], metrics: 'all', seeds: 1, workers: 1 }),
      (e: unknown) => e instanceof NotFoundError && /optuna-tpe/.test(e.message),
    );
    await assert.rejects(
      runBenchmark({ testbed: TOY, methods: ['random'], metrics: ['ppl'], seeds: 1, workers: 1 }),
      (e: unknown) => e instanceof NotFoundError && /'ppl'.*loss, acc/.test(e.message),
    );
  });

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

  it('ends a trajectory with the error when an optimiser breaks its contract', () => {
    const t = simulateJob(
      {
        name: 'x',
        description: '',
        domains: ['a'],
        scales: [{ name: 'L', params: 1 }],
        steps: { min: 100, max: 100, logEvery: 100 },
        metrics: [{ name: 'm', direction: 'minimize' }],
        target: { scale: 'L', steps: 100 },
        costUnit: 'u',
        evaluate: () => Number.NaN,
        curve: () => [],
        cost: () => 1,
      },
      { method: 'nope', metric: 'm', seed: 0, optimizerSeed: 0, budget: 3 },
    );
    assert.match(t.error ?? '', /unknown optimiser 'nope'/);
    assert.equal(t.points.length, 0);
  });
});

describe('harness numerics', () => {
  it('reports a testbed that returns NaN instead of scoring it silently', async () => {
    const { toyTestbed } = await import('./toy-testbed.ts');
    const broken = { ...toyTestbed, curve: () => [{ step: 1000, value: Number.NaN }] };
    const t = simulateJob(broken, {
      method: 'random',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 0,
      budget: 30,
    });
    assert.match(t.error ?? '', /NumericsError: testbed 'toy' returned NaN for loss/);
    assert.equal(t.points.length, 0);
  });
});

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
