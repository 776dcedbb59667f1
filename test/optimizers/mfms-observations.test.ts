// What the mfms-bo surrogate is fitted to (src/optimizers/mfms-observations.ts): the log transform,
// the power-law shift, and predictions mapped back to the metric.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History } from '../../src/core/index.ts';
import { cappedObservations } from '../../src/optimizers/gp-common.ts';
import { metricPrediction, mfmsData } from '../../src/optimizers/mfms-observations.ts';
import { toPrediction, Z90 } from '../../src/optimizers/surrogate-view.ts';
import { makeRun, synthSpace } from './helpers.ts';

const settings = {
  maxObservations: 100,
  capKeep: 'spread',
  pointsPerRun: 0,
  transform: 'auto',
  trend: 'linear',
} as const;
const enc = {};
const space = synthSpace();
const history: History = {
  runs: [
    makeRun(space, 'a', [0.6, 0.3, 0.1], 'S', 1000),
    makeRun(space, 'b', [0.2, 0.5, 0.3], 'M', 2000),
    makeRun(space, 'c', [0.3, 0.3, 0.4], 'L', 700),
  ],
  spent: 0,
};
const raw = cappedObservations(space, history, 100, enc, 'spread');

describe('mfmsData', () => {
  it("'auto' on a positive minimised metric: the GP sees log y, no shift", () => {
    const d = mfmsData(space, history, settings, enc);
    assert.equal(d.log, true);
    assert.deepEqual(Array.from(d.obs.y), Array.from(raw.y, Math.log));
    assert.deepEqual(Array.from(d.obs.X), Array.from(raw.X));
    assert.equal(d.shift('L', 19700), 0);
  });

  it("no log with transform 'none', with a maximised metric, or with a value <= 0", () => {
    assert.equal(mfmsData(space, history, { ...settings, transform: 'none' }, enc).log, false);
    const max = synthSpace('maximize');
    const hMax: History = {
      runs: history.runs.map((r) => makeRun(max, r.id, r.mixture, r.scale, r.steps)),
      spent: 0,
    };
    const dMax = mfmsData(max, hMax, settings, enc);
    assert.equal(dMax.log, false);
    // Minimisation convention: the maximised metric's values come back negated, unlogged.
    assert.deepEqual(Array.from(dMax.obs.y), Array.from(raw.y));
    const zero = history.runs[0]!;
    const hZero: History = {
      runs: [
        { ...zero, curve: zero.curve.map((p) => ({ ...p, value: 0 })) },
        ...history.runs.slice(1),
      ],
      spent: 0,
    };
    assert.equal(mfmsData(space, hZero, settings, enc).log, false);
  });

  it("'power-law': the GP sees log y − shift(m, z), shift = log L(N_m, z) of the fitted trend", () => {
    const d = mfmsData(space, history, { ...settings, trend: 'power-law' }, enc);
    assert.equal(d.log, true);
    d.obs.points.forEach((p, i) => {
      const back = (d.obs.y[i] as number) + d.shift(p.scale, p.steps);
      assert.ok(Math.abs(back - Math.log(raw.y[i] as number)) < 1e-12, `point ${i}`);
    });
    // The trend falls with size and steps, like the losses it was fitted to.
    assert.ok(d.shift('L', 19700) < d.shift('S', 19700));
    assert.ok(d.shift('S', 19700) < d.shift('S', 100));
  });
});

describe('metricPrediction', () => {
  it('log: mean e^mu, std e^mu sqrt(v), the 90% interval e^(mu ∓ z90 sqrt(v))', () => {
    const p = metricPrediction(space, Math.log(2), 0.04, true);
    assert.ok(Math.abs(p.mean - 2) < 1e-15);
    assert.ok(Math.abs(p.std - 0.4) < 1e-15);
    assert.ok(Math.abs(p.lower - 2 * Math.exp(-Z90 * 0.2)) < 1e-15);
    assert.ok(Math.abs(p.upper - 2 * Math.exp(Z90 * 0.2)) < 1e-15);
    // A negative variance (round-off) counts as 0.
    assert.deepEqual(metricPrediction(space, 0, -1e-18, true), {
      mean: 1,
      std: 0,
      lower: 1,
      upper: 1,
    });
  });

  it('without log: the latent prediction in the metric’s direction', () => {
    assert.deepEqual(
      metricPrediction(space, 1.5, 0.25, false),
      toPrediction(1.5, 0.25, 'minimize'),
    );
    const max = synthSpace('maximize');
    const p = metricPrediction(max, 1.5, 0.25, false);
    assert.equal(p.mean, -1.5);
    assert.equal(p.std, 0.5);
  });
});
