import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { ConfigError, DataError, NotFoundError, ValidationError } from '../../src/core/index.ts';
import {
  createRecordedTestbed,
  getTestbed,
  loadRecordedRuns,
  loadRecordedTestbed,
  type RecordedMapping,
} from '../../src/testbeds/index.ts';
import { ADMIRE_CSV, needsAdmire, tempDir } from './helpers.ts';

const CSV = `mix_a,mix_b,mix_c,size,step,loss,acc,gpu_hours
0.5,0.3,0.2,small,100,3.1,0.41,1
0.5,0.3,0.2,small,200,2.9,,2
0.5,0.3,0.2,big,200,2.5,0.52,8
0.2,0.2,0.6,small,200,2.95,0.44,2.2
0.2,0.2,0.6,big,200,2.45,0.55,8.4
0.1,0.9,0.0005,small,200,3.3,0.38,2
`;

const MAPPING: RecordedMapping = {
  name: 'toy',
  mixture: { prefix: 'mix_' },
  scale: {
    column: 'size',
    ladder: [
      { value: 'big', name: 'B', params: 1e9 },
      { value: 'small', name: 'S', params: 1e8 },
    ],
  },
  steps: { column: 'step', logEvery: 100 },
  metrics: [
    { name: 'loss', column: 'loss', direction: 'minimize' },
    { name: 'acc', column: 'acc', direction: 'maximize' },
  ],
  cost: { column: 'gpu_hours', unit: 'GPU hours' },
  target: { scale: 'B' },
};

function toy(csv = CSV, mapping: unknown = MAPPING) {
  const dir = tempDir('runs');
  const path = join(dir, 'runs.csv');
  writeFileSync(path, csv);
  return { path, dir, runs: loadRecordedRuns(path, mapping) };
}

