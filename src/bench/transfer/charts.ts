/**
 * Charts of a scale-transfer result: vega-lite specs, rendered to SVG
 * headlessly (vega `View.toSVG()` with the `none` renderer; no browser, no
 * network, no canvas — text widths are estimated).
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from '../../report/vega-svg.ts';
import { CALIBRATION_LEVELS, type TransferResult } from './experiments.ts';
import { paperR2 } from './paper.ts';

/** Lowest R² drawn; bars below are clipped at it (the CSV has the exact values). */
export const R2_FLOOR = -0.25;

/**
 * Grouped bars: R² (mean over seeds) per experiment (groups) and metric
 * (bars), with ± one std over seeds and the paper's R² as black ticks.
 */
export function r2ChartSpec(
  result: TransferResult,
  title = 'Held-out R² by experiment and metric',
): TopLevelSpec {
  const values = result.cells.map((c) => {
    const r2 = Math.max(R2_FLOOR, c.r2);
    return {
      experiment: c.experiment,
      metric: c.metric,
      r2,
      lo: Math.max(R2_FLOOR, c.r2 - c.r2Std),
      hi: Math.max(R2_FLOOR, Math.min(1, c.r2 + c.r2Std)),
      paper: paperR2(c.experiment, c.metric) ?? null,
    };
  });
  const y = { type: 'quantitative' as const, scale: { domain: [R2_FLOOR, 1] } };
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
          y: { ...y, field: 'r2', title: `R² (clipped at ${R2_FLOOR})` },
          color: { field: 'metric', type: 'nominal', title: 'metric', legend: { labelLimit: 400 } },
        },
      },
      {
        mark: { type: 'rule', color: '#333', clip: true },
        encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
      },
      {
        transform: [{ filter: 'datum.paper !== null' }],
        mark: { type: 'tick', color: 'black', thickness: 2, clip: true },
        encoding: { y: { ...y, field: 'paper' } },
      },
    ],
  } as TopLevelSpec;
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
