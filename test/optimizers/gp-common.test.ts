// Pieces shared by the GP optimisers (src/optimizers/gp-common.ts): settings
// parsing, batch checks, budget left, pending runs, the initial design, the
// MFMS kernel, the surrogate and its fantasies, and the best observation.
// (cappedObservations is tested in encoding.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { Rng, type RunRecord, ValidationError } from '../../src/core/index.ts';
import { observationsFromHistory } from '../../src/optimizers/encoding.ts';
import {
  bestObserved,
  checkBatch,
  costAwareSettings,
  initialRun,
  initialStepRange,
  mfmsKernel,
  parseSettings,
  pendingRuns,
  remainingBudget,
  surrogate,
  viewSurrogate,
  withFantasies,
} from '../../src/optimizers/gp-common.ts';
import { makeRun, synthSpace } from './helpers.ts';
import { toySpace } from './toy-space.ts';

const bare = (id: string, state: RunRecord['state'], cost: number, parent?: string): RunRecord => ({
  id,
  mixture: [1, 0, 0],
  scale: 'S',
  steps: 100,
  curve: [],
  state,
  cost,
  ...(parent !== undefined ? { parent } : {}),
});

describe('parseSettings', () => {
  const schema = z.strictObject({ ...costAwareSettings });

  it('fills the paper defaults of the cost-aware settings', () => {
    const s = parseSettings('mf-bo', schema, undefined);
    assert.equal(s.alpha0, 1);
    assert.equal(s.decay, 0.99);
    assert.equal(s.starts, 5);
    assert.ok(s.stepFractions.length >= 1);
    assert.deepEqual(parseSettings('mf-bo', schema, { decay: 0.5 }).decay, 0.5);
  });

  it('lists every bad and unknown key with the method name', () => {
    assert.throws(
      () => parseSettings('mf-bo', schema, { decay: 0, starts: 1.5, bogus: 1 }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.match(e.message, /^invalid settings for optimiser 'mf-bo': /);
        assert.match(e.message, /decay: /);
        assert.match(e.message, /starts: /);
        assert.match(e.message, /bogus/);
        assert.equal((e.details as { issues: string[] }).issues.length, 3);
        return true;
      },
    );
  });
});

describe('checkBatch', () => {
  it('accepts positive integers and names any other n', () => {
    checkBatch(1);
    checkBatch(64);
    for (const n of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => checkBatch(n),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message === `propose needs n >= 1 runs, got ${String(n)}`,
      );
    }
  });
});

describe('pendingRuns and remainingBudget', () => {
  const runs = [
    bare('done', 'completed', 5),
    bare('p', 'pending', 2),
    bare('r', 'running', 3),
    bare('f', 'failed', 7),
    bare('old', 'running', 11),
    bare('new', 'pending', 1, 'old'),
  ];

  it('pending runs are the active pending or running ones (a superseded parent is not)', () => {
    assert.deepEqual(
      pendingRuns({ runs, spent: 0 }).map((r) => r.id),
      ['p', 'r', 'new'],
    );
  });

  it('budget left = budget - spent - cost of the pending runs; infinite without a budget', () => {
    assert.equal(remainingBudget({ runs, spent: 12, budget: 100 }), 100 - 12 - (2 + 3 + 1));
    assert.equal(remainingBudget({ runs, spent: 12 }), Number.POSITIVE_INFINITY);
    assert.equal(remainingBudget({ runs: [], spent: 30, budget: 20 }), -10);
  });
});

