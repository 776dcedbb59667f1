import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Rng } from '../../../src/core/index.ts';
import { cli } from '../study-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'mixopt-transfer-cli-'));
const mappingPath = join(dir, 'mapping.json');
writeFileSync(
  mappingPath,
  JSON.stringify({
    name: 'tiny',
    mixture: { prefix: 'w_' },
    scale: {
      column: 'model',
      ladder: [
        { value: 'S', name: 'S', params: 1e8 },
        { value: 'M', name: 'M', params: 3e8 },
        { value: 'L', name: 'L', params: 1e9 },
      ],
    },
    steps: { fixed: 1 },
    metrics: [{ name: 'score', column: 'score', direction: 'maximize' }],
    target: { scale: 'L' },
  }),
);
// 3 sizes x 12 mixtures; score = size effect + a smooth mixture effect
const rng = new Rng(11);
const lines = ['model,w_a,w_b,w_c,score'];
for (const [m, size] of [
  ['S', 0],
  ['M', 0.5],
  ['L', 1],
] as const) {
  for (let i = 0; i < 12; i++) {
    const w = rng.dirichlet(1, 3);
    const score = 0.3 + 0.2 * size + 0.3 * (w[0] as number) - 0.2 * (w[1] as number) ** 2;
    lines.push([m, ...w.map((x) => x.toFixed(12)), score].join(','));
  }
}
const runsPath = join(dir, 'runs.csv');
writeFileSync(runsPath, `${lines.join('\n')}\n`);

describe('mixopt transfer', () => {
  it('runs the recorded-runs variant and prints the JSON summary', async () => {
    const outDir = join(dir, 'out');
    const r = await cli(
      'transfer',
      '--runs',
      runsPath,
      '--mapping',
      mappingPath,
      '--experiments',
      'E1,E2,E3',
      '--seeds',
      '0,1',
      '--restarts',
      '1',
      '--out',
      outDir,
      '--predictions',
      join(outDir, 'predictions.csv.gz'),
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      experiments: Record<string, Record<string, Record<string, unknown>>>;
    };
    assert.deepEqual(Object.keys(s.experiments), ['E1', 'E2', 'E3']);
    for (const e of ['E1', 'E2', 'E3']) {
      const c = s.experiments[e]?.score;
      assert.ok(c !== undefined);
      for (const k of ['r2', 'r2Std', 'r2Log', 'coverage90', 'spearman', 'kendall', 'top1', 'top5'])
        assert.equal(typeof c[k], 'number', `${e}.${k}`);
    }
    // + all sizes beats the largest size alone on this smooth, size-additive truth
    assert.ok((s.experiments.E3?.score?.r2 as number) > 0.9);
    assert.match(r.stderr, /\[6\/6\] E3 score seed 1/);
    for (const f of [
      'results.csv',
      'predictions.csv.gz',
      'r2.svg',
      'rank.svg',
      'calibration.svg',
      'summary.json',
      'table.txt',
    ]) {
      assert.ok(existsSync(join(outDir, f)), f);
    }
    assert.match(readFileSync(join(outDir, 'r2.svg'), 'utf8'), /^<svg/);
    // --predictions NAME.gz: gzipped; a header and one row per held-out run, experiment and seed.
    assert.ok(!existsSync(join(outDir, 'predictions.csv')));
    const pred = gunzipSync(readFileSync(join(outDir, 'predictions.csv.gz'))).toString('utf8');
    const rows = pred.trim().split('\n');
    assert.equal(rows[0], 'experiment,metric,seed,run,scale,value,mean,std');
    assert.ok(rows.length > 1 + 2 * 3, `${rows.length} rows`);
    assert.ok(
      rows.slice(1).every((l) => /^E[123],score,[01],/.test(l)),
      rows[1],
    );
    const csv = readFileSync(join(outDir, 'results.csv'), 'utf8');
    assert.equal(csv.trim().split('\n').length, 4);
    assert.match(
      csv.split('\n')[0] as string,
      /,spearman,spearman_std,kendall,top1,top5,top10pct,/,
    );
    assert.match(
      readFileSync(join(outDir, 'table.txt'), 'utf8'),
      /Spearman ρ, predicted vs true order/,
    );
    // --replot redraws the same CSV and table from summary.json, without fitting
    const table = readFileSync(join(outDir, 'table.txt'), 'utf8');
    const again = await cli('transfer', '--replot', outDir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(join(outDir, 'results.csv'), 'utf8'), csv);
    assert.equal(again.stdout, table);
    const none = await cli('transfer', '--replot', join(dir, 'nowhere'));
    assert.equal(none.code, 3);
    assert.match(none.stderr, /--replot needs a directory written by mixopt transfer --out DIR/);
  });
  it('asks a custom question: --train small sizes --test the largest', async () => {
    const base = ['transfer', '--runs', runsPath, '--mapping', mappingPath];
    const quick = ['--seeds', '0', '--restarts', '1', '--json'];
    const r = await cli(...base, '--train', 'S,M', '--test', 'L', ...quick);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(s.experiments), ['custom']);
    assert.equal(s.design.custom.description, 'train S, M; test L');
    assert.equal(s.design.custom.testRuns, 12);
    assert.equal(typeof s.experiments.custom.score.spearman, 'number');
    const both = await cli(
      ...base,
      '--experiments',
      'E1',
      '--train',
      'S@5,L:0.5',
      '--test',
      'L',
      ...quick,
    );
    assert.equal(both.code, 0, both.stderr);
    assert.deepEqual(Object.keys(JSON.parse(both.stdout).experiments), ['E1', 'custom']);
    for (const [flag, v, msg] of [
      ['--train', 'S:2', /share outside \(0, 1\]/],
      ['--train', 'S@x', /is not a size/],
      ['--test', 'XL', /--test: size 'XL' is not in the run set/],
    ] as const) {
      const args = flag === '--train' ? [flag, v, '--test', 'L'] : ['--train', 'S', flag, v];
      const bad = await cli(...base, ...args);
      assert.equal(bad.code, 2, `${flag} ${v}`);
      assert.match(bad.stderr, msg);
    }
    const half = await cli(...base, '--train', 'S');
    assert.equal(half.code, 2);
    assert.match(half.stderr, /needs both --train SIZES and --test SIZE/);
  });

  it('exits 2 on bad options and 3 on bad data, with the reason on stderr', async () => {
    const a = await cli('transfer', '--runs', runsPath);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /needs both --runs FILE .* and --mapping FILE/);
    const b = await cli(
      'transfer',
      '--runs',
      runsPath,
      '--mapping',
      mappingPath,
      '--experiments',
      'E9',
    );
    assert.equal(b.code, 2);
    assert.match(b.stderr, /unknown experiment 'E9'/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'model,w_a,w_b,w_c,score\nS,0.5,0.5,0.5,0.1\n');
    const c = await cli('transfer', '--runs', bad, '--mapping', mappingPath, '--json');
    assert.equal(c.code, 3);
    assert.match(c.stderr, /line 2: mixture weights sum to 1.5/);
    assert.equal((JSON.parse(c.stdout) as { error: { code: string } }).error.code, 'E_DATA');
    const d = await cli(
      'transfer',
      '--runs',
      runsPath,
      '--mapping',
      mappingPath,
      '--experiments',
      'E6',
    );
    assert.equal(d.code, 2);
    assert.match(d.stderr, /E6 needs learning curves \(several checkpoints per run\)/);
  });
});
