// The HTML reports opened in a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): no console errors, no network requests, every chart present with the expected
// number of marks, the trial table sorts on a header click, and a screenshot of each report is kept
// in .cache/artifacts/ (a CI artefact, not committed). Mandatory when MIXOPT_BROWSER_TESTS=required
// (.ci/run sets it); skipped with a message elsewhere when Chromium is missing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { benchReport } from '../../src/cli/shared/index.ts';
import { buildStudyReport, regretRows, spendRows } from '../../src/report/index.ts';
import { HOSTILE_ERROR, lawBench, lawStudy } from './fixtures.ts';

const CHROMIUM = process.env.MIXOPT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.MIXOPT_BROWSER_TESTS === 'required';
const ARTIFACTS = resolve('.cache/artifacts');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const missing = !existsSync(CHROMIUM);
if (missing && REQUIRED) {
  throw new Error(
    `MIXOPT_BROWSER_TESTS=required but ${CHROMIUM} is missing; install it (apt-get install -y chromium) or set MIXOPT_CHROMIUM`,
  );
}
if (missing) {
  process.stderr.write(
    `browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium; CI sets MIXOPT_BROWSER_TESTS=required)\n`,
  );
}

type Ctx = import('playwright-core').BrowserContext;
type PwPage = import('playwright-core').Page;

interface Opened {
  page: PwPage;
  errors: string[];
  requests: string[];
}

