import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Fidelity,
  type History,
  type Mixture,
  normCdf,
  type Optimizer,
  type Prediction,
  parseStudyConfig,
  recommendStudy,
  SqliteStudyStore,
  Study,
} from '../internals.ts';
import { smallConfig, tempDb } from './helpers.ts';

const pred = (mean: number, std: number): Prediction => ({
  mean,
  std,
  lower: mean - 1.6448536269514722 * std,
  upper: mean + 1.6448536269514722 * std,
});

/** An optimiser with a fake surrogate: predicted mean = 2 + w_0 (std 0.1), best mixture per scale known. */
function withSurrogate(): Optimizer & {
  predictAt(h: History, ms: readonly Mixture[], f: Fidelity): Prediction[];
  recommendAt(h: History, f: Fidelity): { mixture: Mixture; basis: string; predicted: Prediction };
} {
  return {
    name: 'fake',
    propose: () => [],
    recommend: () => ({ mixture: [0, 1, 0], basis: 'fake surrogate', predicted: pred(2, 0.1) }),
    predictAt: (_h, ms) => ms.map((m) => pred(2 + (m[0] as number), 0.1)),
    recommendAt: (_h, f) => ({
      mixture: f.scale === '1B' ? [0, 1, 0] : [0, 0, 1],
      basis: 'fake',
      predicted: pred(f.scale === '1B' ? 2 : 3, 0.2),
    }),
  };
}

function studyWithRuns(optimizer?: () => Optimizer): Study {
  const store = SqliteStudyStore.open(tempDb());
  const base = Study.create(store, parseStudyConfig(smallConfig()));
  const [a, b] = base.ask(2);
  base.tell(a!.id, { step: 1000, value: 2.5 });
  base.finish(a!.id);
  base.tell(b!.id, { step: 1000, value: 2.7 });
  base.finish(b!.id);
  return optimizer === undefined ? base : new Study(store, undefined, { optimizer });
}

describe('recommendStudy', () => {
  it('with a surrogate: probability from both predictions, and the predicted ladder', () => {
    const study = studyWithRuns(withSurrogate);
    const r = recommendStudy(study)!;
    assert.deepEqual(r.mixture, [0, 1, 0]);
    assert.equal(r.predicted?.mean, 2);
    // Runner-up = the better observed target run (2.5, trial 1); predicted 2 + w_0.
    assert.equal(r.runnerUp?.trial, 1);
    const w0 = r.runnerUp!.mixture[0] as number;
    // P = Phi(d / sqrt(s1^2 + s2^2)), d = mu_runnerup - mu_rec = w_0.
    assert.ok(Math.abs(r.probBeatsRunnerUp! - normCdf(w0 / Math.sqrt(0.02))) < 1e-12);
    assert.equal(r.ladderPredicted, true);
    assert.deepEqual(
      r.ladder.map((l) => [l.scale, l.mixture, l.predicted?.mean]),
      [
        ['20M', [0, 0, 1], 3],
        ['1B', [0, 1, 0], 2],
      ],
    );
    assert.deepEqual(r.notes, []);
  });

  it('without a surrogate: observed ladder and notes saying what is not available', () => {
    const study = studyWithRuns();
    const r = recommendStudy(study)!;
    const best = study.trial(1);
    assert.deepEqual(r.mixture, best.mixture);
    assert.equal(r.predicted, undefined);
    assert.equal(r.probBeatsRunnerUp, undefined);
    assert.equal(r.runnerUp?.trial, 2);
    assert.equal(r.runnerUp?.observed, 2.7);
    assert.equal(r.ladderPredicted, false);
    assert.deepEqual(
      r.ladder.map((l) => l.scale),
      ['1B'],
    );
    assert.equal(r.notes.length, 2);
    assert.match(r.notes[0]!, /no predicted value, interval or probability/);
    assert.deepEqual(
      r.restsOn.map((s) => [s.trial, s.distance]),
      [
        [1, 0],
        [2, r.restsOn[1]!.distance],
      ],
    );
  });

  it('without a surrogate but with a predicted recommendation: probability against the observed runner-up', () => {
    const study = studyWithRuns(() => ({
      name: 'predicts-own',
      propose: () => [],
      recommend: () => ({ mixture: [1, 0, 0], basis: 'x', predicted: pred(2.6, 0.05) }),
    }));
    const r = recommendStudy(study)!;
    // Runner-up: best observed target run with another mixture = trial 1 (2.5).
    assert.equal(r.runnerUp?.observed, 2.5);
    assert.ok(Math.abs(r.probBeatsRunnerUp! - normCdf((2.5 - 2.6) / 0.05)) < 1e-12);
    assert.match(r.probBasis ?? '', /observed target value/);
  });

  it('undefined before any observation', () => {
    const study = Study.create(SqliteStudyStore.open(tempDb()), parseStudyConfig(smallConfig()));
    assert.equal(recommendStudy(study), undefined);
  });
});
