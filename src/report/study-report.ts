/**
 * The HTML report of a study: where the money went and why this mixture.
 *
 * Sections: best so far at the target vs cumulative cost (./prediction-trace.ts);
 * the recommended mixture and the runner-up (weights as bars; predicted
 * target value with its 90% interval); how the best mixture moves across the
 * scale ladder; the learning curves of the runs coloured by scale; spend by
 * scale and state; the jobs on a timeline, one lane per worker (./timeline.ts); the trial table (sortable) with states and failures.
 *
 * The input is plain data (built by the CLI from the study store), so this
 * module depends on `core` only.
 */
import type { TopLevelSpec } from 'vega-lite';
import type {
  CurvePoint,
  Mixture,
  Prediction,
  StudyConfig,
  StudyStatus,
  TrialRecord,
} from '../core/index.ts';
import { fmtCost, fmtPercent, fmtValue, fmtWeight } from './format.ts';
import {
  type Cell,
  type Chart,
  figure,
  para,
  renderPage,
  type Section,
  table,
} from './html-page.ts';
import type { TracePoint } from './prediction-trace.ts';
import { timelineBars, timelineSpec } from './timeline.ts';
import { renderVegaLite } from './vega-svg.ts';

/** What the report needs of a study's recommendation (a subset of the study module's `RecommendationReport`). */
export interface RecommendationView {
  readonly mixture: Mixture;
  readonly basis: string;
  readonly trial?: number;
  readonly predicted?: Prediction;
  readonly runnerUp?: {
    readonly mixture: Mixture;
    readonly trial: number;
    readonly predicted?: Prediction;
    readonly observed?: number;
  };
  readonly probBeatsRunnerUp?: number;
  readonly probBasis?: string;
  readonly notes: readonly string[];
  readonly ladder: readonly {
    readonly scale: string;
    readonly steps: number;
    readonly mixture: Mixture;
    readonly predicted?: Prediction;
    readonly source: 'predicted' | 'observed';
  }[];
  readonly ladderPredicted: boolean;
}

/** Everything the study report shows. */
export interface StudyReportInput {
  readonly study: string;
  readonly config: StudyConfig;
  readonly status: StudyStatus;
  /** Every trial, in id order. */
  readonly trials: readonly TrialRecord[];
  /** The study metric's own points of each trial (by trial id), ascending in step. */
  readonly curves: ReadonlyMap<number, readonly CurvePoint[]>;
  /** Cost spent on each trial (by trial id). */
  readonly spent: ReadonlyMap<number, number>;
  readonly recommendation?: RecommendationView;
  readonly trace: readonly TracePoint[];
  /** When the report was made (ISO string), shown in the footer. */
  readonly generatedAt?: string;
}

/** A built report: the HTML page and its charts (for PNG export). */
export interface BuiltReport {
  readonly html: string;
  readonly charts: readonly Chart[];
}

const COST_TITLE = 'cumulative cost (units of 100 target steps)';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const spec = (s: Record<string, unknown>): TopLevelSpec =>
  ({ $schema: SCHEMA, background: 'white', ...s }) as unknown as TopLevelSpec;

/**
 * The y-range of the best-so-far chart: the recommendation's path once it has
 * settled (its 90% bands after the first quarter of the trace points) and
 * every best value observed at the target, padded by 8%. The first
 * predictions, fitted on a handful of short runs, can lie far off (a loss of
 * 1.4 predicted where the optimum is 2.27) and would squash the rest of the
 * chart; they are cut at its edge instead. Undefined when there is nothing.
 */
export function traceYDomain(
  pred: readonly { readonly lower: number; readonly upper: number }[],
  observed: readonly number[],
): [number, number] | undefined {
  const settled = pred.slice(Math.floor(pred.length / 4));
  const values = [...settled.flatMap((p) => [p.lower, p.upper]), ...observed].filter(
    Number.isFinite,
  );
  if (values.length === 0) return undefined;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? 0.08 * (hi - lo) : Math.max(1e-6, 0.01 * Math.abs(hi));
  return [lo - pad, hi + pad];
}

