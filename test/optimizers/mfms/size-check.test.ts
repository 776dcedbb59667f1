// The surrogate's checks on its own fit: the held-out score of target-size runs, the size
// lengthscale chosen by it (`sizeCheck`), and refits that also start afresh (`refitStart`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type History, Rng, type RunRecord } from '../../../src/core/index.ts';
import { conditionGP, type GaussianProcess, type GPOptions } from '../../../src/gp/index.ts';
import { encodeInput } from '../../../src/optimizers/encoding.ts';
import { surrogate } from '../../../src/optimizers/gp-common.ts';
import { MfmsSettingsSchema } from '../../../src/optimizers/index.ts';
import { targetShareNow } from '../../../src/optimizers/mfms/acquisition.ts';
import {
  checkedBySize,
  createMfmsSurrogate,
  mfmsEncoding,
  mfmsGpOptions,
  sizeLengthscaleCeiling,
  smallToTargetCorrelation,
  targetHeldOutScore,
  warmOrFresh,
  withSizeLengthscale,
} from '../../../src/optimizers/mfms/surrogate.ts';
import { space } from './histories.ts';

const settings = (over: Record<string, unknown> = {}) => MfmsSettingsSchema.parse(over);

/**
 * A run whose curve is `base(scale, z) + effect(w, scale)` at every 1000 steps: the mixture's
 * effect at the small sizes S, M is `g(w) = (w_0 - 1/3)^2 - 0.5 (w_1 - 1/3)`; at the target size
 * L it is `sign * g(w)` (-1: the effect reverses at the target).
 */
function run(id: string, w: number[], scale: string, steps: number, sign: number): RunRecord {
  const g = (w[0]! - 1 / 3) ** 2 - 0.5 * (w[1]! - 1 / 3);
  const effect = scale === 'L' ? sign * g : g;
  const base = { S: 3, M: 2.7, L: 2.4 }[scale]!;
  const curve = [];
  for (let z = 1000; z <= steps; z += 1000) {
    curve.push({ step: z, value: base + 0.3 * (1000 / z) ** 0.5 + 0.2 * effect });
  }
  return {
    id,
    mixture: w,
    scale,
    steps,
    curve,
    state: 'completed',
    cost: space.cost(scale, steps),
  };
}

/** 18 small runs (S, M) and `targets` runs at the target size L, 2000 or 3000 steps. */
function reversed(targets: number, sign: number): History {
  const rng = new Rng(11);
  const runs: RunRecord[] = [];
  for (let i = 0; i < 18; i++) {
    runs.push(run(`s${i}`, rng.dirichlet([1, 1, 1]), i % 2 === 0 ? 'S' : 'M', 4000, sign));
  }
  for (let j = 0; j < targets; j++) {
    runs.push(run(`t${j}`, rng.dirichlet([1, 1, 1]), 'L', 2000 + 1000 * (j % 2), sign));
  }
  return { runs, spent: runs.reduce((a, r) => a + r.cost, 0) };
}

/** The surrogate's view fit of `h` (no run offsets, so the reference below is a plain GP). */
function viewFit(h: History) {
  return createMfmsSurrogate(space, settings({ initial: 5, runNoise: 'none' }), 3).fit(h, false)!;
}

