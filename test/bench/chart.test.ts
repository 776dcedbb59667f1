// The benchmark chart (src/bench/chart.ts): its Vega-Lite spec on hand-made trajectories, and the SVG.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartSpec, renderChart } from '../../src/bench/chart.ts';
import { summarize } from '../../src/bench/index.ts';
import type { Direction } from '../../src/core/index.ts';
import { handTrajectory } from './hand-trajectory.ts';

/** Budget 10 + target cost 2: horizon 12, grid 0, 1, ..., 12 (13 points). */
const summary = (direction: Direction = 'minimize', reference?: number) => {
  const o = { budget: 10, targetCost: 2, metric: 'loss', direction };
  const ts = [
    // a: seeds at 3 and 5 from cost 2 (mean 4, s.e. 1), both at 1 from cost 6.
    handTrajectory(
      'a',
      0,
      [
        [2, 3],
        [6, 1],
      ],
      o,
    ),
    handTrajectory(
      'a',
      1,
      [
        [2, 5],
        [6, 1],
      ],
      o,
    ),
    // b: 2 from cost 4 on both seeds.
    handTrajectory('b', 0, [[4, 2]], o),
    handTrajectory('b', 1, [[4, 2]], o),
  ];
  return summarize(ts, {
    gridPoints: 13,
    ...(reference !== undefined ? { reference: { loss: reference } } : {}),
  });
};

interface Spec {
  title: { text: string; subtitle: string };
  data: { values: unknown[] };
  layer: { mark: { type: string }; data?: { values: unknown[] } }[];
}

describe('chartSpec', () => {
  it('one row where a step curve changes (mean ± s.e.) and one at its last grid point', () => {
    const s = summary();
    assert.deepEqual(s.grid, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const spec = chartSpec(s, 'loss', 'GPU-hours') as unknown as Spec;
    assert.deepEqual(spec.data.values, [
      { method: 'a', cost: 2, mean: 4, lo: 3, hi: 5 },
      { method: 'a', cost: 6, mean: 1, lo: 1, hi: 1 },
      { method: 'a', cost: 12, mean: 1, lo: 1, hi: 1 },
      { method: 'b', cost: 4, mean: 2, lo: 2, hi: 2 },
      { method: 'b', cost: 12, mean: 2, lo: 2, hi: 2 },
    ]);
    assert.equal(spec.title.text, 't: loss');
    assert.equal(
      spec.title.subtitle,
      'target value of the recommended mixture, mean +- s.e. over 2 seeds (lower is better)',
    );
    // Band and line only: no reference optimum known.
    assert.deepEqual(
      spec.layer.map((l) => l.mark.type),
      ['area', 'line'],
    );
  });

  it('draws the reference optimum as a dashed rule under the bands; says "higher is better" when maximising', () => {
    const spec = chartSpec(summary('maximize', 0.5), 'loss') as unknown as Spec;
    assert.deepEqual(
      spec.layer.map((l) => l.mark.type),
      ['rule', 'area', 'line'],
    );
    assert.deepEqual(spec.layer[0]?.data?.values, [{ ref: 0.5 }]);
    assert.match(spec.title.subtitle, /\(higher is better\)$/);
  });

  it('renderChart gives an SVG naming every method', async () => {
    const svg = await renderChart(summary('minimize', 0.5), 'loss', 'GPU-hours');
    assert.match(svg, /^<svg/);
    for (const text of ['>a<', '>b<', 'GPU-hours', 't: loss']) assert.ok(svg.includes(text), text);
  });
});
