import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type History,
  hasSurrogateView,
  type Optimizer,
  Rng,
  type RunRecord,
  type SurrogateView,
} from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { makeRun, simulate, synthLoss, synthSpace } from './helpers.ts';

const space = synthSpace();
const TARGET = { scale: 'L', steps: 19700 };
const Z90 = 1.6448536269514722;

/** A fixed history on the synthetic testbed: 8 short runs over the ladder and 3 target runs. */
function fixedHistory(): History {
  const rng = new Rng(11);
  const runs: RunRecord[] = [];
  const scales = ['S', 'M', 'L'];
  for (let i = 0; i < 8; i++) {
    runs.push(makeRun(space, `r${i}`, rng.dirichlet([1, 1, 1]), scales[i % 3]!, 2000 + 500 * i));
  }
  for (const [j, w] of [
    [0.3, 0.4, 0.3],
    [0.1, 0.6, 0.3],
    [0.5, 0.3, 0.2],
  ].entries()) {
    runs.push(makeRun(space, `t${j}`, w, 'L', 19700));
  }
  return { runs, spent: runs.reduce((a, r) => a + r.cost, 0) };
}

function view(method: string, settings: Record<string, unknown> = {}): Optimizer & SurrogateView {
  const opt = createOptimizer(method, { space, seed: 5, settings });
  assert.ok(hasSurrogateView(opt), `${method} exposes a SurrogateView`);
  return opt;
}

