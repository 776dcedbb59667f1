import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { StudyStatus, TrialRecord } from '../../src/core/index.ts';
import {
  buildStudyReport,
  type StudyReportInput,
  spendRows,
  traceYDomain,
} from '../../src/report/index.ts';
import { parseStudyConfig } from '../../src/study/index.ts';

const EVIL = '<script>alert(1)</script>';

function input(over: Partial<StudyReportInput> = {}): StudyReportInput {
  const config = parseStudyConfig({
    name: 'x',
    domains: ['web', 'code'],
    scales: [
      { name: '20M', params: 20e6 },
      { name: '1B', params: 1e9 },
    ],
    steps: { min: 100, max: 1000, logEvery: 100 },
    target: { scale: '1B', steps: 1000 },
    metric: { name: 'loss', direction: 'minimize' },
    budget: 50,
    optimizer: { method: 'random' },
  });
  const t = (id: number, scale: string, state: TrialRecord['state'], extra = {}): TrialRecord => ({
    id,
    mixture: [0.25 * id, 1 - 0.25 * id],
    scale,
    steps: 1000,
    state,
    attempts: 1,
    cost: scale === '1B' ? 10 : 0.2,
    createdAt: 1000 * id,
    updatedAt: 1000 * id,
    finishedAt: 1000 * id,
    ...extra,
  });
  const trials = [
    t(1, '20M', 'completed'),
    t(2, '1B', 'completed'),
    t(3, '1B', 'failed', { error: `${EVIL} out of memory\nsecond line` }),
  ];
  const curves = new Map([
    [
      1,
      [
        { step: 500, value: 3.123456789 },
        { step: 1000, value: 3.0 },
      ],
    ],
    [2, [{ step: 1000, value: 2.544712345 }]],
    [3, [{ step: 100, value: 4 }]],
  ]);
  const status: StudyStatus = {
    study: EVIL,
    counts: { pending: 0, running: 0, completed: 2, failed: 1, stale: 0 },
    spent: 11.2,
    committed: 0,
    budget: 50,
    bestAtTarget: { trial: 2, value: 2.544712345, mixture: [0.5, 0.5] },
  };
  return {
    study: EVIL,
    config,
    status,
    trials,
    curves,
    spent: new Map([
      [1, 0.2],
      [2, 10],
      [3, 1.004],
    ]),
    recommendation: {
      mixture: [0.5, 0.5],
      basis: 'best observed at target',
      trial: 2,
      predicted: { mean: 2.5, std: 0.05, lower: 2.42, upper: 2.58 },
      runnerUp: { mixture: [0.25, 0.75], trial: 1, observed: 3 },
      notes: [`a note with ${EVIL}`],
      ladder: [
        { scale: '20M', steps: 1000, mixture: [0.25, 0.75], source: 'observed' },
        { scale: '1B', steps: 1000, mixture: [0.5, 0.5], source: 'observed' },
      ],
      ladderPredicted: false,
    },
    trace: [
      { trials: 1, spent: 0.2 },
      { trials: 2, spent: 10.2, bestAtTarget: 2.544712345 },
    ],
    ...over,
  };
}