describe('mfms surrogate: the held-out score of target-size runs', () => {
  it('sums log N(y_last; m, v) of each target-size run held out whole, as a GP conditioned on the rest', () => {
    const { gp, obs } = viewFit(reversed(4, 1));
    const score = targetHeldOutScore(gp, obs, 'L');
    assert.ok(score !== undefined && Number.isFinite(score));
    // Reference: for each target run, a GP with the same hyper-parameters conditioned on every
    // other row, its prediction of the run's last point plus the noise of one observation.
    const opts: GPOptions = mfmsGpOptions(space.domains.length, settings(), 3);
    const h = gp.hyperparameters;
    const runs = [...new Set(obs.points.filter((p) => p.scale === 'L').map((p) => p.runId))];
    assert.equal(runs.length, 4);
    let ref = 0;
    for (const id of runs) {
      const keep = obs.points.map((p, i) => (p.runId === id ? -1 : i)).filter((i) => i >= 0);
      const last = obs.points.findLastIndex((p) => p.runId === id);
      const X = new Float64Array(
        keep.flatMap((i) => [...obs.X.subarray(i * obs.d, (i + 1) * obs.d)]),
      );
      const rest = conditionGP(
        X,
        keep.map((i) => obs.y[i]!),
        obs.d,
        opts,
        h,
      );
      const p = rest.predict(obs.X.slice(last * obs.d, (last + 1) * obs.d), { includeNoise: true });
      const m = p.mean[0]!;
      const v = p.variance[0]!;
      ref += -0.5 * (Math.log(2 * Math.PI * v) + (obs.y[last]! - m) ** 2 / v);
    }
    assert.ok(Math.abs(score - ref) < 1e-6 * Math.abs(ref), `${score} vs ${ref}`);
  });

  it('is undefined with fewer than 3 target-size runs', () => {
    const { gp, obs } = viewFit(reversed(2, 1));
    assert.equal(targetHeldOutScore(gp, obs, 'L'), undefined);
    assert.equal(targetHeldOutScore(gp, obs, 'L', 2) !== undefined, true);
  });

  it('scores a model whose small sizes predict the target above one told they do not, and the reverse when they reverse', () => {
    const enc = mfmsEncoding(space, settings());
    const lAt = (rho: number) => sizeLengthscaleCeiling(space, enc, rho)!;
    const scoreWith = (sign: number, l: number) => {
      const { gp, obs } = viewFit(reversed(6, sign));
      const h = gp.hyperparameters;
      const lengthscales = h.lengthscales.map((x, c) => (c === 1 ? { ...x, values: [l] } : x));
      return targetHeldOutScore(gp.withHyperparameters({ ...h, lengthscales }), obs, 'L')!;
    };
    // The same effect at every size: a size correlation near 1 predicts target runs better.
    assert.ok(scoreWith(1, lAt(0.99)) > scoreWith(1, lAt(0.01)));
    // A reversed effect: small sizes that count predict the target runs worse.
    assert.ok(scoreWith(-1, lAt(0.99)) < scoreWith(-1, lAt(0.01)));
  });
});

