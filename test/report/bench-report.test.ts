// The benchmark report (src/report/bench-report.ts) on a hand-made summary: regret rows, sections,
// speedup tables and escaping. (test/report/browser.test.ts checks the same page in Chromium.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BenchSummaryView,
  buildBenchReport,
  regretRows,
} from '../../src/report/bench-report.ts';

const summary: BenchSummaryView = {
  testbed: 'toy',
  methods: ['mfms-bo', 'random'],
  metrics: ['loss', 'acc'],
  directions: { loss: 'minimize', acc: 'maximize' },
  seeds: 3,
  budget: 100,
  targetCost: 10,
  horizon: 110,
  final: {
    'mfms-bo': { loss: { mean: 1.25, sem: 0.5 }, acc: { mean: 0.6, sem: 0.1 } },
    random: { loss: { mean: 1.5, sem: 0.25 }, acc: { mean: 0.5, sem: 0.1 } },
  },
  // A reference optimum for loss only: regret for loss only.
  finalRegret: {
    'mfms-bo': { loss: { mean: 0.25, sem: 0.5 } },
    random: { loss: { mean: 0.5, sem: 0.25 } },
  },
  reference: { loss: 1 },
  speedups: {
    'mfms-bo': { random: { median: 2.5, perMetric: { loss: 3, acc: null } } },
    random: { 'mfms-bo': { median: 0.4, perMetric: { loss: 1 / 3, acc: 0.5 } } },
  },
  runs: { 'mfms-bo': { meanRuns: 12, meanSpent: 99.5 }, random: { meanRuns: 10, meanSpent: 100 } },
  errors: [],
};

describe('regretRows', () => {
  it('one row per (metric, method) with a regret, with ±1 s.e.', () => {
    assert.deepEqual(regretRows(summary), [
      { method: 'mfms-bo', metric: 'loss', regret: 0.25, lo: -0.25, hi: 0.75 },
      { method: 'random', metric: 'loss', regret: 0.5, lo: 0.25, hi: 0.75 },
    ]);
    assert.deepEqual(regretRows({ ...summary, finalRegret: {} }), []);
  });
});

describe('buildBenchReport', () => {
  it('a chart per metric plus the regret chart; speedups, final values and runs as tables', async () => {
    const { html, charts } = await buildBenchReport({
      summary,
      metricCharts: [
        { metric: 'loss', svg: '<svg id="loss"></svg>' },
        { metric: 'acc', svg: '<svg id="acc"></svg>' },
      ],
      meta: { wallSeconds: 12.34, workers: 2, seed: 7 },
      costUnit: 'GPU-hours',
    });
    // The facts may wrap after '.' (a <wbr> there): compare without those.
    const flat = html.replaceAll('<wbr>', '');
    assert.deepEqual(
      charts.map((c) => c.id),
      ['metric-loss', 'metric-acc', 'regret'],
    );
    assert.match(charts[2]?.svg ?? '', /^<svg/);
    assert.match(charts[1]?.caption ?? '', /\(higher is better\)\.$/);
    assert.ok(flat.includes('<title>Benchmark on toy</title>'), '<title>Benchmark on toy</title>');
    assert.ok(
      flat.includes('2 method(s) x 2 metric(s) x 3 seed(s).'),
      '2 method(s) x 2 metric(s) x 3 seed(s).',
    );
    assert.ok(
      flat.includes('<dd>100.00 GPU-hours (+ 10.00 confirmation)</dd>'),
      '<dd>100.00 GPU-hours (+ 10.00 confirmation)</dd>',
    );
    assert.ok(flat.includes('<dd>12.3 s on 2 worker(s)</dd>'), '<dd>12.3 s on 2 worker(s)</dd>');
    assert.ok(flat.includes('<dd>7</dd>'), '<dd>7</dd>');
    // The median matrix: row mfms-bo, column random = 2.50x (sorted by its value).
    assert.ok(
      html.includes(
        '<tr><td>mfms-bo</td><td class="num">–</td><td class="num" data-sort="2.5">2.50x</td></tr>',
      ),
      'median matrix',
    );
    // Per metric over random (the only baseline present besides hyperband): acc not reached.
    assert.ok(
      flat.includes('<th class="num">mfms-bo vs random</th>'),
      '<th class="num">mfms-bo vs random</th>',
    );
    assert.ok(
      flat.includes('<tr><td>acc</td><td class="num">not reached</td></tr>'),
      '<tr><td>acc</td><td class="num">not reached</td></tr>',
    );
    // Final values: with regret for loss, mean +- s.e. for acc.
    assert.ok(flat.includes('1.2500 (regret 0.250 +- 0.50)'), '1.2500 (regret 0.250 +- 0.50)');
    assert.ok(flat.includes('0.60000 +- 0.10'), '0.60000 +- 0.10');
    assert.ok(
      html.includes('<tr><td>random</td><td class="num">10.0</td><td class="num">100.00</td></tr>'),
    );
    assert.ok(!flat.includes('Failed jobs'), 'Failed jobs');
  });

  it('without a reference optimum: no regret chart, a note instead; failed jobs listed, escaped', async () => {
    const { html, charts } = await buildBenchReport({
      summary: {
        ...summary,
        finalRegret: {},
        reference: {},
        errors: [{ method: 'random', metric: 'loss', seed: 2, error: '<img src=x> failed' }],
      },
      metricCharts: [],
    });
    const flat = html.replaceAll('<wbr>', '');
    assert.deepEqual(charts, []);
    assert.ok(
      flat.includes('The testbed declares no reference optimum: regret is not available.'),
      'The testbed declares no reference optimum: regret is not available.',
    );
    assert.ok(flat.includes('<h2>Failed jobs</h2>'), '<h2>Failed jobs</h2>');
    assert.ok(
      flat.includes('<td class="err">&lt;img src=x&gt; failed</td>'),
      '<td class="err">&lt;img src=x&gt; failed</td>',
    );
    assert.ok(!flat.includes('<img'), '<img');
    assert.ok(
      flat.includes('<dd>100.00 cost units (+ 10.00 confirmation)</dd>'),
      '<dd>100.00 cost units (+ 10.00 confirmation)</dd>',
    );
  });
});