describe('buildStudyReport', () => {
  it('a study named <script> and an error message with <script> do not inject: the only script is the page own', async () => {
    const { html } = await buildStudyReport(input());
    assert.equal(html.match(/<script/g)?.length, 1, 'exactly one <script> element');
    assert.ok(html.includes('<title>Study &lt;script&gt;alert(1)&lt;/script&gt;</title>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; out of memory'));
    assert.match(
      html,
      /title="&lt;script&gt;alert\(1\)&lt;\/script&gt; out of memory\nsecond line">&lt;script&gt;alert\(1\)&lt;\/script&gt; out of memory<\/td>/,
      'the cell shows the first line of the error; the tooltip has all of it',
    );
    assert.ok(html.includes('a note with &lt;script&gt;'));
  });

  it('the Content-Security-Policy allows exactly the page script (by hash) and no network', async () => {
    const { html } = await buildStudyReport(input());
    const script = html.match(/<script>([\s\S]*?)<\/script>/)?.[1] ?? '';
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1] ?? '';
    assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
    assert.ok(csp.includes("default-src 'none'"));
    assert.doesNotMatch(html, /(src|href)="https?:/, 'no external resources');
  });

  it('the trial table has one row per trial, with formatted numbers and state classes', async () => {
    const inp = input();
    const { html } = await buildStudyReport(inp);
    const tbody = html.match(/<table id="trials"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
    const rows = tbody.match(/<tr/g) ?? [];
    assert.equal(rows.length, inp.trials.length);
    assert.match(tbody, /<tr class="state-failed">/);
    assert.match(
      tbody,
      /data-sort="2.544712345">2.5447</,
      'value: 5 significant digits, exact sort key',
    );
    assert.match(tbody, /data-sort="1.004">1.00</, 'cost: 2 decimals');
    assert.match(tbody, /data-sort="0.75">0.750</, 'weights: 3 decimals');
  });

  it('has every chart, each an inline SVG', async () => {
    const { html, charts } = await buildStudyReport(input());
    assert.deepEqual(
      charts.map((c) => c.id),
      ['trace', 'mixture', 'prediction', 'ladder', 'learning-curves', 'spend'],
    );
    for (const c of charts) {
      assert.match(c.svg, /^<svg/);
      assert.ok(html.includes(`data-chart="${c.id}"`));
    }
  });

  it('draws the jobs on a timeline, one lane per worker, once trials have started', async () => {
    const base = input();
    // Trials 1 and 2 overlap (two workers), trial 3 starts after trial 1 ended: two lanes.
    const times: [number, number][] = [
      [0, 3.6e6],
      [1.8e6, 7.2e6],
      [3.6e6, 5.4e6],
    ];
    const trials = base.trials.map((t, i) => ({
      ...t,
      startedAt: (times[i] as [number, number])[0],
      finishedAt: (times[i] as [number, number])[1],
    }));
    const { html, charts } = await buildStudyReport({ ...base, trials });
    assert.equal(charts.at(-1)?.id, 'timeline');
    assert.match(html, /one lane per worker: 2 lanes/);
  });

  it('an observed runner-up off the target is not plotted against target predictions', async () => {
    const inp = input();
    const { html } = await buildStudyReport(inp);
    assert.match(html, /3\.0000 observed at 20M, 1000 steps \(not the target\)/);
  });

  it('spend by scale sums the spend of each (scale, state)', () => {
    assert.deepEqual(spendRows(input()), [
      { scale: '20M', state: 'completed', spent: 0.2, trials: 1 },
      { scale: '1B', state: 'completed', spent: 10, trials: 1 },
      { scale: '1B', state: 'failed', spent: 1.004, trials: 1 },
    ]);
  });

  it('without a recommendation, says so and still has the runs charts', async () => {
    const { recommendation: _, ...rest } = input();
    const { html, charts } = await buildStudyReport({ ...rest, trace: [] });
    assert.match(html, /No recommendation yet/);
    assert.deepEqual(
      charts.map((c) => c.id),
      ['trace', 'learning-curves', 'spend'],
    );
  });
});

describe('traceYDomain (the best-so-far chart keeps the recommendation in view)', () => {
  it('leaves out the first quarter of the predictions, keeps every observation, pads by 8%', () => {
    const pred = [
      { lower: 1.2, upper: 1.6 }, // an early fit on a few short runs, far below the optimum
      { lower: 2.2, upper: 2.4 },
      { lower: 2.25, upper: 2.35 },
      { lower: 2.26, upper: 2.3 },
    ];
    const d = traceYDomain(pred, [2.3]);
    assert.ok(d !== undefined);
    // lo 2.2, hi 2.4, pad 0.08 * 0.2 = 0.016
    assert.ok(Math.abs(d[0] - 2.184) < 1e-12 && Math.abs(d[1] - 2.416) < 1e-12, String(d));
    // an observation outside the settled path widens the range
    assert.deepEqual(
      (traceYDomain(pred, [3]) ?? []).map((x) => +x.toFixed(6)),
      [2.136, 3.064],
    );
    assert.equal(traceYDomain([], []), undefined);
  });
});
