/**
 * SVG charts of the benchmark: for one metric, the mean target value of each
 * method's recommended mixture vs charged cost, with a band of +-1 standard
 * error and the reference optimum as a dashed rule. Vega-Lite compiled to Vega
 * and rendered headless with `View.toSVG()` (no browser, no canvas).
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from '../report/vega-svg.ts';
import type { BenchSummary } from './summary.ts';

/** The Vega-Lite spec of one metric's chart (exported for inspection and tests). */
export function chartSpec(summary: BenchSummary, metric: string, costUnit = 'cost'): TopLevelSpec {
  const rows: { method: string; cost: number; mean: number; lo: number; hi: number }[] = [];
  for (const method of summary.methods) {
    const c = summary.curves[method]?.[metric];
    if (c === undefined) continue;
    // Step curves: keep only the grid points where the value changes, and the last one.
    const n = summary.grid.length;
    summary.grid.forEach((x, i) => {
      const m = c.mean[i];
      const s = c.sem[i];
      if (m === null || m === undefined || s === null || s === undefined) return;
      const prev = rows[rows.length - 1];
      const same =
        prev !== undefined && prev.method === method && prev.mean === m && prev.hi === m + s;
      if (same && i < n - 1) return;
      rows.push({ method, cost: x, mean: m, lo: m - s, hi: m + s });
    });
  }
  const dir = summary.directions[metric] === 'maximize' ? 'higher is better' : 'lower is better';
  const ref = summary.reference[metric];
  const layers: TopLevelSpec[] = [];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${summary.testbed}: ${metric}`,
      subtitle: `target value of the recommended mixture, mean +- s.e. over ${summary.seeds} seeds (${dir})`,
    },
    width: 520,
    height: 320,
    data: { values: rows },
    // Drawn bottom to top: the reference optimum (dashed) under the bands and
    // the lines, so a method that reaches the optimum is drawn over it; the
    // legend comes from the lines alone (solid swatches, not the pale bands).
    layer: [
      ...(ref !== undefined
        ? [
            {
              data: { values: [{ ref }] },
              mark: { type: 'rule', strokeDash: [4, 4], color: '#555', strokeWidth: 1 },
              encoding: { y: { field: 'ref', type: 'quantitative' } },
            },
          ]
        : []),
      {
        mark: { type: 'area', opacity: 0.2, interpolate: 'step-after' },
        encoding: {
          x: { field: 'cost', type: 'quantitative', title: costUnit },
          y: { field: 'lo', type: 'quantitative', scale: { zero: false } },
          y2: { field: 'hi' },
          color: { field: 'method', type: 'nominal', title: 'method', legend: LEGEND },
        },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x: { field: 'cost', type: 'quantitative' },
          y: { field: 'mean', type: 'quantitative', title: metric, scale: { zero: false } },
          color: {
            field: 'method',
            type: 'nominal',
            title: 'method',
            legend: LEGEND,
          },
        },
      },
    ],
  };
  layers.push(spec as unknown as TopLevelSpec);
  return layers[0] as TopLevelSpec;
}

/** The method legend: solid line swatches (not the bands' pale fill), labels never cut. */
const LEGEND = {
  symbolType: 'stroke',
  symbolStrokeWidth: 3,
  symbolOpacity: 1,
  labelLimit: 0,
} as const;

/** Renders one metric's chart to an SVG string. */
export async function renderChart(
  summary: BenchSummary,
  metric: string,
  costUnit?: string,
): Promise<string> {
  return renderVegaLite(chartSpec(summary, metric, costUnit));
}
