import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError } from '../../src/core/index.ts';
import { loadRunSet } from '../../src/transfer/recorded.ts';

const MAPPING = {
  name: 'tiny',
  mixture: { prefix: 'w_' },
  scale: {
    column: 'model',
    ladder: [
      { value: 'S', name: 'small', params: 1e8 },
      { value: 'L', name: 'large', params: 1e9 },
    ],
  },
  steps: { fixed: 1 },
  metrics: [
    { name: 'acc', column: 'acc', direction: 'maximize' },
    { name: 'loss', column: 'loss', direction: 'minimize' },
  ],
  target: { scale: 'large' },
};

const dir = mkdtempSync(join(tmpdir(), 'mixopt-transfer-'));
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('loadRunSet (recorded runs through the recorded-runs loader)', () => {
  it('makes one run per row for final-value data', () => {
    const p = csv(
      'ok.csv',
      'model,w_a,w_b,acc,loss\nS,0.5,0.5,0.1,2\nL,0.5,0.5,0.2,1.5\nL,0.2,0.8,0.3,\n',
    );
    const rs = loadRunSet(p, MAPPING);
    assert.equal(rs.runs.length, 3);
    assert.deepEqual(rs.domains, ['a', 'b']);
    assert.deepEqual(
      rs.scales.map((s) => s.name),
      ['small', 'large'],
    );
    assert.equal(rs.maxSteps, 1);
    assert.deepEqual(
      rs.runs.map((r) => r.scale),
      ['small', 'large', 'large'],
    );
    assert.deepEqual(rs.runs[2]?.values.acc, [0.3]);
    // an empty cell is a missing value, skipped by the experiments
    assert.ok(Number.isNaN(rs.runs[2]?.values.loss?.[0]));
  });
  it('groups rows of one mixture and scale into a curve', () => {
    const m = { ...MAPPING, steps: { column: 'step' } };
    const p = csv(
      'curve.csv',
      'model,step,w_a,w_b,acc,loss\nS,200,0.5,0.5,0.2,2\nS,100,0.5,0.5,0.1,3\nL,100,0.5,0.5,0.3,1\n',
    );
    const rs = loadRunSet(p, m);
    assert.equal(rs.runs.length, 2);
    assert.deepEqual(rs.runs[0]?.steps, [100, 200]);
    assert.deepEqual(rs.runs[0]?.values.loss, [3, 2]);
    const dup = csv(
      'dup.csv',
      'model,step,w_a,w_b,acc,loss\nS,100,0.5,0.5,0.2,2\nS,100,0.5,0.5,0.1,3\n',
    );
    assert.throws(
      () => loadRunSet(dup, m),
      /lines 2 and 3 record the same mixture at size small, 100 steps with different values \(metric acc: 0\.2 vs 0\.1\)/,
    );
  });
  it('reports a missing column, a non-numeric value and a mixture off the simplex', () => {
    const missing = csv('missing.csv', 'model,w_a,w_b,acc\nS,0.5,0.5,0.1\n');
    assert.throws(
      () => loadRunSet(missing, MAPPING),
      (e: unknown) =>
        e instanceof DataError && /has no column 'loss' \(metric loss\)/.test(e.message),
    );
    const text = csv('text.csv', 'model,w_a,w_b,acc,loss\nS,0.5,0.5,high,2\n');
    assert.throws(
      () => loadRunSet(text, MAPPING),
      (e: unknown) =>
        e instanceof DataError && /line 2: metric acc 'high' is not a number/.test(e.message),
    );
    const sum = csv('sum.csv', 'model,w_a,w_b,acc,loss\nS,0.5,0.5,0.1,2\nL,0.7,0.5,0.1,2\n');
    assert.throws(
      () => loadRunSet(sum, MAPPING),
      (e: unknown) =>
        e instanceof DataError && /line 3: mixture weights sum to 1.2/.test(e.message),
    );
    assert.throws(() => loadRunSet(join(dir, 'nope.csv'), MAPPING), /cannot read runs file/);
  });
  const admire = '../shared/runs/admire-ift-runs.csv';
  it('loads the ADMIRE IFT runs: three sizes, final values only', {
    skip: !existsSync(admire),
  }, () => {
    const mapping = JSON.parse(
      readFileSync('examples/recorded-runs/admire-mapping.json', 'utf8'),
    ) as unknown;
    const rs = loadRunSet(admire, mapping);
    assert.deepEqual(
      rs.scales.map((s) => s.name),
      ['0.5B', '3B', '7B'],
    );
    const count = (s: string) => rs.runs.filter((r) => r.scale === s).length;
    assert.deepEqual([count('0.5B'), count('3B'), count('7B')], [256, 128, 76]);
    assert.equal(rs.domains.length, 19);
    assert.ok(rs.runs.every((r) => r.steps.length === 1));
  });
});