describe('mfms surrogate: sizeCheck picks the size lengthscale that best predicts target-size runs', () => {
  const enc = mfmsEncoding(space, settings());
  const check = (h: History, rhos: number[]) => {
    const s = settings({ initial: 5, runNoise: 'none', sizeCheck: rhos, sizeCheckFit: 'refit' });
    const { gp, obs } = createMfmsSurrogate(space, s, 3).fit(h, false)!;
    const opts = mfmsGpOptions(space.domains.length, s, 3);
    return { gp, obs, opts, chosen: checkedBySize(gp, obs, opts, space, enc, s) };
  };
  const sizeL = (g: GaussianProcess) => g.hyperparameters.lengthscales[1]!.values[0]!;

  it('fewer than 3 target-size runs: the fit itself', () => {
    const { gp, chosen } = check(reversed(2, -1), [0.5]);
    assert.equal(chosen, gp);
  });

  it('keeps the best-scoring of the free fit and one fit per rho, the size lengthscale fixed at l(rho)', () => {
    for (const sign of [1, -1]) {
      const rhos = [0.9, 0.3, 0.02];
      const { gp, obs, opts, chosen } = check(reversed(6, sign), rhos);
      const fits = [gp];
      for (const rho of rhos) {
        const l = sizeLengthscaleCeiling(space, enc, rho)!;
        const f = surrogate(
          obs,
          { ...opts, restarts: 1, lengthscaleLower: [0, l, 0], lengthscaleUpper: [0, l, 0] },
          { fit: true, warmStart: gp.hyperparameters },
        );
        assert.ok(Math.abs(sizeL(f) - l) < 1e-9 * l, 'the size lengthscale is held at l(rho)');
        fits.push(f);
      }
      const scores = fits.map((f) => targetHeldOutScore(f, obs, 'L')!);
      const best = scores.indexOf(Math.max(...scores));
      assert.ok(Math.abs(sizeL(chosen) - sizeL(fits[best]!)) < 1e-12);
      assert.equal(targetHeldOutScore(chosen, obs, 'L'), scores[best]);
    }
  });

  it("sizeCheckFit 'condition': the candidates keep the first fit's other hyper-parameters", () => {
    const rhos = [0.9, 0.3, 0.02];
    const h = reversed(6, -1);
    const s = settings({
      initial: 5,
      runNoise: 'none',
      sizeCheck: rhos,
      sizeCheckFit: 'condition',
    });
    const { gp, obs } = createMfmsSurrogate(space, s, 3).fit(h, false)!;
    const opts = mfmsGpOptions(space.domains.length, s, 3);
    const chosen = checkedBySize(gp, obs, opts, space, enc, s);
    const fits = [
      gp,
      ...rhos.map((rho) =>
        gp.withHyperparameters(
          withSizeLengthscale(gp.hyperparameters, sizeLengthscaleCeiling(space, enc, rho)!),
        ),
      ),
    ];
    const scores = fits.map((f) => targetHeldOutScore(f, obs, 'L')!);
    const best = fits[scores.indexOf(Math.max(...scores))]!;
    assert.deepEqual(chosen.hyperparameters, best.hyperparameters);
    // Only the size lengthscale differs from the first fit.
    const { lengthscales: a, ...restA } = chosen.hyperparameters;
    const { lengthscales: b, ...restB } = gp.hyperparameters;
    assert.deepEqual(restA, restB);
    assert.deepEqual([a[0], a[2]], [b[0], b[2]]);
    // The reversed effect: a size correlation near 1 is not what predicts target runs best.
    assert.ok(sizeL(chosen) < sizeLengthscaleCeiling(space, enc, 0.9)!);
  });

  it('settings: rho in (0, 1), at most 4 of them', () => {
    assert.throws(() => settings({ sizeCheck: [1] }));
    assert.throws(() => settings({ sizeCheck: [0] }));
    assert.throws(() => settings({ sizeCheck: [0.9, 0.7, 0.5, 0.3, 0.1] }));
    assert.deepEqual(settings().sizeCheck, [0.9, 0.5, 0.1]);
    assert.equal(settings().sizeCheckFit, 'condition');
    assert.equal(settings().refitStart, 'warm-or-fresh');
  });
});

describe("mfms surrogate: refitStart 'warm-or-fresh'", () => {
  it('a warm start stuck with no signal (output scale on its floor) is replaced by the fresh fit', () => {
    const { gp, obs } = viewFit(reversed(6, 1));
    const opts = mfmsGpOptions(space.domains.length, settings(), 3);
    const h = gp.hyperparameters;
    // A start where the kernel explains nothing: output scale tiny, lengthscales huge.
    const dead = {
      ...h,
      outputScale: 1e-8,
      lengthscales: h.lengthscales.map((x) => ({ ...x, values: x.values.map(() => 1e3) })),
      noise: 1,
    };
    const warm = surrogate(obs, { ...opts, restarts: 1 }, { fit: true, warmStart: dead });
    const fresh = surrogate(obs, { ...opts, restarts: 1 }, { fit: true });
    const picked = warmOrFresh(obs, opts, dead);
    const lmls = [warm.logMarginalLikelihood, fresh.logMarginalLikelihood];
    assert.equal(picked.logMarginalLikelihood, Math.max(...lmls));
    assert.ok(fresh.logMarginalLikelihood > warm.logMarginalLikelihood + 1, `${lmls}`);
    assert.deepEqual(picked.hyperparameters, fresh.hyperparameters);
    // From a warm start at the fresh optimum: the better of that refit and the fresh fit.
    const again = warmOrFresh(obs, opts, fresh.hyperparameters);
    const warmAgain = surrogate(
      obs,
      { ...opts, restarts: 1 },
      {
        fit: true,
        warmStart: fresh.hyperparameters,
      },
    );
    const better =
      fresh.logMarginalLikelihood > warmAgain.logMarginalLikelihood ? fresh : warmAgain;
    assert.deepEqual(again.hyperparameters, better.hyperparameters);
  });

  it('the surrogate stores the refit with the larger marginal likelihood', () => {
    const h6 = reversed(6, -1);
    const base = { initial: 5, refitEvery: 1, sizeCheck: [] };
    const warmOnly = createMfmsSurrogate(space, settings({ ...base, refitStart: 'warm' }), 3);
    const both = createMfmsSurrogate(space, settings({ ...base, refitStart: 'warm-or-fresh' }), 3);
    const first = { ...h6, runs: h6.runs.slice(0, 20) };
    warmOnly.fit(first, true);
    both.fit(first, true);
    assert.deepEqual(both.state.hyper, warmOnly.state.hyper, 'the first fit is the same');
    const a = warmOnly.fit(h6, true)!.gp.logMarginalLikelihood;
    const b = both.fit(h6, true)!.gp.logMarginalLikelihood;
    assert.ok(b >= a, `${b} >= ${a}`);
  });
});