/** The trace chart: predicted target value of the recommendation (band = 90% interval) and best observed at the target. */
export function traceSpec(input: StudyReportInput): TopLevelSpec {
  const m = input.config.metric;
  const pred = input.trace
    .filter((p) => p.predicted !== undefined)
    .map((p) => ({
      spent: p.spent,
      trials: p.trials,
      mean: (p.predicted as Prediction).mean,
      lower: (p.predicted as Prediction).lower,
      upper: (p.predicted as Prediction).upper,
    }));
  const obs = input.trace
    .filter((p) => p.bestAtTarget !== undefined)
    .map((p) => ({ spent: p.spent, trials: p.trials, best: p.bestAtTarget as number }));
  const x = { field: 'spent', type: 'quantitative', title: COST_TITLE };
  const domain = traceYDomain(
    pred,
    obs.map((o) => o.best),
  );
  // Early predictions outside the range are cut at the chart's edge (clip).
  const yScale = domain === undefined ? { zero: false } : { zero: false, domain, clamp: false };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: {
      domain: [
        ...(pred.length > 0 ? ['predicted at target (recommendation)'] : []),
        ...(obs.length > 0 ? ['best observed at target'] : []),
      ],
      range: [...(pred.length > 0 ? ['#1f5fbf'] : []), ...(obs.length > 0 ? ['#e4572e'] : [])],
    },
    legend: { orient: 'bottom', labelLimit: 400 },
  };
  const layers: Record<string, unknown>[] = [];
  if (pred.length > 0) {
    layers.push(
      {
        data: { values: pred },
        mark: {
          type: 'area',
          opacity: 0.18,
          interpolate: 'step-after',
          color: '#1f5fbf',
          clip: true,
        },
        encoding: {
          x,
          y: { field: 'lower', type: 'quantitative', scale: yScale, title: m.name },
          y2: { field: 'upper' },
        },
      },
      {
        data: { values: pred },
        transform: [{ calculate: "'predicted at target (recommendation)'", as: 'series' }],
        mark: { type: 'line', interpolate: 'step-after', point: false, clip: true },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', scale: yScale, title: m.name },
          color,
        },
      },
    );
  }
  if (obs.length > 0) {
    layers.push({
      data: { values: obs },
      transform: [{ calculate: "'best observed at target'", as: 'series' }],
      mark: { type: 'line', interpolate: 'step-after', strokeDash: [5, 3], clip: true },
      encoding: {
        x,
        y: { field: 'best', type: 'quantitative', scale: yScale, title: m.name },
        color,
      },
    });
  }
  if (layers.length === 0) {
    layers.push({
      data: { values: [{ spent: 0 }] },
      mark: { type: 'text', text: 'no prediction or target observation yet' },
      encoding: { x },
    });
  }
  return spec({ width: 560, height: 260, layer: layers });
}

/** Weights of the recommended mixture and the runner-up, as grouped horizontal bars. */
export function mixtureSpec(input: StudyReportInput, rec: RecommendationView): TopLevelSpec {
  const domains = input.config.domains.map((d) => d.name);
  const rows: { domain: string; which: string; weight: number }[] = [];
  domains.forEach((d, i) => {
    rows.push({ domain: d, which: 'recommended', weight: rec.mixture[i] ?? 0 });
    if (rec.runnerUp !== undefined)
      rows.push({
        domain: d,
        which: `runner-up (trial ${rec.runnerUp.trial})`,
        weight: rec.runnerUp.mixture[i] ?? 0,
      });
  });
  return spec({
    width: 420,
    height: { step: rec.runnerUp !== undefined ? 13 : 18 },
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'domain', type: 'nominal', sort: domains, title: null },
      yOffset: { field: 'which', type: 'nominal' },
      x: { field: 'weight', type: 'quantitative', scale: { domain: [0, 1] }, title: 'weight' },
      color: {
        field: 'which',
        type: 'nominal',
        title: null,
        legend: { orient: 'bottom', labelLimit: 0 },
      },
      tooltip: [{ field: 'domain' }, { field: 'which' }, { field: 'weight', format: '.3f' }],
    },
  });
}

