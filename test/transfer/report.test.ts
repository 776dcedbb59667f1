import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALIBRATION_LEVELS,
  runTransfer,
  type TransferResult,
} from '../../src/transfer/experiments.ts';
import {
  predictionsCsv,
  transferCsv,
  transferMarkdown,
  transferTable,
} from '../../src/transfer/report.ts';
import { oracle, RS } from './oracle.ts';

describe('transfer report: table and CSVs', () => {
  it('writes a table, a results CSV and a predictions CSV', () => {
    const res = runTransfer(RS, {
      experiments: ['E1', 'E2'],
      metrics: ['loss', 'acc'],
      seeds: [0],
      factory: oracle('loss', 1),
    });
    const csv = transferCsv(res).trim().split('\n');
    assert.equal(csv.length, 1 + 4);
    assert.match(csv[0] as string, /^experiment,metric,r2,r2_std,r2_log,r2_log_std,coverage90,/);
    const pred = predictionsCsv(res).trim().split('\n');
    assert.equal(pred.length, 1 + 4 * 6);
    const table = transferTable(res, { paper: true });
    assert.match(table, /E1: half of 1B; 6 runs, 6 points/);
    assert.match(table, /E2: half of 1B \+ all 700M; 18 runs/);
  });
});

/** One experiment (E2), two metrics; the description holds a comma (quoted in the CSV). */
const hand = {
  source: 'hand',
  seeds: [0, 1],
  metrics: ['c4_cross_entropy', 'loss'],
  surrogate: 'custom',
  halfTrainPoints: 'final',
  experiments: [
    {
      id: 'E2',
      description: 'half of 1B, all 700M',
      trainRuns: 18,
      testRuns: 6,
      compute: { runs: 18, points: 18, steps: 18, cost: 123.45 },
    },
  ],
  cells: [
    {
      experiment: 'E2',
      metric: 'c4_cross_entropy',
      r2: 0.876,
      r2Std: 0.05,
      r2Log: 0.9,
      r2LogStd: 0.01,
      coverage90: 0.875,
      coverage: CALIBRATION_LEVELS.map((q) => q),
      rank: { spearman: 0.5, spearmanStd: 0.25, kendall: 0.4, top1: 1, top5: 0.6, top10pct: 0.5 },
      seeds: [],
    },
    {
      experiment: 'E2',
      metric: 'loss',
      r2: -0.5,
      r2Std: 0,
      r2Log: undefined,
      r2LogStd: undefined,
      coverage90: 1,
      coverage: CALIBRATION_LEVELS.map(() => 1),
      rank: {
        spearman: undefined,
        spearmanStd: undefined,
        kendall: undefined,
        top1: undefined,
        top5: undefined,
        top10pct: undefined,
      },
      seeds: [],
    },
  ],
} as unknown as TransferResult;

describe('transfer report on a hand-made result', () => {
  it('transferCsv: blanks for undefined, the paper R² where known, a quoted description', () => {
    const [head, c4, loss] = transferCsv(hand).trim().split('\n');
    assert.equal(
      head,
      `experiment,metric,r2,r2_std,r2_log,r2_log_std,coverage90,${CALIBRATION_LEVELS.map((q) => `coverage_${q}`).join(',')},spearman,spearman_std,kendall,top1,top5,top10pct,paper_r2,seeds,train_runs,train_points,train_steps,train_cost,test_runs,description`,
    );
    assert.equal(
      c4,
      `E2,c4_cross_entropy,0.876,0.05,0.9,0.01,0.875,${CALIBRATION_LEVELS.join(',')},0.5,0.25,0.4,1,0.6,0.5,0.99,2,18,18,18,123.45,6,"half of 1B, all 700M"`,
    );
    assert.equal(
      loss,
      `E2,loss,-0.5,0,,,1,${CALIBRATION_LEVELS.map(() => 1).join(',')},,,,,,,,2,18,18,18,123.45,6,"half of 1B, all 700M"`,
    );
  });

  it('transferTable: R² ± std with [paper]; — for undefined; placeholder step counts hidden', () => {
    const t = transferTable(hand, { paper: true });
    const lines = t.split('\n');
    assert.equal(lines[0], 'held-out R² (mean ± std over seeds 0, 1) [paper]');
    assert.equal(lines[2], `c4_cross_entropy${'0.88±0.05 [0.99]'.padStart(18)}`);
    assert.equal(lines[3], `loss            ${'-0.50±0.00       '.padStart(18)}`);
    assert.ok(lines.includes(`loss            ${'—'.padStart(12)}`), 'R² on logs undefined');
    assert.ok(lines.includes(`c4_cross_entropy${'1.0/0.6/0.5'.padStart(12)}`), 'top-k');
    // 18 steps for 18 runs: final-value placeholders, not shown.
    assert.ok(
      t.endsWith('  E2: half of 1B, all 700M; 18 runs, 18 points, 123.5 cost units; 6 test runs\n'),
    );
  });

  it('transferMarkdown: the same numbers as Markdown tables', () => {
    const md = transferMarkdown(hand, { paper: true });
    assert.ok(md.includes('| c4_cross_entropy | 0.88 ± 0.05 [0.99] |'));
    assert.ok(md.includes('| loss | -0.50 ± 0.00 |'));
    assert.ok(md.includes('| E2 | half of 1B, all 700M | 18 | 18 | — | 123.5 | 6 |'));
    assert.ok(!transferMarkdown(hand).includes('[0.99]'));
  });
});