describe('initialStepRange and initialRun', () => {
  it("scales the paper's 100..900 of 19,700 steps to the space", () => {
    // synth space: 100..19700 by 100, as the paper
    assert.deepEqual(initialStepRange(synthSpace()), [100, 900]);
    // toy space: 100..1000 by 100 -> 900/19700*1000 = 45.7 rounds to 0, clamped to the minimum
    assert.deepEqual(initialStepRange(toySpace()), [100, 100]);
    const wide = toySpace({ steps: { min: 50, max: 100000, logEvery: 50 } });
    // 900/19700*100000 = 4568.5 -> 4550 (nearest multiple of 50)
    assert.deepEqual(initialStepRange(wide), [50, 4550]);
  });

  it('draws a simplex mixture, a listed scale and steps on the log grid within the range', () => {
    const space = synthSpace();
    const rng = new Rng(11);
    const seenScales = new Set<string>();
    const seenSteps = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const p = initialRun(space, rng, ['S', 'M'], [100, 900]);
      assert.ok(Math.abs(p.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      assert.ok(p.mixture.every((w) => w >= 0));
      assert.ok(p.steps >= 100 && p.steps <= 900 && p.steps % 100 === 0, `${p.steps}`);
      seenScales.add(p.scale);
      seenSteps.add(p.steps);
    }
    assert.deepEqual([...seenScales].sort(), ['M', 'S']);
    assert.equal(seenSteps.size, 9, 'every grid step 100..900 is drawn');
    const again = initialRun(space, new Rng(11), ['S', 'M'], [100, 900]);
    assert.deepEqual(again, initialRun(space, new Rng(11), ['S', 'M'], [100, 900]));
  });
});

describe('mfmsKernel', () => {
  it('is the product of the mixture kernel and one kernel per fidelity dimension', () => {
    assert.deepEqual(mfmsKernel(3, 'matern52', 'rbf', true), {
      kind: 'product',
      terms: [
        { kind: 'matern52', dims: [0, 1, 2], ard: true },
        { kind: 'rbf', dims: [3] },
        { kind: 'rbf', dims: [4] },
      ],
    });
    assert.deepEqual(mfmsKernel(2, 'rbf', 'matern52', false, { size: false, steps: true }), {
      kind: 'product',
      terms: [
        { kind: 'rbf', dims: [0, 1], ard: false },
        { kind: 'matern52', dims: [3] },
      ],
    });
  });

  it('is the bare mixture kernel when both fidelity dimensions are off', () => {
    assert.deepEqual(mfmsKernel(2, 'rbf', 'rbf', true, { size: false, steps: false }), {
      kind: 'rbf',
      dims: [0, 1],
      ard: true,
    });
  });
});

describe('surrogate, viewSurrogate and withFantasies', () => {
  const space = synthSpace();
  const runs = [
    makeRun(space, 'a', [0.6, 0.3, 0.1], 'S', 300),
    makeRun(space, 'b', [0.2, 0.5, 0.3], 'M', 200),
    makeRun(space, 'c', [0.1, 0.1, 0.8], 'L', 100),
  ];
  const obs = observationsFromHistory(space, { runs, spent: 0 });
  const options = { kernel: mfmsKernel(3, 'matern52', 'matern52', false) };
  const fitted = surrogate(obs, options, { fit: true });

  it('conditioning on the fitted hyper-parameters reproduces the fitted posterior', () => {
    const conditioned = viewSurrogate(obs, options, fitted.hyperparameters);
    const Xs = Float64Array.from([0.3, 0.3, 0.4, 0.5, 0.5, 0.1, 0.8, 0.1, 1, 0.2]);
    const a = fitted.predict(Xs);
    const b = conditioned.predict(Xs);
    for (let i = 0; i < 2; i++) {
      assert.ok(Math.abs(a.mean[i]! - b.mean[i]!) < 1e-9, `mean ${a.mean[i]} vs ${b.mean[i]}`);
      assert.ok(Math.abs(a.variance[i]! - b.variance[i]!) < 1e-9);
    }
  });

  it('a fantasy at the posterior mean keeps the mean and shrinks the variance there', () => {
    const pending = [{ mixture: [0.4, 0.4, 0.2], scale: 'L', steps: 1000 }];
    const x = Float64Array.from([0.4, 0.4, 0.2, 1, 1000 / 19700]);
    const fantasised = withFantasies(fitted, space, pending, {});
    assert.equal(fantasised.n, fitted.n + 1);
    const before = fitted.predict(x);
    const after = fantasised.predict(x);
    assert.ok(Math.abs(after.mean[0]! - before.mean[0]!) < 1e-9);
    assert.ok(after.variance[0]! < before.variance[0]!);
    assert.equal(withFantasies(fitted, space, [], {}), fitted);
  });
});

describe('bestObserved', () => {
  it('is the smallest y over the kept rows, infinite when none is kept', () => {
    const obs = {
      X: new Float64Array(6),
      y: Float64Array.from([3, 1, 2]),
      n: 3,
      d: 2,
      points: [],
    };
    assert.equal(bestObserved(obs), 1);
    assert.equal(
      bestObserved(obs, (i) => i !== 1),
      2,
    );
    assert.equal(
      bestObserved(obs, () => false),
      Number.POSITIVE_INFINITY,
    );
  });
});