describe('SurrogateView of mfms-bo', () => {
  const history = fixedHistory();
  const opt = view('mfms-bo', { initial: 5, noise: 'fixed', maxObservations: 120 });

  it('predicts an observed target point at its observed value (tiny noise)', () => {
    const w = history.runs.find((r) => r.id === 't1')!.mixture;
    const [p] = opt.predictAt(history, [w], TARGET);
    const y = synthLoss(w, 'L', 19700);
    assert.ok(p !== undefined);
    assert.ok(Math.abs(p.mean - y) < 0.01, `mean ${p.mean} vs observed ${y}`);
    assert.ok(p.std < 0.05, `std ${p.std}`);
    // The default models log loss: mean = exp(mu), std = mean * sd, 90% interval
    // exp(mu -/+ z90 sd) (symmetric in log).
    const sdLog = p.std / p.mean;
    assert.ok(Math.abs(p.upper - p.mean * Math.exp(Z90 * sdLog)) < 1e-12);
    assert.ok(Math.abs(p.lower - p.mean * Math.exp(-Z90 * sdLog)) < 1e-12);
    const raw = view('mfms-bo', {
      initial: 5,
      noise: 'fixed',
      maxObservations: 120,
      transform: 'none',
    });
    const [q] = raw.predictAt(history, [w], TARGET);
    assert.ok(Math.abs(q!.mean - y) < 0.01, `mean ${q!.mean} vs observed ${y}`);
    assert.ok(Math.abs(q!.upper - q!.mean - Z90 * q!.std) < 1e-12);
    assert.ok(Math.abs(q!.mean - q!.lower - Z90 * q!.std) < 1e-12);
  });

  it('90% intervals contain most held-out true values at the target and a smaller scale', () => {
    const rng = new Rng(99);
    for (const f of [TARGET, { scale: 'M', steps: 19700 }]) {
      const ws = Array.from({ length: 40 }, () => rng.dirichlet([2, 2, 2]));
      const ps = opt.predictAt(history, ws, f);
      assert.equal(ps.length, ws.length);
      const inside = ws.filter((w, i) => {
        const y = synthLoss(w, f.scale, f.steps);
        return ps[i]!.lower <= y && y <= ps[i]!.upper;
      }).length;
      // Informative, not just wide: sd and error well below the spread of the truth.
      const ys = ws.map((w) => synthLoss(w, f.scale, f.steps));
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const spread = Math.sqrt(ys.reduce((a, y) => a + (y - my) ** 2, 0) / ys.length);
      const meanSd = ps.reduce((a, p) => a + p.std, 0) / ps.length;
      const rmse = Math.sqrt(ys.reduce((a, y, i) => a + (y - ps[i]!.mean) ** 2, 0) / ys.length);
      assert.ok(meanSd < 0.6 * spread && rmse < 0.4 * spread, `${meanSd} ${rmse} ${spread}`);
      assert.ok(inside >= 28, `${f.scale}: ${inside}/40 inside the 90% intervals`);
    }
  });

  it('predictJoint: marginals equal predictAt; the covariance is symmetric with diag = std^2', () => {
    const ws = [
      [0.2, 0.5, 0.3],
      [0.25, 0.45, 0.3],
      [0.9, 0.05, 0.05],
    ];
    const j = opt.predictJoint!(history, ws, TARGET)!;
    const ps = opt.predictAt(history, ws, TARGET);
    assert.deepEqual(j.predictions, ps);
    for (let a = 0; a < 3; a++) {
      assert.ok(Math.abs(j.covariance[a * 3 + a]! - ps[a]!.std ** 2) < 1e-12);
      for (let b = 0; b < 3; b++) assert.equal(j.covariance[a * 3 + b], j.covariance[b * 3 + a]);
    }
    // Nearby mixtures are strongly correlated, far ones less so.
    const corr = (a: number, b: number) => j.covariance[a * 3 + b]! / (ps[a]!.std * ps[b]!.std);
    assert.ok(corr(0, 1) > 0.9, `corr(near) ${corr(0, 1)}`);
    assert.ok(corr(0, 1) > corr(0, 2));
  });

  it('recommendAt at the target is recommend() (posterior); elsewhere the argmin of the predicted value', () => {
    const post = view('mfms-bo', {
      initial: 5,
      noise: 'fixed',
      maxObservations: 120,
      recommend: 'posterior',
    });
    assert.deepEqual(post.recommendAt!(history, TARGET), post.recommend(history));
    // The default (stable) rule too.
    assert.deepEqual(opt.recommendAt!(history, TARGET), opt.recommend(history));
    // best-raw recommends an observed run, with the GP's target prediction.
    const rawView = view('mfms-bo', {
      initial: 5,
      noise: 'fixed',
      maxObservations: 120,
      recommend: 'best-raw',
    });
    const raw = rawView.recommend(history)!;
    const best = history.runs.reduce((a, b) =>
      Math.min(...b.curve.map((c) => c.value)) < Math.min(...a.curve.map((c) => c.value)) ? b : a,
    );
    assert.equal(raw.runId, best.id);
    const [pr] = rawView.predictAt(history, [raw.mixture], TARGET);
    assert.ok(Math.abs(raw.predicted!.mean - pr!.mean) < 1e-9);
    const s = opt.recommendAt!(history, { scale: 'S', steps: 19700 })!;
    const [p] = opt.predictAt(history, [s.mixture], { scale: 'S', steps: 19700 });
    assert.ok(Math.abs(s.predicted!.mean - p!.mean) < 1e-9);
    // No observed mixture is predicted better at S.
    const observed = history.runs.map((r) => r.mixture);
    for (const q of opt.predictAt(history, observed, { scale: 'S', steps: 19700 }))
      assert.ok(s.predicted!.mean <= q.mean + 1e-12);
    // The synthetic optimum at S is (0.6, 0.3, 0.1): the prediction is on that side.
    assert.ok(s.mixture[0]! > 0.3, `S best ${s.mixture.join(',')}`);
    assert.throws(() => opt.predictAt(history, [[0.3, 0.3, 0.4]], { scale: 'XL', steps: 10 }), {
      name: 'ValidationError',
    });
  });

  it('metric direction: a maximised metric is predicted in its own sign', () => {
    const maxSpace = synthSpace('maximize');
    const h: History = {
      runs: history.runs.map((r) => makeRun(maxSpace, r.id, r.mixture, r.scale, r.steps)),
      spent: history.spent,
    };
    const o = createOptimizer('mfms-bo', {
      space: maxSpace,
      seed: 5,
      settings: { initial: 5, noise: 'fixed', maxObservations: 120 },
    }) as Optimizer & SurrogateView;
    const w = history.runs.find((r) => r.id === 't1')!.mixture;
    const [p] = o.predictAt(h, [w], TARGET);
    assert.ok(Math.abs(p!.mean + synthLoss(w, 'L', 19700)) < 0.01, `mean ${p!.mean}`);
    assert.ok(p!.lower < p!.mean && p!.mean < p!.upper);
  });

  it('before the surrogate has a fit: empty predictions, no recommendAt', () => {
    const o = view('mfms-bo');
    const h: History = { runs: history.runs.slice(0, 2), spent: 0 };
    assert.deepEqual(o.predictAt(h, [[0.3, 0.3, 0.4]], TARGET), []);
    assert.equal(o.recommendAt!(h, TARGET), undefined);
  });

  it('asking the view between proposals changes no proposal (bit-identical)', () => {
    const plain = simulate(space, view('mfms-bo', { initial: 5 }), 25, 9).proposals;
    const asked = view('mfms-bo', { initial: 5 });
    const probe: Optimizer = {
      ...asked,
      propose(h, n) {
        if (h.runs.length >= 6) {
          asked.predictAt(h, [[0.2, 0.5, 0.3]], { scale: 'M', steps: 6000 });
          asked.recommendAt!(h, { scale: 'S', steps: 19700 });
        }
        return asked.propose(h, n);
      },
    };
    assert.deepEqual(simulate(space, probe, 25, 9).proposals, plain);
  });
});

