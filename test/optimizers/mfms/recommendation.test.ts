import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type History, Rng, type RunRecord } from '../../../src/core/index.ts';
import { MfmsSettingsSchema, recommendBestRaw } from '../../../src/optimizers/index.ts';
import { probabilityBetter } from '../../../src/optimizers/mfms/early-stop.ts';
import { createMfmsPolicy, steadyTargetRun } from '../../../src/optimizers/mfms/recommendation.ts';
import { createMfmsSurrogate } from '../../../src/optimizers/mfms/surrogate.ts';
import { bestTargetRun } from '../../../src/optimizers/observed.ts';
import { synthLoss } from '../helpers.ts';
import { toySpace } from '../toy-space.ts';
import { history as makeHistory, space } from './histories.ts';
import { onePointGp } from './one-point-gp.ts';

function parts(over: Record<string, unknown>) {
  const s = MfmsSettingsSchema.parse({ initial: 5, noise: 'fixed', ...over });
  const surrogate = createMfmsSurrogate(space, s, 5);
  const root = new Rng(5).fork('mfms');
  return { surrogate, policy: createMfmsPolicy(space, s, surrogate.encoding, root, undefined) };
}

describe('mfms recommendation policy', () => {
  const history = makeHistory(8, [
    [0.3, 0.4, 0.3],
    [0.2, 0.5, 0.3],
    [0.5, 0.3, 0.2],
  ]);

  it("'verified': the best completed target run, by its measured value, with the model's prediction", () => {
    const { surrogate, policy } = parts({ recommend: 'verified' });
    const model = policy.model(surrogate.fit(history, false)!, history, false);
    const rec = policy.atTarget(history, model);
    const best = ['t0', 't1', 't2'].reduce((a, b) => {
      const va = synthLoss(history.runs.find((r) => r.id === a)!.mixture, 'L', 19700);
      const vb = synthLoss(history.runs.find((r) => r.id === b)!.mixture, 'L', 19700);
      return vb < va ? b : a;
    });
    assert.equal(rec.runId, best);
    assert.deepEqual(rec.mixture, history.runs.find((r) => r.id === best)!.mixture);
    assert.equal(rec.basis, 'best completed target run (measured value)');
    assert.ok(rec.predicted !== undefined && rec.predicted.lower <= rec.predicted.mean);
  });

  it("'verified' with verifiedSwitch: the policy keeps the first target run while no later one beats it by the margin", () => {
    // A margin of 1e6 model noise sds: no later run can beat the first.
    const { surrogate, policy } = parts({ recommend: 'verified', verifiedSwitch: 1e6 });
    const model = policy.model(surrogate.fit(history, false)!, history, false);
    assert.equal(policy.atTarget(history, model).runId, 't0');
    // The same with z = 0 is the best measured run (t0 is not the best here).
    const free = parts({ recommend: 'verified' });
    const m0 = free.policy.model(free.surrogate.fit(history, false)!, history, false);
    const best = free.policy.atTarget(history, m0).runId;
    assert.notEqual(best, 't0');
    assert.equal(best, bestTargetRun(history, space)?.id);
  });

  it("'verified-posterior': the completed target run whose mixture has the smallest posterior mean at the target", () => {
    const { surrogate, policy } = parts({ recommend: 'verified-posterior' });
    const fit = surrogate.fit(history, false)!;
    const model = policy.model(fit, history, false);
    const rec = policy.atTarget(history, model);
    const mu = (id: string) =>
      fit.gp.predict(
        Float64Array.from(surrogate.encoding.xStar(history.runs.find((r) => r.id === id)!.mixture)),
      ).mean[0]!;
    const means = ['t0', 't1', 't2'].map(mu);
    const want = ['t0', 't1', 't2'][means.indexOf(Math.min(...means))]!;
    assert.equal(rec.runId, want);
    assert.match(rec.basis, /predicted best at the target \(posterior mean\)/);
    // Before any target run completes: the posterior's choice, as with 'posterior'.
    const early = { ...history, runs: history.runs.filter((r) => !r.id.startsWith('t')) };
    const m0 = policy.model(surrogate.fit(early, false)!, early, false);
    assert.equal(policy.atTarget(early, m0).runId, m0.rec.runId);
    assert.deepEqual(policy.atTarget(early, m0).mixture, m0.rec.mixture);
  });

  it("verifiedFallback 'stable': the stable rule's choice (and incumbent) until a target run completes", () => {
    const early = { ...history, runs: history.runs.filter((r) => !r.id.startsWith('t')) };
    const v = parts({ recommend: 'verified', verifiedFallback: 'stable' });
    const st = parts({ recommend: 'stable' });
    const po = parts({ recommend: 'verified' });
    const mv = v.policy.model(v.surrogate.fit(early, false)!, early, true);
    const ms = st.policy.model(st.surrogate.fit(early, false)!, early, true);
    const mp = po.policy.model(po.surrogate.fit(early, false)!, early, true);
    assert.deepEqual(v.policy.atTarget(early, mv), st.policy.atTarget(early, ms));
    assert.deepEqual(v.policy.state.incumbent, st.policy.state.incumbent);
    // The posterior fallback keeps no incumbent, and says what it is.
    assert.match(v.policy.atTarget(early, mv).basis, /^predicted best at the target/);
    assert.match(po.policy.atTarget(early, mp).basis, /^argmin of the predicted target value/);
    assert.equal(po.policy.state.incumbent, undefined);
    // Once target runs have completed: the best of them, whatever the fallback.
    const m = v.policy.model(v.surrogate.fit(history, false)!, history, true);
    const mq = po.policy.model(po.surrogate.fit(history, false)!, history, false);
    assert.deepEqual(v.policy.atTarget(history, m).runId, po.policy.atTarget(history, mq).runId);
    assert.equal(v.policy.atTarget(history, m).basis, 'best completed target run (measured value)');
  });

  it("verifiedFallback 'pessimistic': the smallest mean + sd at the target until a target run completes", () => {
    const early = { ...history, runs: history.runs.filter((r) => !r.id.startsWith('t')) };
    const { surrogate, policy } = parts({ recommend: 'verified', verifiedFallback: 'pessimistic' });
    const fit = surrogate.fit(early, false)!;
    const model = policy.model(fit, early, false);
    const rec = policy.atTarget(early, model);
    // Independently: mean + sd at the target of the predicted optimum and every observed mixture.
    const bound = (w: readonly number[]) => {
      const p = fit.gp.predict(Float64Array.from(surrogate.encoding.xStar(w)));
      return p.mean[0]! + Math.sqrt(Math.max(p.variance[0]!, 0));
    };
    const cands = [model.wInc, ...model.observed];
    const bounds = cands.map(bound);
    const want = cands[bounds.indexOf(Math.min(...bounds))]!;
    assert.deepEqual(rec.mixture, [...want]);
    assert.ok(bound(rec.mixture) <= bound(model.wInc) + 1e-12);
    // Once target runs have completed: the best of them by measured value, as 'verified'.
    const m = policy.model(surrogate.fit(history, false)!, history, false);
    assert.equal(policy.atTarget(history, m).runId, bestTargetRun(history, space)!.id);
  });

  it("'verified-or-confident': the best target run unless the model's choice beats it with P >= pSwitch", () => {
    const chosen = (h: typeof history) => {
      const { surrogate, policy } = parts({ recommend: 'verified-or-confident' });
      const fit = surrogate.fit(h, false)!;
      const model = policy.model(fit, h, false);
      const run = bestTargetRun(h, space)!;
      const p = probabilityBetter(fit.gp, surrogate.encoding.xStar, model.rec.mixture, run.mixture);
      return { rec: policy.atTarget(h, model), model, run, p };
    };
    // Target runs near the optimum: the model is not sure of anything better, the run stands.
    const near = chosen(history);
    assert.ok(near.p < 0.9, `${near.p}`);
    assert.equal(near.rec.runId, near.run.id);
    assert.equal(near.rec.basis, 'best completed target run (measured value)');
    // One target run of a poor mixture, and small runs that place the optimum elsewhere:
    // P(model's choice better) >= pSwitch = 0.9, so the model's choice is recommended.
    const far = chosen(makeHistory(12, [[0.8, 0.1, 0.1]]));
    assert.ok(far.p >= 0.9, `${far.p}`);
    assert.deepEqual(far.rec.mixture, far.model.rec.mixture);
    assert.equal(far.rec.runId, undefined);
    // The basis says why the measured run was passed over, with the probability it rests on.
    assert.equal(
      far.rec.basis,
      `${far.model.rec.basis}; predicted better at the target than the best completed target run (${far.run.id}) with probability ${far.p.toFixed(3)} >= pSwitch 0.9`,
    );
    assert.ok(Math.hypot(...far.rec.mixture.map((v, j) => v - [0.8, 0.1, 0.1][j]!)) > 0.3);
  });

  it("'posterior': the incumbent, the predicted minimum over observed mixtures and a search", () => {
    const { surrogate, policy } = parts({ recommend: 'posterior', preferTargetRuns: false });
    const fit = surrogate.fit(history, false)!;
    const model = policy.model(fit, history, false);
    assert.equal(model.round, history.runs.length);
    assert.deepEqual(model.rec.mixture, model.wInc);
    // No observed mixture is predicted better at the target than the incumbent.
    for (const w of model.observed) {
      const mu = fit.gp.predict(Float64Array.from(surrogate.encoding.xStar(w))).mean[0]!;
      assert.ok(mu >= model.muBest - 1e-12, `${mu} >= ${model.muBest}`);
    }
    const rec = policy.atTarget(history, model);
    assert.equal(rec.predicted!.mean, Math.exp(model.muBest + fit.shift('L', 19700)));
    // At another fidelity: the argmin there, computed once per model.
    const at = policy.at(history, model, { scale: 'S', steps: 4000 });
    assert.match(at.basis, /argmin of the predicted value at \(S, 4000 steps\)/);
    assert.equal(policy.at(history, model, { scale: 'S', steps: 4000 }), at);
    assert.deepEqual(policy.at(history, model, { scale: 'L', steps: 19700 }), rec);
    assert.throws(() => policy.at(history, model, { scale: 'L', steps: 0 }), /steps > 0/);
  });

  it("'stable': the incumbent moves only on the proposals' path", () => {
    const { surrogate, policy } = parts({ recommend: 'stable' });
    const fit = surrogate.fit(history, false)!;
    policy.model(fit, history, false);
    assert.equal(policy.state.incumbent, undefined);
    const model = policy.model(fit, history, true);
    assert.deepEqual(policy.state.incumbent, model.rec.mixture);
  });

  it("'best-raw': the raw best keeps its run and basis and gains the surrogate's target prediction", () => {
    const { surrogate, policy } = parts({ recommend: 'best-raw' });
    const raw = recommendBestRaw(history, space)!;
    assert.equal(policy.bestRaw(raw, undefined), raw);
    const fit = surrogate.fit(history, false)!;
    const rec = policy.bestRaw(raw, fit);
    assert.equal(rec.runId, raw.runId);
    assert.equal(rec.basis, raw.basis);
    const mu = fit.gp.predict(Float64Array.from(surrogate.encoding.xStar(raw.mixture))).mean[0]!;
    assert.equal(rec.predicted!.mean, Math.exp(mu + fit.shift('L', 19700)));
  });
});

