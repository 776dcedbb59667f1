/**
 * Charts of a scale-transfer result: vega-lite specs, rendered to SVG
 * headlessly (vega `View.toSVG()` with the `none` renderer; no browser, no
 * network, no canvas — text widths are estimated).
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from '../report/vega-svg.ts';
import { CALIBRATION_LEVELS, type TransferResult } from './experiments.ts';
import { paperR2 } from './paper.ts';

/** Lowest R² drawn; bars below are clipped at it (the CSV has the exact values). */
export const R2_FLOOR = -0.25;

/** One bar: a cell's value with its ± one-std whisker (already clipped to the axis). */
interface Bar {
  readonly experiment: string;
  readonly metric: string;
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly paper?: number | null;
}

/**
 * Grouped bars per experiment (groups) and metric (bars) with a whisker of
 * ± one std over seeds, and black ticks for `paper` values when present.
 */
function groupedBars(
  result: TransferResult,
  title: string,
  values: readonly Bar[],
  axis: { readonly title: string; readonly domain: readonly [number, number] },
): TopLevelSpec {
  const y = { type: 'quantitative' as const, scale: { domain: [...axis.domain] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: Math.max(400, 60 * result.experiments.length * Math.max(1, result.metrics.length / 4)),
    height: 260,
    data: { values },
    encoding: {
      x: { field: 'experiment', type: 'nominal', title: 'experiment' },
      xOffset: { field: 'metric', type: 'nominal' },
    },
    layer: [
      {
        mark: { type: 'bar', clip: true },
        encoding: {
          y: { ...y, field: 'value', title: axis.title },
          color: { field: 'metric', type: 'nominal', title: 'metric', legend: { labelLimit: 400 } },
        },
      },
      {
        mark: { type: 'rule', color: '#333', clip: true },
        encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
      },
      ...(values.some((v) => v.paper !== undefined && v.paper !== null)
        ? [
            {
              transform: [{ filter: 'datum.paper !== null' }],
              mark: { type: 'tick', color: 'black', thickness: 2, clip: true },
              encoding: { y: { ...y, field: 'paper' } },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/**
 * Grouped bars: R² (mean over seeds) per experiment (groups) and metric
 * (bars), with ± one std over seeds and the paper's R² as black ticks.
 */
export function r2ChartSpec(
  result: TransferResult,
  title = 'Held-out R² by experiment and metric',
): TopLevelSpec {
  const values = result.cells.map((c) => ({
    experiment: c.experiment,
    metric: c.metric,
    value: Math.max(R2_FLOOR, c.r2),
    lo: Math.max(R2_FLOOR, c.r2 - c.r2Std),
    hi: Math.max(R2_FLOOR, Math.min(1, c.r2 + c.r2Std)),
    paper: paperR2(c.experiment, c.metric) ?? null,
  }));
  return groupedBars(result, title, values, {
    title: `R² (clipped at ${R2_FLOOR})`,
    domain: [R2_FLOOR, 1],
  });
}

/** Lowest Spearman ρ drawn (a negative ρ means the order is reversed). */
export const RHO_FLOOR = -1;

/**
 * Grouped bars: Spearman ρ (mean over seeds) of the test runs at the largest
 * test size, per experiment (groups) and metric (bars), ± one std over seeds.
 */
export function rankChartSpec(
  result: TransferResult,
  title = 'Spearman ρ (predicted vs true order) by experiment and metric',
): TopLevelSpec {
  const values = result.cells.flatMap((c) => {
    const rho = c.rank.spearman;
    if (rho === undefined) return [];
    const sd = c.rank.spearmanStd ?? 0;
    return [
      {
        experiment: c.experiment,
        metric: c.metric,
        value: rho,
        lo: Math.max(RHO_FLOOR, rho - sd),
        hi: Math.min(1, rho + sd),
      },
    ];
  });
  return groupedBars(result, title, values, { title: 'Spearman ρ', domain: [RHO_FLOOR, 1] });
}

/**
 * Calibration: observed share of held-out values inside the central interval
 * vs its nominal level, one line per experiment (mean over metrics and seeds),
 * with the diagonal of perfect calibration.
 */
export function calibrationChartSpec(
  result: TransferResult,
  title = 'Calibration of predictive intervals',
): TopLevelSpec {
  const values: { experiment: string; nominal: number; observed: number }[] = [];
  for (const e of result.experiments) {
    const cells = result.cells.filter((c) => c.experiment === e.id);
    CALIBRATION_LEVELS.forEach((q, j) => {
      let s = 0;
      for (const c of cells) s += c.coverage[j] as number;
      values.push({
        experiment: e.id,
        nominal: q,
        observed: cells.length > 0 ? s / cells.length : 0,
      });
    });
  }
  const diag = [
    { nominal: 0.5, observed: 0.5 },
    { nominal: 1, observed: 1 },
  ];
  const xAxis = { type: 'quantitative' as const, scale: { domain: [0.45, 1] } };
  const yAxis = { type: 'quantitative' as const, scale: { domain: [0, 1] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 320,
    layer: [
      {
        data: { values: diag },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: {
          x: { ...xAxis, field: 'nominal' },
          y: { ...yAxis, field: 'observed' },
        },
      },
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { ...xAxis, field: 'nominal', title: 'nominal level of the central interval' },
          y: { ...yAxis, field: 'observed', title: 'share of held-out values inside' },
          color: { field: 'experiment', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Renders a vega-lite spec to an SVG string, headless. */
export function renderSvg(spec: TopLevelSpec): Promise<string> {
  return renderVegaLite(spec);
}