describe('HTML reports in headless Chromium', {
  skip: missing ? `${CHROMIUM} not found` : false,
}, () => {
  let ctx: Ctx;
  let dir: string;

  before(async () => {
    const { chromium } = await import('playwright-core');
    dir = mkdtempSync(join(tmpdir(), 'mixopt-report-'));
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1200, height: 900 },
      offline: true,
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await ctx?.close();
  });

  /** Opens `html` from a file:// URL, recording console errors and every request. */
  async function open(html: string, name: string): Promise<Opened> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await ctx.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.route('**/*', (route) =>
      route.request().url() === url ? route.continue() : route.abort(),
    );
    await page.goto(url, { waitUntil: 'load' });
    return { page, errors, requests: requests.filter((r) => r !== url) };
  }

  const count = (page: PwPage, chart: string, sel: string): Promise<number> =>
    page.locator(`figure[data-chart="${chart}"] svg ${sel.replace(' ', '.role-mark ')}`).count();

  it('study report: charts with the expected marks, no errors, no network, the trial table sorts', async () => {
    const { input } = await lawStudy();
    const { html } = await buildStudyReport(input);
    const { page, errors, requests } = await open(html, 'study');
    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(requests, [], 'no request but the page itself');
    assert.notEqual(await page.title(), 'pwned', 'the hostile error message did not run');
    assert.ok(
      (await page.locator('#trials td.err').first().textContent())?.startsWith(HOSTILE_ERROR),
      'the error message is shown as text',
    );

    const rec = input.recommendation;
    assert.ok(rec !== undefined);
    const domains = input.config.domains.length;
    const predicted = input.trace.filter((p) => p.predicted !== undefined).length > 0;
    const observed = input.trace.filter((p) => p.bestAtTarget !== undefined).length > 0;
    assert.ok(predicted, 'mfms-bo predicts its recommendation');
    // trace: one line per series, a band for the predictions
    assert.equal(
      await count(page, 'trace', 'g.mark-line path'),
      (predicted ? 1 : 0) + (observed ? 1 : 0),
    );
    assert.equal(await count(page, 'trace', 'g.mark-area path'), 1);
    // mixture: one bar per domain and mixture (recommended + runner-up)
    assert.equal(
      await count(page, 'mixture', 'g.mark-rect path'),
      domains * (rec.runnerUp !== undefined ? 2 : 1),
    );
    // ladder: one stacked segment per rung and domain
    assert.equal(await count(page, 'ladder', 'g.mark-rect path'), rec.ladder.length * domains);
    assert.ok(rec.ladder.length >= 3, 'several rungs of the ladder');
    // learning curves: one line per trial that reported a point
    const withPoints = input.trials.filter((t) => (input.curves.get(t.id)?.length ?? 0) > 0);
    assert.equal(await count(page, 'learning-curves', 'g.mark-line path'), withPoints.length);
    assert.ok(new Set(withPoints.map((t) => t.scale)).size >= 3, 'several scales coloured');
    // spend: one bar segment per (scale, state) with spend
    assert.equal(await count(page, 'spend', 'g.mark-rect path'), spendRows(input).length);
    assert.ok(spendRows(input).some((r) => r.state === 'failed'));

    // the trial table: one row per trial; clicking "trial" twice sorts descending, the metric ascending
    const ids = () =>
      page
        .locator('#trials tbody tr td:first-child')
        .evaluateAll((tds) => tds.map((td) => Number(td.textContent)));
    const n = input.trials.length;
    assert.deepEqual(
      await ids(),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    const header = page.locator('#trials thead th', { hasText: /^trial$/ });
    await header.click();
    await header.click();
    assert.deepEqual(
      await ids(),
      Array.from({ length: n }, (_, i) => n - i),
    );
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    await page.locator('#trials thead th', { hasText: input.config.metric.name }).click();
    const values = await page
      .locator('#trials tbody tr td:nth-child(7)')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-sort')));
    const nums = values.map(Number);
    assert.deepEqual(
      nums,
      [...nums].sort((a, b) => a - b),
      'sorted ascending by value',
    );

    // the summary boxes: nothing overflows its box, and long identifiers may wrap between words
    const facts = await page
      .locator('dl.facts dd')
      .evaluateAll((dds) =>
        dds.map((dd) => ({ html: dd.innerHTML, over: dd.scrollWidth > dd.clientWidth + 1 })),
      );
    assert.ok(facts.length >= 4);
    assert.deepEqual(
      facts.filter((f) => f.over),
      [],
      'no text overflows a summary box',
    );
    assert.ok(
      facts.some((f) => f.html.includes('_<wbr>')),
      'metric names break at underscores',
    );
    // the mixture legend is not cut
    const legend = await page
      .locator('figure[data-chart="mixture"] svg g.role-legend-label text')
      .allTextContents();
    assert.ok(rec.runnerUp !== undefined);
    assert.ok(legend.includes(`runner-up (trial ${rec.runnerUp.trial})`), legend.join(' | '));
    assert.ok(!legend.some((t) => t.includes('…')), legend.join(' | '));
    // the trace's y-range shows the recommendation's path: the last prediction and best observed lie inside
    const yTicks = (
      await page
        .locator(
          'figure[data-chart="trace"] svg g.role-axis[aria-label^="Y-axis"] g.role-axis-label text',
        )
        .allTextContents()
    )
      .map((t) => Number(t.replace(/,/g, '')))
      .filter(Number.isFinite);
    const last = input.trace.filter((p) => p.predicted !== undefined).at(-1)?.predicted?.mean;
    assert.ok(last !== undefined && yTicks.length >= 2, yTicks.join(','));
    const span = Math.max(...yTicks) - Math.min(...yTicks);
    assert.ok(
      last > Math.min(...yTicks) - span && last < Math.max(...yTicks) + span,
      `last prediction ${last} within the y ticks ${yTicks}`,
    );
    // the wide trial table says it scrolls
    assert.match((await page.locator('#trials caption').textContent()) ?? '', /scroll sideways/);

    await page.screenshot({ path: join(ARTIFACTS, 'report-study.png'), fullPage: true });
    // printable: the print stylesheet hides the navigation and keeps every chart
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('nav.toc').isVisible(), false);
    assert.equal(await page.locator('figure.chart svg').count(), 7); // with the timeline
    assert.ok((await page.pdf({ format: 'A4' })).length > 10_000, 'prints to PDF');
    assert.deepEqual(errors, [], 'no console errors after interaction');
    await page.close();
  });

  it('benchmark report: a value-vs-cost chart per metric with a line and band per method, regret bars', async () => {
    const result = await lawBench();
    const s = result.summary;
    const { html } = await benchReport(s, result.meta);
    const { page, errors, requests } = await open(html, 'bench');
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    for (const metric of s.metrics) {
      const id = `metric-${metric}`;
      assert.equal(await count(page, id, 'g.mark-line path'), s.methods.length, `${metric} lines`);
      assert.equal(await count(page, id, 'g.mark-area path'), s.methods.length, `${metric} bands`);
      assert.equal(await count(page, id, 'g.mark-rule line'), 1, `${metric} reference optimum`);
      // the dashed reference is drawn first (under the lines); legend swatches are solid strokes
      const order = await page
        .locator(`figure[data-chart="${id}"] svg g.role-mark`)
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('class') ?? ''));
      const rule = order.findIndex((c) => c.includes('mark-rule'));
      const line = order.findIndex((c) => c.includes('mark-line'));
      assert.ok(rule >= 0 && rule < line, `${metric}: mark order ${order.join(', ')}`);
      const swatches = await page
        .locator(`figure[data-chart="${id}"] svg g.role-legend-symbol path`)
        .evaluateAll((ps) => ps.map((p) => [p.getAttribute('stroke'), p.getAttribute('opacity')]));
      assert.equal(swatches.length, s.methods.length, `${metric} legend entries`);
      for (const [stroke, opacity] of swatches) {
        assert.ok(
          stroke !== null && stroke !== 'transparent',
          `${metric}: swatch stroke ${stroke}`,
        );
        assert.ok(
          opacity === null || Number(opacity) === 1,
          `${metric}: swatch opacity ${opacity}`,
        );
      }
    }
    assert.equal(await count(page, 'regret', 'g.mark-rect path'), regretRows(s).length);
    assert.equal(regretRows(s).length, s.methods.length * s.metrics.length);
    // speedup tables: the median matrix is methods x methods
    assert.equal(await page.locator('#speedup-median tbody tr').count(), s.methods.length);
    assert.equal(await page.locator('#speedup-per-metric tbody tr').count(), s.metrics.length + 1);
    await page.screenshot({ path: join(ARTIFACTS, 'report-bench.png'), fullPage: true });
    await page.close();
  });
});