describe('mfms recommendation: steadyTargetRun (verifiedSwitch)', () => {
  // Toy space, target L@1000. A one-point GP with noise v = 0.01 and no standardisation: one
  // target run's noise variance is 0.01, the margin at z = 1 is sqrt(0.02) = 0.1414.
  const toy = toySpace();
  const { gp } = onePointGp({ s: 1, l: 0.5, v: 0.01, x0: [0.3, 0.3, 0.4, 1, 1], y0: 0 });
  const target = (id: string, value: number, steps = 1000): RunRecord => ({
    id,
    mixture: [0.2, 0.3, 0.5],
    scale: 'L',
    steps,
    curve: [{ step: steps, value }],
    state: 'completed',
    cost: 10,
  });
  const h = (...runs: RunRecord[]): History => ({ runs, spent: 0 });

  it('keeps the first target run until a later one is better by more than the margin', () => {
    // 2.0, then 1.9 (better by 0.1 < 0.1414: kept), then 1.8 (by 0.2: switch), then 1.75.
    const runs = [target('a', 2.0), target('b', 1.9), target('c', 1.8), target('d', 1.75)];
    assert.equal(steadyTargetRun(h(...runs.slice(0, 2)), toy, gp, false, 1)?.id, 'a');
    assert.equal(steadyTargetRun(h(...runs.slice(0, 3)), toy, gp, false, 1)?.id, 'c');
    // 1.75 beats the kept 1.8 by 0.05 only.
    assert.equal(steadyTargetRun(h(...runs), toy, gp, false, 1)?.id, 'c');
    // z = 0.3 (margin 0.042): every later improvement above it switches.
    assert.equal(steadyTargetRun(h(...runs), toy, gp, false, 0.3)?.id, 'd');
    // Shorter or smaller runs do not count; none completed at the target: undefined.
    assert.equal(steadyTargetRun(h(target('s', 1, 500)), toy, gp, false, 1), undefined);
  });

  it('compares logs of a loss with the log transform, and flips the sign of a maximised metric', () => {
    // Logs: 2 -> 1.75 is a drop of log(2/1.75) = 0.1335 < 0.1414 (kept); 1.7 is 0.1625 (switch).
    assert.equal(steadyTargetRun(h(target('a', 2), target('b', 1.75)), toy, gp, true, 1)?.id, 'a');
    assert.equal(steadyTargetRun(h(target('a', 2), target('b', 1.7)), toy, gp, true, 1)?.id, 'b');
    const up = toySpace({ metric: { name: 'acc', direction: 'maximize' } });
    const hist = h(target('a', 0.5), target('b', 0.6), target('c', 0.7));
    assert.equal(steadyTargetRun(hist, up, gp, false, 1)?.id, 'c');
    assert.equal(steadyTargetRun(h(target('a', 0.5), target('b', 0.6)), up, gp, false, 1)?.id, 'a');
  });
});