describe('SurrogateView of mfms-bo:paper, bo and mf-bo', () => {
  const history = fixedHistory();

  it('mfms-bo:paper predicts every rung, deterministically; recommend stays the best raw value', () => {
    const a = view('mfms-bo:paper', { initial: 5, restarts: 1, maxObservations: 100 });
    const b = view('mfms-bo:paper', { initial: 5, restarts: 1, maxObservations: 100 });
    const w = history.runs.find((r) => r.id === 't0')!.mixture;
    const [p] = a.predictAt(history, [w], TARGET);
    assert.ok(Math.abs(p!.mean - synthLoss(w, 'L', 19700)) < 3 * p!.std + 0.02);
    for (const sc of ['S', 'M', 'L']) {
      const f = { scale: sc, steps: 19700 };
      assert.deepEqual(a.recommendAt!(history, f), b.recommendAt!(history, f));
      assert.ok(a.recommendAt!(history, f)!.predicted !== undefined);
    }
    assert.match(a.recommend(history)!.basis, /best observed value at any fidelity/);
  });

  it('bo answers at the target fidelity only', () => {
    const o = view('bo', { initial: 2 });
    const w = [0.3, 0.4, 0.3];
    const [p] = o.predictAt(history, [w], TARGET);
    assert.ok(Math.abs(p!.mean - synthLoss(w, 'L', 19700)) < 3 * p!.std + 0.02);
    assert.deepEqual(o.predictAt(history, [w], { scale: 'M', steps: 19700 }), []);
    assert.deepEqual(o.predictAt(history, [w], { scale: 'L', steps: 6000 }), []);
    assert.equal(o.recommendAt!(history, { scale: 'S', steps: 19700 }), undefined);
    const r = o.recommendAt!(history, TARGET)!;
    assert.ok(r.predicted !== undefined && r.mixture.length === 3);
  });

  it('mf-bo answers at the target scale (any steps) only', () => {
    const o = view('mf-bo');
    const w = [0.3, 0.4, 0.3];
    assert.equal(o.predictAt(history, [w], { scale: 'L', steps: 6000 }).length, 1);
    assert.deepEqual(o.predictAt(history, [w], { scale: 'S', steps: 19700 }), []);
    assert.equal(o.recommendAt!(history, { scale: 'M', steps: 19700 }), undefined);
    assert.ok(o.recommendAt!(history, TARGET) !== undefined);
  });
});