/** Predicted (or observed) target value of the recommendation and the runner-up, with 90% intervals. */
export function predictionSpec(input: StudyReportInput, rec: RecommendationView): TopLevelSpec {
  const rows: { which: string; mean: number; lower: number; upper: number; kind: string }[] = [];
  if (rec.predicted !== undefined)
    rows.push({ which: 'recommended', kind: 'predicted', ...pick(rec.predicted) });
  const ru = rec.runnerUp;
  if (ru?.predicted !== undefined)
    rows.push({ which: `runner-up (trial ${ru.trial})`, kind: 'predicted', ...pick(ru.predicted) });
  else if (ru?.observed !== undefined && runnerUpAtTarget(input, ru.trial))
    rows.push({
      which: `runner-up (trial ${ru.trial})`,
      kind: 'observed',
      mean: ru.observed,
      lower: ru.observed,
      upper: ru.observed,
    });
  const y = { field: 'which', type: 'nominal', title: null };
  return spec({
    width: 420,
    height: { step: 34 },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          x: {
            field: 'lower',
            type: 'quantitative',
            scale: { zero: false },
            title: `${input.config.metric.name} at ${input.config.target.scale}, ${input.config.target.steps} steps`,
          },
          x2: { field: 'upper' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y,
          x: { field: 'mean', type: 'quantitative' },
          shape: { field: 'kind', type: 'nominal', title: null, legend: { orient: 'bottom' } },
          color: { field: 'which', type: 'nominal', legend: null },
        },
      },
    ],
  });
}

/** Whether trial `id` ran at the target fidelity (so its observed value is comparable with a target prediction). */
export function runnerUpAtTarget(input: StudyReportInput, id: number): boolean {
  const t = input.trials.find((x) => x.id === id);
  const last = input.curves.get(id)?.at(-1);
  return (
    t !== undefined &&
    t.scale === input.config.target.scale &&
    last !== undefined &&
    last.step === input.config.target.steps
  );
}

function runnerUpFidelity(input: StudyReportInput, id: number): string {
  const t = input.trials.find((x) => x.id === id);
  return `${t?.scale ?? '?'}, ${input.curves.get(id)?.at(-1)?.step ?? '?'} steps`;
}

function pick(p: Prediction): { mean: number; lower: number; upper: number } {
  return { mean: p.mean, lower: p.lower, upper: p.upper };
}

/** The best mixture at each rung of the ladder, as stacked weight bars (ladder order). */
export function ladderSpec(input: StudyReportInput, rec: RecommendationView): TopLevelSpec {
  const domains = input.config.domains.map((d) => d.name);
  const scales = input.config.scales.map((s) => s.name);
  const rows: { scale: string; domain: string; weight: number; order: number }[] = [];
  for (const l of rec.ladder)
    domains.forEach((d, i) => {
      rows.push({ scale: l.scale, domain: d, weight: l.mixture[i] ?? 0, order: i });
    });
  return spec({
    width: { step: 52 },
    height: 240,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'scale', type: 'ordinal', sort: scales, title: 'scale', axis: { labelAngle: 0 } },
      y: {
        field: 'weight',
        type: 'quantitative',
        stack: 'zero',
        scale: { domain: [0, 1] },
        title: 'weight',
      },
      color: {
        field: 'domain',
        type: 'nominal',
        sort: domains,
        title: 'domain',
        scale: { domain: domains },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'scale' }, { field: 'domain' }, { field: 'weight', format: '.3f' }],
    },
  });
}

/** Learning curves of the runs (own points), one line per trial, coloured by scale. */
export function curvesSpec(input: StudyReportInput): TopLevelSpec {
  const scales = input.config.scales.map((s) => s.name);
  const rows: { trial: number; scale: string; step: number; value: number }[] = [];
  for (const t of input.trials)
    for (const p of input.curves.get(t.id) ?? [])
      rows.push({ trial: t.id, scale: t.scale, step: p.step, value: p.value });
  return spec({
    width: 640,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step' },
      y: {
        field: 'value',
        type: 'quantitative',
        scale: { zero: false },
        title: input.config.metric.name,
      },
      color: {
        field: 'scale',
        type: 'ordinal',
        sort: scales,
        scale: { domain: scales, scheme: 'viridis' },
        title: 'scale',
      },
      detail: { field: 'trial', type: 'nominal' },
      tooltip: [{ field: 'trial' }, { field: 'scale' }, { field: 'step' }, { field: 'value' }],
    },
  });
}

