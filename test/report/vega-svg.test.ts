import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from '../../src/report/vega-svg.ts';

describe('renderVegaLite', () => {
  it('renders a spec with inline data to a standalone SVG of the given size, text escaped', async () => {
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'a <b> & c',
      width: 200,
      height: 100,
      data: {
        values: [
          { x: 'p', y: 1 },
          { x: 'q', y: 3 },
        ],
      },
      mark: 'bar',
      encoding: {
        x: { field: 'x', type: 'nominal' },
        y: { field: 'y', type: 'quantitative' },
      },
    } as TopLevelSpec;
    const svg = await renderVegaLite(spec);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>$/);
    assert.ok(svg.includes('a &lt;b&gt; &amp; c'), 'the title, escaped');
    assert.ok(!svg.includes('<b>'));
    // Two bars: two rectangles in the mark group.
    assert.equal((svg.match(/role-mark marks/g) ?? []).length >= 1, true);
    assert.equal((svg.match(/<path aria-label="x: [pq]; y: [13]"/g) ?? []).length, 2);
  });

  it('rejects an invalid spec (an unknown mark)', async () => {
    await assert.rejects(
      renderVegaLite({ mark: 'nope', data: { values: [] } } as unknown as TopLevelSpec),
    );
  });
});
