// fitMfmsSurrogate: the mfms-bo surrogate fitted once to a history, predicting a new run's value
// in the metric's units; seeded, positive for losses under the log transform, and near the
// synthetic problem's closed form where the runs are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../src/core/index.ts';
import { fitMfmsSurrogate } from '../../../src/optimizers/index.ts';
import { synthLoss, TARGET_OPT } from '../helpers.ts';
import { history, space } from './histories.ts';

describe('fitMfmsSurrogate', () => {
  const h = history(24, [TARGET_OPT, [0.4, 0.4, 0.2], [0.1, 0.2, 0.7]]);
  const at = [
    { mixture: TARGET_OPT, scale: 'L', steps: 19700 },
    { mixture: [0.5, 0.3, 0.2], scale: 'M', steps: 4000 },
    { mixture: [1, 0, 0], scale: 'S', steps: 1000 },
  ];

  it('is undefined with fewer than 5 runs', () => {
    assert.equal(fitMfmsSurrogate(space, history(4), undefined, 0), undefined);
  });

  it('predicts near the closed form, positive, with the median inside its 90% interval', () => {
    const f = fitMfmsSurrogate(space, h, undefined, 3);
    assert.ok(f !== undefined);
    assert.equal(f.log, true); // a minimised, positive metric: log y is modelled
    assert.equal(f.observations > 24, true);
    const preds = f.predict(at);
    preds.forEach((p, i) => {
      const q = at[i]!;
      const truth = synthLoss(q.mixture, q.scale, q.steps);
      assert.ok(p.mean > 0 && p.lower > 0, `positive at ${i}`);
      assert.ok(p.lower < p.mean && p.mean < p.upper, `interval at ${i}`);
      assert.ok(p.std > 0, `a new run's noise is included at ${i}`);
      if (i < 2) assert.ok(Math.abs(p.mean - truth) < 0.02 * truth, `${p.mean} vs ${truth}`);
    });
  });

  it('is the same for the same seed and settings, and takes the optimiser settings', () => {
    const a = fitMfmsSurrogate(space, h, undefined, 7)!.predict(at);
    const b = fitMfmsSurrogate(space, h, undefined, 7)!.predict(at);
    assert.deepEqual(a, b);
    const raw = fitMfmsSurrogate(space, h, { transform: 'none' }, 7)!;
    assert.equal(raw.log, false);
    assert.throws(() => fitMfmsSurrogate(space, h, { transform: 'cube' }, 7), ValidationError);
  });

  it('refuses a scale off the ladder', () => {
    const f = fitMfmsSurrogate(space, h, undefined, 1)!;
    assert.throws(
      () => f.predict([{ mixture: TARGET_OPT, scale: 'XL', steps: 100 }]),
      /scale 'XL' is not on the ladder \(S, M, L\)/,
    );
  });
});
