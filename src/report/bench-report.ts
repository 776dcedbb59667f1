/**
 * The HTML report of a benchmark: value vs cost per metric with bands over
 * seeds for every method (the benchmark module's charts, rendered by the
 * caller and passed in as SVG), the speedup tables, and regret at the budget
 * (a chart and a table).
 *
 * The input is plain data: a subset of the benchmark module's `BenchSummary`,
 * so this module does not depend on `bench`.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Direction } from '../core/index.ts';
import { fmtCost, fmtSpeedup, fmtValue } from './format.ts';
import { type Chart, figure, para, renderPage, type Section, table } from './html-page.ts';
import type { BuiltReport } from './study-report.ts';
import { renderVegaLite } from './vega-svg.ts';

/** What the report needs of a benchmark summary (structurally a subset of `BenchSummary`). */
export interface BenchSummaryView {
  readonly testbed: string;
  readonly methods: readonly string[];
  readonly metrics: readonly string[];
  readonly directions: Readonly<Record<string, Direction>>;
  readonly seeds: number;
  readonly budget: number;
  readonly targetCost: number;
  readonly horizon: number;
  readonly final: Readonly<
    Record<string, Readonly<Record<string, { readonly mean: number; readonly sem: number }>>>
  >;
  readonly finalRegret: Readonly<
    Record<string, Readonly<Record<string, { readonly mean: number; readonly sem: number }>>>
  >;
  readonly reference: Readonly<Record<string, number>>;
  readonly speedups: Readonly<
    Record<
      string,
      Readonly<
        Record<
          string,
          {
            readonly median: number | null;
            readonly perMetric: Readonly<Record<string, number | null>>;
          }
        >
      >
    >
  >;
  readonly runs: Readonly<
    Record<string, { readonly meanRuns: number; readonly meanSpent: number }>
  >;
  readonly errors: readonly {
    readonly method: string;
    readonly metric: string;
    readonly seed: number;
    readonly error: string;
  }[];
}

/** Everything the benchmark report shows. */
export interface BenchReportInput {
  readonly summary: BenchSummaryView;
  /** One value-vs-cost chart per metric, rendered by the benchmark module (SVG). */
  readonly metricCharts: readonly { readonly metric: string; readonly svg: string }[];
  readonly meta?: {
    readonly wallSeconds?: number;
    readonly workers?: number;
    readonly seed?: number;
  };
  /** Label of the cost unit (default: cost units). */
  readonly costUnit?: string;
  readonly generatedAt?: string;
}

/** Rows of the regret chart: one per (method, metric) with a regret at the budget. */
export function regretRows(
  s: BenchSummaryView,
): { method: string; metric: string; regret: number; lo: number; hi: number }[] {
  const rows: { method: string; metric: string; regret: number; lo: number; hi: number }[] = [];
  for (const metric of s.metrics)
    for (const method of s.methods) {
      const r = s.finalRegret[method]?.[metric];
      if (r === undefined) continue;
      rows.push({ method, metric, regret: r.mean, lo: r.mean - r.sem, hi: r.mean + r.sem });
    }
  return rows;
}