describe('mfms: the correlation of small sizes with the target, and the target share it gates (targetShareWhen)', () => {
  const enc = mfmsEncoding(space, settings());
  const { gp } = viewFit(reversed(4, 1));
  /** `gp` with its size lengthscale (channel 1 of [mixture, size, steps]) set to `l`. */
  const withSizeL = (l: number) => {
    const h = gp.hyperparameters;
    return gp.withHyperparameters({
      ...h,
      lengthscales: h.lengthscales.map((x, c) => (c === 1 ? { ...x, values: [l] } : x)),
    });
  };
  // The encoded sizes of the smallest scale (S) and the target (L), straight from the encoding.
  const k = space.domains.length;
  const w = [1 / 3, 1 / 3, 1 / 3];
  const gap = Math.abs(
    encodeInput(space, w, 'S', space.target.steps, enc.enc)[k]! -
      encodeInput(space, w, 'L', space.target.steps, enc.enc)[k]!,
  );

  it('is exp(-gap^2 / (2 l^2)) of the size lengthscale l, and inverts sizeLengthscaleCeiling', () => {
    assert.ok(gap > 0);
    for (const l of [0.2, 0.5, 1, 3]) {
      const rho = smallToTargetCorrelation(withSizeL(l), space, enc);
      assert.ok(Math.abs(rho - Math.exp(-(gap * gap) / (2 * l * l))) < 1e-12, `l = ${l}`);
    }
    for (const rho of [0.1, 0.5, 0.9]) {
      const l = sizeLengthscaleCeiling(space, enc, rho)!;
      assert.ok(Math.abs(smallToTargetCorrelation(withSizeL(l), space, enc) - rho) < 1e-12);
    }
  });

  it('targetShareNow: minTargetShare only while the correlation is at most targetShareWhen', () => {
    const h: History = { runs: [], spent: 0 };
    const poor = withSizeL(sizeLengthscaleCeiling(space, enc, 0.3)!);
    const good = withSizeL(sizeLengthscaleCeiling(space, enc, 0.9)!);
    const at = sizeLengthscaleCeiling(space, enc, 0.5)!;
    const s = (over: Record<string, unknown>) =>
      settings({ minTargetShare: 1 / 3, targetShareWhen: 0.5, ...over });
    assert.equal(targetShareNow(h, space, s({}), poor, enc), 1 / 3);
    assert.equal(targetShareNow(h, space, s({}), good, enc), 0);
    // At the threshold itself (the size check's rho = 0.5 candidate): it applies.
    assert.equal(targetShareNow(h, space, s({}), withSizeL(at), enc), 1 / 3);
    // targetShareWhen 1 (the default): always; minTargetShare 0: never.
    assert.equal(targetShareNow(h, space, s({ targetShareWhen: 1 }), good, enc), 1 / 3);
    assert.equal(targetShareNow(h, space, s({ minTargetShare: 0 }), poor, enc), 0);
    // afterVerification 'target' with a completed target run: everything at the target.
    const done: History = {
      runs: [
        {
          ...run('t', w, 'L', space.target.steps, 1),
          curve: [{ step: space.target.steps, value: 2.5 }],
        },
      ],
      spent: space.cost('L', space.target.steps),
    };
    assert.equal(targetShareNow(done, space, s({ afterVerification: 'target' }), good, enc), 1);
  });
});
