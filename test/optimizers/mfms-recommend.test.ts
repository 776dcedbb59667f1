// The mfms-bo recommendation policies (src/optimizers/mfms-recommend.ts) on a real GP conditioned
// on a small history; every choice checked against the GP's own predictions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type History, Rng } from '../../src/core/index.ts';
import { conditionGP, type GPHyperparameters } from '../../src/gp/index.ts';
import { encodeInput } from '../../src/optimizers/encoding.ts';
import { cappedObservations } from '../../src/optimizers/gp-common.ts';
import { type ChooseArgs, chooseRecommendation } from '../../src/optimizers/mfms-recommend.ts';
import { makeRun, synthSpace } from './helpers.ts';

const space = synthSpace();
const T = space.target;
const history: History = {
  runs: [
    makeRun(space, 'good', [0.2, 0.5, 0.3], 'L', 19700),
    makeRun(space, 'bad', [0.8, 0.1, 0.1], 'L', 19700),
    makeRun(space, 'small', [0.4, 0.4, 0.2], 'S', 19700),
  ],
  spent: 0,
};
const obs = cappedObservations(space, history, 100, {}, 'spread');
const dims = Array.from({ length: obs.d }, (_, j) => j);
const hyper: GPHyperparameters = {
  lengthscales: [{ kind: 'rbf', dims, values: [0.7] }],
  outputScale: 4,
  noise: 1e-4,
  mean: [],
  standardization: { mean: 0, std: 1 },
};
const gp = conditionGP(
  obs.X,
  Array.from(obs.y),
  obs.d,
  {
    kernel: { kind: 'rbf', dims },
    mean: 'zero',
    noise: { kind: 'fixed', variance: 1e-4 },
    standardize: false,
  },
  hyper,
);
const xStar = (w: ArrayLike<number>) => encodeInput(space, w, T.scale, T.steps);
const predict = (w: readonly number[]) => {
  const p = gp.predict(Float64Array.from(xStar(w)));
  return { mean: p.mean[0] as number, sd: Math.sqrt(Math.max(p.variance[0] as number, 0)) };
};
const observed = [...new Map(history.runs.map((r) => [r.mixture.join(','), r.mixture])).values()];

function args(
  recommend: ChooseArgs['policy']['recommend'],
  over: Partial<ChooseArgs> = {},
): ChooseArgs {
  const w = [0.3, 0.4, 0.3];
  return {
    policy: {
      recommend,
      preferTargetRuns: false,
      pSwitch: 0.6,
      switchTest: 'pair',
      recommendSearch: true,
      recommendRisk: 0,
    },
    space,
    gp,
    obs,
    observed,
    xStar,
    inc: { w, ...predict(w) },
    rng: new Rng(1),
    ...over,
  };
}

describe('chooseRecommendation', () => {
  it("'posterior' (and 'verified', 'best-raw' here): the predicted optimum as given, no run id", () => {
    for (const policy of ['posterior', 'verified', 'best-raw'] as const) {
      const a = args(policy);
      const { rec, incumbent } = chooseRecommendation(a);
      assert.deepEqual(rec, {
        mixture: a.inc.w,
        mean: a.inc.mean,
        sd: a.inc.sd,
        basis: 'argmin of the predicted target value (observed mixtures and a search)',
      });
      assert.equal(incumbent, undefined);
    }
  });

  it("'pessimistic': the smallest mean + sd over the predicted optimum and the observed mixtures; a target run keeps its id", () => {
    const a = args('pessimistic');
    const { rec } = chooseRecommendation(a);
    const cands = [a.inc.w, ...observed];
    const bounds = cands.map((w) => predict(w).mean + predict(w).sd);
    const b = bounds.indexOf(Math.min(...bounds));
    assert.deepEqual(rec.mixture, cands[b]);
    assert.ok(Math.abs(rec.mean + rec.sd - (bounds[b] as number)) < 1e-12);
    // The good target run is observed twice as well as it is predicted: it wins here.
    assert.deepEqual(rec.mixture, [0.2, 0.5, 0.3]);
    assert.equal(rec.runId, 'good');
    assert.match(rec.basis, /^smallest upper bound/);
  });

  it('preferTargetRuns: the best completed target run when its prediction is within one sd of the optimum’s', () => {
    const prefer = (inc: ChooseArgs['inc']) =>
      chooseRecommendation({
        ...args('posterior'),
        policy: { ...args('posterior').policy, preferTargetRuns: true },
        inc,
      }).rec;
    const good = predict([0.2, 0.5, 0.3]);
    // An optimum predicted a little better, with an sd that covers the gap: the run.
    const near = prefer({ w: [0.25, 0.45, 0.3], mean: good.mean - 0.01, sd: 0.02 });
    assert.equal(near.runId, 'good');
    assert.deepEqual(near.mixture, [0.2, 0.5, 0.3]);
    assert.ok(Math.abs(near.mean - good.mean) < 1e-15);
    // Predicted much better with a small sd: the optimum stays.
    const far = prefer({ w: [0.25, 0.45, 0.3], mean: good.mean - 1, sd: 0.02 });
    assert.equal(far.runId, undefined);
    assert.deepEqual(far.mixture, [0.25, 0.45, 0.3]);
  });

  it("'stable': the stable rule's choice, returned as the new incumbent, with the run id of a target run", () => {
    const { rec, incumbent } = chooseRecommendation(args('stable'));
    assert.deepEqual(incumbent, rec.mixture);
    assert.ok(Number.isFinite(rec.mean) && rec.sd >= 0);
    const isGood = rec.mixture.join(',') === '0.2,0.5,0.3';
    assert.equal(
      rec.runId,
      isGood ? 'good' : rec.mixture.join(',') === '0.8,0.1,0.1' ? 'bad' : undefined,
    );
  });
});
