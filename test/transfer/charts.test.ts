// The transfer charts' specs (src/transfer/charts.ts) on a hand-made result: clipping, paper ticks,
// calibration means.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  calibrationChartSpec,
  R2_FLOOR,
  r2ChartSpec,
  rankChartSpec,
  renderSvg,
} from '../../src/transfer/charts.ts';
import { CALIBRATION_LEVELS, type TransferResult } from '../../src/transfer/experiments.ts';

/** The fields of a cell the charts read. */
const cell = (
  experiment: string,
  metric: string,
  r2: number,
  r2Std: number,
  spearman: number | undefined,
  coverage: number,
) => ({
  experiment,
  metric,
  r2,
  r2Std,
  rank: { spearman, spearmanStd: spearman === undefined ? undefined : 0.5 },
  coverage: CALIBRATION_LEVELS.map(() => coverage),
});

const result = {
  experiments: [{ id: 'E1' }, { id: 'E6' }],
  metrics: ['c4_cross_entropy', 'loss'],
  cells: [
    cell('E1', 'c4_cross_entropy', 0.9, 0.2, 0.8, 0.6),
    cell('E1', 'loss', -3, 0.1, undefined, 0.8),
    cell('E6', 'c4_cross_entropy', 0.5, 0.1, -0.9, 1),
    cell('E6', 'loss', 0.7, 0, 0.2, 0.2),
  ],
} as unknown as TransferResult;

interface Spec {
  data?: { values: Record<string, unknown>[] };
  layer: { mark: { type: string }; data?: { values: Record<string, unknown>[] } }[];
}

describe('transfer charts', () => {
  it('r2ChartSpec: bars clipped at the floor, the whisker capped at 1, the paper R² where it has one', () => {
    const spec = r2ChartSpec(result) as unknown as Spec;
    assert.equal(R2_FLOOR, -0.25);
    assert.deepEqual(spec.data?.values, [
      { experiment: 'E1', metric: 'c4_cross_entropy', value: 0.9, lo: 0.7, hi: 1, paper: 0.86 },
      { experiment: 'E1', metric: 'loss', value: -0.25, lo: -0.25, hi: -0.25, paper: null },
      { experiment: 'E6', metric: 'c4_cross_entropy', value: 0.5, lo: 0.4, hi: 0.6, paper: 0.69 },
      { experiment: 'E6', metric: 'loss', value: 0.7, lo: 0.7, hi: 0.7, paper: 0.69 },
    ]);
    assert.deepEqual(
      spec.layer.map((l) => l.mark.type),
      ['bar', 'rule', 'tick'],
    );
  });

  it('rankChartSpec: cells without a Spearman ρ left out; whiskers within [−1, 1]; no paper ticks', () => {
    const spec = rankChartSpec(result) as unknown as Spec;
    assert.deepEqual(spec.data?.values, [
      { experiment: 'E1', metric: 'c4_cross_entropy', value: 0.8, lo: 0.8 - 0.5, hi: 1 },
      { experiment: 'E6', metric: 'c4_cross_entropy', value: -0.9, lo: -1, hi: -0.4 },
      { experiment: 'E6', metric: 'loss', value: 0.2, lo: -0.3, hi: 0.7 },
    ]);
    assert.deepEqual(
      spec.layer.map((l) => l.mark.type),
      ['bar', 'rule'],
    );
  });

  it('calibrationChartSpec: per experiment and level, the mean coverage over its metrics; the diagonal', () => {
    const spec = calibrationChartSpec(result) as unknown as Spec;
    assert.deepEqual(spec.layer[0]?.data?.values, [
      { nominal: 0.5, observed: 0.5 },
      { nominal: 1, observed: 1 },
    ]);
    const values = spec.layer[1]?.data?.values ?? [];
    assert.equal(values.length, 2 * CALIBRATION_LEVELS.length);
    for (const v of values) {
      assert.ok(CALIBRATION_LEVELS.includes(v['nominal'] as number));
      assert.ok(
        Math.abs((v['observed'] as number) - (v['experiment'] === 'E1' ? 0.7 : 0.6)) < 1e-12,
      );
    }
    const empty = { ...result, cells: [] } as unknown as TransferResult;
    const zero = (calibrationChartSpec(empty) as unknown as Spec).layer[1]?.data?.values ?? [];
    assert.ok(zero.every((v) => v['observed'] === 0));
  });

  it('renderSvg draws the chart with its title', async () => {
    const svg = await renderSvg(r2ChartSpec(result, 'R² here'));
    assert.match(svg, /^<svg/);
    assert.ok(svg.includes('R² here'));
  });
});