/** One row per (scale, state) with spend > 0. */
export function spendRows(
  input: StudyReportInput,
): { scale: string; state: string; spent: number; trials: number }[] {
  const acc = new Map<string, { scale: string; state: string; spent: number; trials: number }>();
  for (const t of input.trials) {
    const s = input.spent.get(t.id) ?? 0;
    if (!(s > 0)) continue;
    const k = `${t.scale}\u0000${t.state}`;
    const e = acc.get(k) ?? { scale: t.scale, state: t.state, spent: 0, trials: 0 };
    e.spent += s;
    e.trials++;
    acc.set(k, e);
  }
  return [...acc.values()];
}

/** Spend by scale, stacked by trial state. */
export function spendSpec(input: StudyReportInput): TopLevelSpec {
  const scales = input.config.scales.map((s) => s.name);
  const states = ['completed', 'failed', 'stale', 'pending', 'running'];
  return spec({
    width: { step: 52 },
    height: 220,
    data: { values: spendRows(input) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'scale', type: 'ordinal', sort: scales, title: 'scale', axis: { labelAngle: 0 } },
      y: { field: 'spent', type: 'quantitative', stack: 'zero', title: 'cost spent (units)' },
      color: {
        field: 'state',
        type: 'nominal',
        title: 'trial state',
        scale: { domain: states, range: ['#4c78a8', '#e45756', '#f2a93b', '#bab0ac', '#72b7b2'] },
      },
      tooltip: [
        { field: 'scale' },
        { field: 'state' },
        { field: 'trials' },
        { field: 'spent', format: '.2f' },
      ],
    },
  });
}

/** The jobs on a timeline, one lane per worker (./timeline.ts); undefined before any trial started. */
async function timelineChart(input: StudyReportInput): Promise<Chart | undefined> {
  // A running trial's bar ends at the study's last update (the report stays a function of the data).
  const now = input.trials.reduce((m, t) => Math.max(m, t.updatedAt), 0);
  const bars = timelineBars(input.trials, now);
  if (bars.length === 0) return undefined;
  const lanes = new Set(bars.map((b) => b.lane)).size;
  return {
    id: 'timeline',
    title: 'Jobs over time',
    caption: `One bar per trial, from when it was handed out to when it ended (a running trial: to the study's last update), coloured by scale, faded when it failed; one lane per worker: ${lanes} lane${lanes === 1 ? '' : 's'}, as many as trials ran at once (each bar takes the lowest lane free when it starts).`,
    svg: await renderVegaLite(
      timelineSpec(
        bars,
        input.config.scales.map((x) => x.name),
      ),
    ),
  };
}

/** The trial table: one row per trial, sortable. */
export function trialTable(input: StudyReportInput): { html: string; rows: number } {
  const domains = input.config.domains.map((d) => d.name);
  const metric = input.config.metric.name;
  const head = [
    'trial',
    'state',
    'tries',
    'scale',
    'steps',
    'last step',
    metric,
    'cost',
    ...domains,
    'error',
  ];
  const rowClasses: string[] = [];
  const rows = input.trials.map((t) => {
    const last = input.curves.get(t.id)?.at(-1);
    rowClasses.push(`state-${t.state}`);
    const err = t.error?.split('\n')[0];
    const cells: (Cell | string)[] = [
      { text: String(t.id), sort: t.id },
      t.state,
      { text: String(t.attempts), sort: t.attempts },
      { text: t.scale, sort: input.config.scales.findIndex((s) => s.name === t.scale) },
      { text: String(t.steps), sort: t.steps },
      last !== undefined ? { text: String(last.step), sort: last.step } : { text: '', sort: -1 },
      last !== undefined
        ? { text: fmtValue(last.value), sort: last.value }
        : { text: '', sort: '' },
      { text: fmtCost(input.spent.get(t.id) ?? 0), sort: input.spent.get(t.id) ?? 0 },
      ...t.mixture.map((w) => ({ text: fmtWeight(w), sort: w })),
      err !== undefined
        ? {
            text: err.length > 160 ? `${err.slice(0, 157)}...` : err,
            title: t.error as string,
            className: 'err',
          }
        : '',
    ];
    return cells;
  });
  const num = 'num';
  const columnClass = [
    num,
    undefined,
    num,
    undefined,
    num,
    num,
    num,
    num,
    ...domains.map(() => num),
    undefined,
  ];
  return {
    html: table(
      {
        id: 'trials',
        caption: `${input.trials.length} trial(s); click a header to sort; the table is wider than the page: scroll sideways for every column →. Cost = spent on the trial (a continuation: its extra steps only).`,
        head,
        rows,
        sortable: true,
        columnClass,
      },
      rowClasses,
    ),
    rows: rows.length,
  };
}

