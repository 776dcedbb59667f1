/**
 * Vega-Lite specs rendered to SVG strings at build time: compiled to Vega and
 * rendered headless with `View.toSVG()` (no browser, no canvas, no network:
 * the specs carry their data inline). Text in the SVG is escaped by Vega.
 *
 * vega and vega-lite are imported on the first render, not at module load:
 * together they take about a quarter of a second to load, which every CLI
 * command would otherwise pay.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec (data inline) to a standalone SVG string. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const vg = compile(spec).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