describe('recorded runs (replay)', () => {
  it('loads domains by prefix, a sorted ladder, steps, and renormalises recorded mixtures', () => {
    const { runs } = toy();
    assert.deepEqual(runs.domains, ['a', 'b', 'c']);
    assert.deepEqual(
      runs.scales.map((s) => s.name),
      ['S', 'B'],
    );
    assert.deepEqual(runs.steps, { min: 100, max: 200, logEvery: 100 });
    const last = runs.runs[5];
    assert.ok(last !== undefined && Math.abs(last.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  });

  it('returns recorded values exactly; curves are the recorded points; cost from the cost column', () => {
    const { runs } = toy();
    const tb = createRecordedTestbed(runs);
    assert.equal(tb.evaluate([0.5, 0.3, 0.2], 'B', 200, 'loss'), 2.5);
    assert.equal(tb.evaluate([0.5, 0.3, 0.2], 'S', 100, 'acc'), 0.41);
    assert.deepEqual(tb.curve([0.5, 0.3, 0.2], 'S', 200, 'loss'), [
      { step: 100, value: 3.1 },
      { step: 200, value: 2.9 },
    ]);
    // candidates: mixtures recorded at every size
    assert.equal(tb.candidates?.length, 2);
    assert.deepEqual(tb.target, { scale: 'B', steps: 200 });
    // mean per-step cost at B: (8/200 + 8.4/200) / 2
    assert.ok(Math.abs(tb.cost('B', 200) - 8.2) < 1e-12);
    assert.match(tb.costUnit, /GPU hours/);
    const opt = tb.referenceOptimum?.('acc');
    assert.deepEqual(opt?.mixture, [0.2, 0.2, 0.6]);
    assert.equal(opt?.value, 0.55);
  });

  it('refuses unrecorded points and empty cells, naming them', () => {
    const tb = createRecordedTestbed(toy().runs);
    assert.throws(
      () => tb.evaluate([0.2, 0.2, 0.6], 'S', 100, 'loss'),
      (e: unknown) =>
        e instanceof NotFoundError && /\[0\.2, 0\.2, 0\.6\].*size S, 100 steps/.test(e.message),
    );
    assert.throws(() => tb.evaluate([0.4, 0.4, 0.2], 'B', 200, 'loss'), NotFoundError);
    assert.throws(
      () => tb.evaluate([0.5, 0.3, 0.2], 'S', 200, 'acc'),
      /line 3 .* no value for metric 'acc'/,
    );
    assert.throws(() => tb.evaluate([0.5, 0.3, 0.2], 'M', 200, 'loss'), /unknown size 'M'.*S, B/);
    assert.throws(() => tb.evaluate([0.5, 0.3, 0.2], 'B', 300, 'loss'), ValidationError);
    assert.throws(() => tb.evaluate([0.5, 0.5], 'B', 200, 'loss'), /must have 3 weights/);
  });

  it('data and mapping errors name the file, line or field', () => {
    assert.throws(
      () => loadRecordedRuns(join(tempDir('x'), 'none.csv'), MAPPING),
      (e: unknown) => e instanceof DataError && /none\.csv/.test(e.message),
    );
    assert.throws(
      () => toy(CSV.replace('2.5,0.52', 'abc,0.52')),
      (e: unknown) =>
        e instanceof DataError && /line 4: metric loss 'abc' is not a number/.test(e.message),
    );
    assert.throws(
      () => toy(CSV.replace('0.1,0.9,0.0005', '0.1,0.5,0.0005')),
      /line 7: mixture weights sum to 0\.6/,
    );
    assert.throws(
      () => toy(CSV.replace('big,200,2.45', 'huge,200,2.45')),
      /scale 'huge' is not in the mapping's ladder/,
    );
    assert.throws(
      () =>
        toy(CSV, { ...MAPPING, metrics: [{ name: 'x', column: 'nope', direction: 'minimize' }] }),
      /no column 'nope'/,
    );
    assert.throws(
      () => toy(CSV, { ...MAPPING, metrics: [{ name: 'x', column: 'loss', direction: 'down' }] }),
      (e: unknown) => e instanceof ConfigError && /metrics\.0\.direction/.test(e.message),
    );
  });

  it('a mapping file with a relative csv path loads through loadRecordedTestbed', () => {
    const { dir } = toy();
    const mp = join(dir, 'toy.mapping.json');
    writeFileSync(mp, JSON.stringify({ ...MAPPING, csv: 'runs.csv' }));
    assert.equal(loadRecordedTestbed(mp).evaluate([0.2, 0.2, 0.6], 'B', 200, 'acc'), 0.55);
  });
});

describe('admire-ift (recorded)', { skip: needsAdmire }, () => {
  it('replays the 460 runs exactly, with 76 candidate mixtures recorded at all three sizes', () => {
    const tb = getTestbed('admire-ift');
    assert.equal(tb.domains.length, 19);
    assert.deepEqual(
      tb.scales.map((s) => s.name),
      ['0.5B', '3B', '7B'],
    );
    assert.equal(tb.candidates?.length, 76);
    assert.ok(tb.metrics.every((m) => m.direction === 'maximize'));
    const rows = parse(readFileSync(ADMIRE_CSV, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    const ratio = Object.keys(rows[0] as object).filter((c) => c.startsWith('ratio_'));
    const names = new Map([
      ['Qwen2.5-0.5B', '0.5B'],
      ['Qwen2.5-3B', '3B'],
      ['Qwen2.5-7B', '7B'],
    ]);
    let checked = 0;
    for (const r of rows) {
      const w = ratio.map((c) => Number(r[c]));
      const s = w.reduce((a, b) => a + b, 0);
      const wn = w.map((x) => x / s);
      assert.equal(
        tb.evaluate(wn, names.get(r.model as string) as string, 1, 'gsm8k'),
        Number(r['metric_gsm8k::tulu']),
      );
      assert.equal(
        tb.evaluate(wn, names.get(r.model as string) as string, 1, 'ifeval'),
        Number(r['metric_ifeval::tulu']),
      );
      checked++;
    }
    assert.equal(checked, 460);
    // train_time as cost: the 7B mean is larger than the 0.5B mean.
    assert.ok(tb.cost('7B', 1) > tb.cost('0.5B', 1));
    const c = tb.candidates?.[0] as number[];
    for (const s of ['0.5B', '3B', '7B'])
      assert.equal(typeof tb.evaluate(c, s, 1, 'avg_id'), 'number');
  });
});