/** "lower is better" or "higher is better", for the study's metric. */
function directionWord(input: StudyReportInput): string {
  return input.config.metric.direction === 'minimize' ? 'lower is better' : 'higher is better';
}

/** The best-so-far-vs-cost chart. */
async function traceChart(input: StudyReportInput): Promise<Chart> {
  const c = input.config;
  return {
    id: 'trace',
    title: `Best so far at the target (${c.target.scale}, ${c.target.steps} steps) vs cumulative cost`,
    caption: [
      input.trace.some((p) => p.predicted !== undefined)
        ? `Solid: the predicted target value of the mixture the optimiser would recommend after that much spend (band: 90% interval), refitted at ${input.trace.length} point(s).`
        : `The optimiser (${c.optimizer.method}) does not predict target values.`,
      input.trace.some((p) => p.bestAtTarget !== undefined)
        ? `Dashed: best ${c.metric.name} observed at the target so far.`
        : 'No run has reached the target yet.',
      `(${directionWord(input)})`,
    ].join(' '),
    svg: await renderVegaLite(traceSpec(input)),
  };
}

/** The table of the recommended mixture and the runner-up, with their values at the target. */
function recommendationTable(input: StudyReportInput, rec: RecommendationView): string {
  const c = input.config;
  const domains = c.domains.map((d) => d.name);
  return table({
    id: 'recommendation',
    head: ['', ...domains, `${c.metric.name} at target`],
    rows: [
      [
        'recommended',
        ...rec.mixture.map(fmtWeight),
        rec.predicted !== undefined
          ? `${fmtValue(rec.predicted.mean)} (90%: ${fmtValue(rec.predicted.lower)} .. ${fmtValue(rec.predicted.upper)})`
          : '',
      ],
      ...(rec.runnerUp !== undefined
        ? [
            [
              `runner-up (trial ${rec.runnerUp.trial})`,
              ...rec.runnerUp.mixture.map(fmtWeight),
              rec.runnerUp.predicted !== undefined
                ? `${fmtValue(rec.runnerUp.predicted.mean)} predicted`
                : rec.runnerUp.observed !== undefined
                  ? `${fmtValue(rec.runnerUp.observed)} observed${runnerUpAtTarget(input, rec.runnerUp.trial) ? '' : ` at ${runnerUpFidelity(input, rec.runnerUp.trial)} (not the target)`}`
                  : '',
            ],
          ]
        : []),
    ],
    columnClass: [undefined, ...domains.map(() => 'num'), 'num'],
  });
}

/** The recommendation's charts and sections (mixture, value at the target, table, ladder). */
async function recommendationParts(
  input: StudyReportInput,
  rec: RecommendationView,
): Promise<{ charts: Chart[]; sections: Section[] }> {
  const c = input.config;
  const charts: Chart[] = [];
  const sections: Section[] = [];
  const mix: Chart = {
    id: 'mixture',
    title: 'Recommended mixture and runner-up',
    caption: `Weights of the mixture to train at the target (${rec.basis}${rec.trial !== undefined ? `, trial ${rec.trial}` : ''})${rec.runnerUp !== undefined ? ' and of the runner-up' : ''}.`,
    svg: await renderVegaLite(mixtureSpec(input, rec)),
  };
  charts.push(mix);
  const parts = [`<div class="charts-2">${figure(mix)}`];
  const hasValue = rec.predicted !== undefined || rec.runnerUp?.predicted !== undefined;
  if (hasValue) {
    const pv: Chart = {
      id: 'prediction',
      title: 'Value at the target',
      caption: `Predicted ${c.metric.name} at the target with its 90% interval (an observed runner-up is a single point; ${directionWord(input)}).`,
      svg: await renderVegaLite(predictionSpec(input, rec)),
    };
    charts.push(pv);
    parts.push(figure(pv));
  }
  parts.push('</div>');
  parts.push(recommendationTable(input, rec));
  if (rec.probBeatsRunnerUp !== undefined)
    parts.push(
      para(
        `Probability that the recommendation beats the runner-up: ${fmtPercent(rec.probBeatsRunnerUp)} (${rec.probBasis ?? ''}).`,
      ),
    );
  for (const n of rec.notes) parts.push(para(`Note: ${n}.`));
  sections.push({
    id: 'recommendation-section',
    title: 'Recommendation',
    html: parts.join('\n'),
  });
  if (rec.ladder.length > 0) {
    const lad: Chart = {
      id: 'ladder',
      title: rec.ladderPredicted
        ? 'Predicted best mixture at each scale'
        : 'Best observed mixture at each scale',
      caption: rec.ladderPredicted
        ? `The mixture the surrogate predicts best at each rung of the ladder (at ${c.target.steps} steps): how the optimum moves with scale.`
        : 'The optimiser exposes no surrogate, so this is the best completed run at each scale (its longest run): a proxy for how the optimum moves with scale.',
      svg: await renderVegaLite(ladderSpec(input, rec)),
    };
    charts.push(lad);
    sections.push({ id: 'ladder-section', title: 'Across the scale ladder', html: figure(lad) });
  }
  return { charts, sections };
}