/** Regret at the budget: bars (mean over seeds) with +-1 s.e. error bars, grouped by metric. */
export function regretSpec(s: BenchSummaryView): TopLevelSpec {
  const x = {
    field: 'metric',
    type: 'nominal',
    title: null,
    sort: s.metrics,
    axis: { labelAngle: -20 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    width: { step: Math.max(14, 16 * s.methods.length) },
    height: 240,
    data: { values: regretRows(s) },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset: { field: 'method', type: 'nominal', sort: s.methods },
          y: {
            field: 'regret',
            type: 'quantitative',
            title: 'regret at the budget (mean over seeds)',
          },
          color: { field: 'method', type: 'nominal', sort: s.methods, title: 'method' },
          tooltip: [{ field: 'method' }, { field: 'metric' }, { field: 'regret', format: '.4g' }],
        },
      },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: {
          x,
          xOffset: { field: 'method', type: 'nominal', sort: s.methods },
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

function speedupSections(s: BenchSummaryView): string {
  const matrix = table({
    id: 'speedup-median',
    caption: 'Median over metrics: method (row) over baseline (column).',
    head: ['method \\ baseline', ...s.methods],
    rows: s.methods.map((a) => [
      a,
      ...s.methods.map((b) =>
        a === b
          ? '\u2013'
          : {
              text: fmtSpeedup(s.speedups[a]?.[b]?.median),
              sort: s.speedups[a]?.[b]?.median ?? -1,
            },
      ),
    ]),
    columnClass: [undefined, ...s.methods.map(() => 'num')],
  });
  const baselines = ['hyperband', 'random'].filter((b) => s.methods.includes(b));
  const bl = baselines.length > 0 ? baselines : s.methods.slice(0, 1);
  const pairs: [string, string][] = [];
  for (const a of s.methods) for (const b of bl) if (a !== b) pairs.push([a, b]);
  const perMetric =
    pairs.length === 0
      ? ''
      : table({
          id: 'speedup-per-metric',
          caption: `Per metric, over ${bl.join(' and ')}.`,
          head: ['metric', ...pairs.map(([a, b]) => `${a} vs ${b}`)],
          rows: [
            ...s.metrics.map((m) => [
              m,
              ...pairs.map(([a, b]) => fmtSpeedup(s.speedups[a]?.[b]?.perMetric[m])),
            ]),
            ['median', ...pairs.map(([a, b]) => fmtSpeedup(s.speedups[a]?.[b]?.median))],
          ],
          columnClass: [undefined, ...pairs.map(() => 'num')],
          sortable: true,
        });
  return [
    para(
      "Speedup of A over B = the cost from which B's mean curve stays at or better than B's own final value, divided by the cost from which A's mean curve stays at or better than that value (docs/benchmarks.md#definitions); 'not reached' when A's curve is not there by the end of the budget.",
    ),
    matrix,
    perMetric,
  ].join('\n');
}

function regretTable(s: BenchSummaryView): string {
  return table({
    id: 'final',
    caption:
      'Target value of the recommended mixture at the end of the budget, mean +- s.e. over seeds, and its regret against the reference optimum.',
    head: ['metric', 'reference optimum', ...s.methods],
    rows: s.metrics.map((m) => [
      m,
      fmtValue(s.reference[m]),
      ...s.methods.map((a) => {
        const f = s.final[a]?.[m];
        const r = s.finalRegret[a]?.[m];
        if (f === undefined) return '\u2013';
        const text =
          r === undefined
            ? `${fmtValue(f.mean)} +- ${fmtValue(f.sem, 2)}`
            : `${fmtValue(f.mean)} (regret ${fmtValue(r.mean, 3)} +- ${fmtValue(r.sem, 2)})`;
        return { text, sort: r?.mean ?? f.mean };
      }),
    ]),
    columnClass: [undefined, 'num', ...s.methods.map(() => 'num')],
    sortable: true,
  });
}

/** Builds the benchmark report (see the module comment). */
export async function buildBenchReport(input: BenchReportInput): Promise<BuiltReport> {
  const s = input.summary;
  const charts: Chart[] = [];
  const sections: Section[] = [];
  const unit = input.costUnit ?? 'cost units';
  const metricFigures: string[] = [];
  for (const mc of input.metricCharts) {
    const dir = s.directions[mc.metric] === 'maximize' ? 'higher is better' : 'lower is better';
    const ch: Chart = {
      id: `metric-${mc.metric}`,
      title: `${mc.metric}: value vs cost`,
      caption: `True target value of each method's recommended mixture against the cost charged (${unit}; a confirmation run at the target is charged when the recommendation is not a completed target run). Line: mean over ${s.seeds} seed(s); band: +-1 standard error; dashed: the reference optimum (${dir}).`,
      svg: mc.svg,
    };
    charts.push(ch);
    metricFigures.push(figure(ch));
  }
  sections.push({
    id: 'curves',
    title: 'Value vs cost',
    html: metricFigures.join('\n'),
  });
  sections.push({ id: 'speedups', title: 'Speedups', html: speedupSections(s) });
  const regretHtml: string[] = [];
  if (regretRows(s).length > 0) {
    const rc: Chart = {
      id: 'regret',
      title: 'Regret at the budget',
      caption:
        "Regret of the recommended mixture at the end of the budget (distance to the reference optimum in the metric's better direction; 0 = optimal), mean over seeds with +-1 s.e.",
      svg: await renderVegaLite(regretSpec(s)),
    };
    charts.push(rc);
    regretHtml.push(figure(rc));
  } else {
    regretHtml.push(para('The testbed declares no reference optimum: regret is not available.'));
  }
  regretHtml.push(regretTable(s));
  regretHtml.push(
    table({
      id: 'runs',
      caption: 'Runs per job and cost spent (mean over metrics and seeds).',
      head: ['method', 'runs', 'spent'],
      rows: s.methods.map((a) => [
        a,
        fmtValue(s.runs[a]?.meanRuns, 3),
        fmtCost(s.runs[a]?.meanSpent),
      ]),
      columnClass: [undefined, 'num', 'num'],
    }),
  );
  sections.push({
    id: 'regret-section',
    title: 'Regret at the budget',
    html: regretHtml.join('\n'),
  });
  if (s.errors.length > 0)
    sections.push({
      id: 'errors',
      title: 'Failed jobs',
      html: table({
        id: 'errors-table',
        head: ['method', 'metric', 'seed', 'error'],
        rows: s.errors.map((e) => [
          e.method,
          e.metric,
          String(e.seed),
          { text: e.error, className: 'err' },
        ]),
      }),
    });
  const m = input.meta ?? {};
  const html = renderPage({
    title: `Benchmark on ${s.testbed}`,
    subtitle: `${s.methods.length} method(s) x ${s.metrics.length} metric(s) x ${s.seeds} seed(s).`,
    facts: [
      ['methods', s.methods.join(', ')],
      ['metrics', s.metrics.join(', ')],
      ['seeds', String(s.seeds)],
      ['budget', `${fmtCost(s.budget)} ${unit} (+ ${fmtCost(s.targetCost)} confirmation)`],
      ...(m.wallSeconds !== undefined
        ? [
            ['wall time', `${m.wallSeconds.toFixed(1)} s on ${m.workers ?? 1} worker(s)`] as [
              string,
              string,
            ],
          ]
        : []),
      ...(m.seed !== undefined ? [['root seed', String(m.seed)] as [string, string]] : []),
    ],
    sections,
    footer: `Generated by mixopt${input.generatedAt !== undefined ? ` on ${input.generatedAt}` : ''}.`,
  });
  return { html, charts };
}