/** The learning-curves and spend-by-scale charts. */
async function runsCharts(input: StudyReportInput): Promise<[Chart, Chart]> {
  const c = input.config;
  const curves: Chart = {
    id: 'learning-curves',
    title: 'Learning curves of the runs',
    caption: `${c.metric.name} reported by each trial against training step, one line per trial, coloured by scale (a continuation shows only its own steps).`,
    svg: await renderVegaLite(curvesSpec(input)),
  };
  const spend: Chart = {
    id: 'spend',
    title: 'Spend by scale',
    caption:
      'Cost spent at each scale, stacked by trial state (failed trials count the part they reported).',
    svg: await renderVegaLite(spendSpec(input)),
  };
  return [curves, spend];
}

/** The facts at the top of the page: metric, target, optimiser, spend, trials, best. */
function studyFacts(input: StudyReportInput): [string, string][] {
  const c = input.config;
  const s = input.status;
  const budget =
    s.budget !== undefined
      ? `${fmtCost(s.spent)} of ${fmtCost(s.budget)} (${fmtPercent(s.spent / s.budget)})`
      : `${fmtCost(s.spent)} (no budget)`;
  return [
    ['metric', `${c.metric.name} (${c.metric.direction})`],
    ['target', `${c.target.scale} at ${c.target.steps} steps`],
    ['optimiser', c.optimizer.method],
    ['spent (units of 100 target steps)', budget],
    [
      'trials',
      `${input.trials.length}: ${Object.entries(s.counts)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
    ],
    [
      'best at target',
      s.bestAtTarget !== undefined
        ? `${fmtValue(s.bestAtTarget.value)} (trial ${s.bestAtTarget.trial})`
        : 'none yet',
    ],
  ];
}

/**
 * Builds the study report (see the module comment).
 * @returns the page and its charts.
 */
export async function buildStudyReport(input: StudyReportInput): Promise<BuiltReport> {
  const c = input.config;
  const rec = input.recommendation;
  const charts: Chart[] = [];
  const sections: Section[] = [];

  const trace = await traceChart(input);
  charts.push(trace);
  sections.push({ id: 'progress', title: 'Best so far vs cost', html: figure(trace) });

  if (rec !== undefined) {
    const r = await recommendationParts(input, rec);
    charts.push(...r.charts);
    sections.push(...r.sections);
  } else {
    sections.push({
      id: 'recommendation-section',
      title: 'Recommendation',
      html: para('No recommendation yet: no trial has reported a value.'),
    });
  }

  const [curves, spend] = await runsCharts(input);
  charts.push(curves, spend);
  sections.push({
    id: 'runs',
    title: 'Runs and spend',
    html: `${figure(curves)}\n${figure(spend)}`,
  });

  const timeline = await timelineChart(input);
  if (timeline !== undefined) {
    charts.push(timeline);
    sections.push({ id: 'timeline-section', title: 'Timeline', html: figure(timeline) });
  }

  sections.push({ id: 'trials-section', title: 'Trials', html: trialTable(input).html });

  const html = renderPage({
    title: `Study ${input.study}`,
    subtitle: c.description ?? `Data-mixture study optimised by ${c.optimizer.method}.`,
    facts: studyFacts(input),
    sections,
    footer: `Generated by mixopt${input.generatedAt !== undefined ? ` on ${input.generatedAt}` : ''}. Costs are in units of 100 steps of the target model.`,
  });
  return { html, charts };
}
