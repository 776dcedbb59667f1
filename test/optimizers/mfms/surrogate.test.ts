import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/core/index.ts';
import { surrogate } from '../../../src/optimizers/gp-common.ts';
import { encodeInput, MfmsSettingsSchema } from '../../../src/optimizers/index.ts';
import {
  CONSTANT_CHANNEL_LENGTHSCALE,
  createMfmsSurrogate,
  mfmsEncoding,
  mfmsGpOptions,
  mixtureLengthscaleFloor,
  newRunNoise,
  onMixtureFloor,
  preferAlternative,
  surrogateJoint,
  targetHeldOutScore,
  withConstantChannelsFixed,
  withoutImplausibleOffsets,
  withRunGroups,
  withSizeCeiling,
} from '../../../src/optimizers/mfms/surrogate.ts';
import { makeRun } from '../helpers.ts';
import { history, space } from './histories.ts';

const k = space.domains.length;
const settings = (over: Record<string, unknown> = {}) => MfmsSettingsSchema.parse(over);

describe('mfms surrogate: GP options', () => {
  it('defaults: Matern-5/2 on w x RBF on size x RBF on steps, a mean linear in size and steps, learned noise', () => {
    const o = mfmsGpOptions(k, settings(), 7);
    assert.deepEqual(o.kernel, {
      kind: 'product',
      terms: [
        { kind: 'matern52', dims: [0, 1, 2], ard: false },
        { kind: 'rbf', dims: [3] },
        { kind: 'rbf', dims: [4] },
      ],
    });
    assert.deepEqual(o.mean, { kind: 'linear', dims: [3, 4] });
    assert.deepEqual(o.noise, { kind: 'learned' });
    assert.equal(o.seed, 7);
    assert.equal(o.restarts, 3);
    assert.equal(o.fitPoints, 500);
    assert.equal(o.priors, undefined);
  });

  it('the quadratic trend adds s^2, t^2, s t to the mean; fixed noise is 1e-4; a lengthscale prior is lognormal', () => {
    const o = mfmsGpOptions(
      k,
      settings({ trend: 'quadratic', noise: 'fixed', lengthscalePrior: 0.5, wKernel: 'rbf' }),
      0,
    );
    assert.deepEqual(o.mean, { kind: 'linear', dims: [3, 4, 5, 6, 7] });
    assert.deepEqual(o.noise, { kind: 'fixed', variance: 1e-4 });
    assert.deepEqual(o.priors, { lengthscale: { kind: 'lognormal', mu: Math.log(0.5), sigma: 1 } });
    assert.equal(mfmsGpOptions(k, settings({ mean: 'constant' }), 0).mean, 'constant');
  });

  it("interaction: drift columns after the trend's, each under the prior precision; none with one domain or another mean", () => {
    const o = mfmsGpOptions(k, settings({ interaction: 'size', interactionPrecision: 2 }), 0);
    assert.deepEqual(o.mean, { kind: 'linear', dims: [3, 4, 5, 6], precision: [0, 0, 2, 2] });
    const q = mfmsGpOptions(k, settings({ interaction: 'size-steps', trend: 'quadratic' }), 0);
    assert.deepEqual(q.mean, {
      kind: 'linear',
      dims: [3, 4, 5, 6, 7, 8, 9, 10, 11],
      precision: [0, 0, 0, 0, 0, 1, 1, 1, 1],
    });
    assert.deepEqual(mfmsGpOptions(1, settings({ interaction: 'size' }), 0).mean, {
      kind: 'linear',
      dims: [1, 2],
    });
    assert.equal(
      mfmsGpOptions(k, settings({ interaction: 'size', mean: 'linear' }), 0).mean,
      'linear',
    );
    const e = mfmsEncoding(space, settings({ interaction: 'size-steps', trend: 'quadratic' }));
    assert.equal(e.enc.interaction, 'size-steps');
    assert.equal(e.xStar([0.2, 0.5, 0.3]).length, 12);
    assert.equal(
      mfmsEncoding(space, settings({ interaction: 'size', mean: 'linear' })).enc.interaction,
      undefined,
    );
    const qo = mfmsGpOptions(
      k,
      settings({ mixtureMean: 'quadratic', mixtureMeanPrecision: 0.5 }),
      0,
    );
    assert.deepEqual(qo.mean, {
      kind: 'linear',
      dims: [3, 4, 5, 6, 7, 8, 9, 10],
      precision: [0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    });
    assert.deepEqual(mfmsGpOptions(k, settings({ mixtureMean: 'linear' }), 0).mean, {
      kind: 'linear',
      dims: [3, 4, 5, 6],
      precision: [0, 0, 1, 1],
    });
    // The mixture columns are set from w at the target: a search there must carry them.
    const qe = mfmsEncoding(space, settings({ mixtureMean: 'quadratic' }));
    assert.equal(qe.targetProducts.length, 6);
    const de = mfmsEncoding(space, settings({ interaction: 'size' }));
    assert.ok(de.targetProducts.every((p) => p.factor === 0));
  });

  it("meanSelect 'evidence': keeps the structure with the larger evidence, and conditions with it after", () => {
    const h = history(24);
    const base = { initial: 5, runNoise: 'none', sizeCheck: [], refitEvery: 2 };
    const extra = { mixtureMean: 'linear', interaction: 'size' };
    const full = createMfmsSurrogate(space, settings({ ...base, ...extra }), 2).fit(h, true)!;
    const plain = createMfmsSurrogate(space, settings(base), 2).fit(h, true)!;
    const sel = createMfmsSurrogate(
      space,
      settings({ ...base, ...extra, meanSelect: 'evidence' }),
      2,
    );
    const got = sel.fit(h, true)!;
    const evidences = [full.gp.logEvidence(), plain.gp.logEvidence()];
    assert.ok(evidences[0] !== evidences[1], `${evidences}`);
    const best = evidences[0]! > evidences[1]! ? full.gp : plain.gp;
    // The plain model reads the same columns as the default surrogate, so the same fit.
    assert.deepEqual(got.gp.hyperparameters, best.hyperparameters);
    assert.equal(got.gp.logEvidence(), Math.max(...evidences));
    // Between fits it conditions on the stored hyper-parameters with the matching structure.
    const next = { ...h, runs: [...h.runs, makeRun(space, 'x', [0.3, 0.3, 0.4], 'S', 2000)] };
    const again = sel.fit(next, true)!;
    assert.deepEqual(again.gp.hyperparameters.mean.length, best.hyperparameters.mean.length);
  });

  it("preferAlternative: 'target' compares held-out target-size scores, the plain mean without them", () => {
    const base = { initial: 5, runNoise: 'none', sizeCheck: [] };
    const extra = { mixtureMean: 'linear', interaction: 'size' };
    const fits = (h: ReturnType<typeof history>) => ({
      full: createMfmsSurrogate(space, settings({ ...base, ...extra }), 2).fit(h, true)!,
      plain: createMfmsSurrogate(space, settings(base), 2).fit(h, true)!,
    });
    const isPlain = (hp: { mean: readonly number[] }) => hp.mean.length === 3;
    const three = history(18, [
      [0.2, 0.5, 0.3],
      [0.6, 0.2, 0.2],
      [0.1, 0.1, 0.8],
    ]);
    const { full, plain } = fits(three);
    const a = targetHeldOutScore(plain.gp, plain.obs, 'L')!;
    const b = targetHeldOutScore(full.gp, full.obs, 'L')!;
    assert.ok(Number.isFinite(a) && Number.isFinite(b) && a !== b, `${a} ${b}`);
    const pick = preferAlternative('target', plain.gp, full.gp, full.obs, 'L', isPlain);
    assert.equal(pick, b > a);
    assert.equal(preferAlternative('target', full.gp, plain.gp, full.obs, 'L', isPlain), a > b);
    // Fewer than 3 target-size runs: no scores, so the plain mean.
    const rng = new Rng(5);
    const small = Array.from({ length: 18 }, (_, i) =>
      makeRun(space, `r${i}`, rng.dirichlet([1, 1, 1]), i % 2 === 0 ? 'S' : 'M', 4000),
    );
    const target = [makeRun(space, 't0', [0.2, 0.5, 0.3], 'L', 19700)];
    const two = fits({ runs: [...small, ...target], spent: 0 });
    assert.equal(
      preferAlternative('target', two.full.gp, two.plain.gp, two.full.obs, 'L', isPlain),
      true,
    );
    assert.equal(
      preferAlternative('target', two.plain.gp, two.full.gp, two.full.obs, 'L', isPlain),
      false,
    );
    assert.equal(preferAlternative('none', plain.gp, full.gp, full.obs, 'L', isPlain), false);
  });

  it("interaction 'size': the fitted drift has the synthetic problem's sign (its bowl's centre moves off domain a with size)", () => {
    // synthLoss's bowl centre c(s) moves from (0.6, 0.3, 0.1) at S to (0.2, 0.5, 0.3) at L: the
    // loss's slope in w_a relative to w_c, -3 (c_a - c_c), grows with size; that in w_b does not
    // move (c_b - c_c is constant). Only runs below the target size.
    const rng = new Rng(1);
    const runs = Array.from({ length: 24 }, (_, i) =>
      makeRun(space, `r${i}`, rng.dirichlet([1, 1, 1]), i % 2 === 0 ? 'S' : 'M', 3000 + 300 * i),
    );
    const sur = createMfmsSurrogate(space, settings({ interaction: 'size' }), 1);
    const fit = sur.fit({ runs, spent: 0 }, true)!;
    const [, , , bA, bB] = fit.gp.hyperparameters.mean as number[];
    assert.ok(bA! > 0.2, `drift of domain a ${bA}`);
    assert.ok(Math.abs(bB!) < 0.5 * bA!, `drift of domain b ${bB} against a's ${bA}`);
  });

  it('wLengthscaleFloor f: f times the rms distance of two uniform Dirichlet mixtures, on the mixture channels only', () => {
    // E|w - w'|^2 = 2 k Var(w_i) = 2 k (k-1) / (k^2 (k+1)): k = 3 gives 1/3, k = 16 gives 30/272.
    assert.deepEqual(mixtureLengthscaleFloor(3, false, 1), [Math.sqrt(1 / 3), 0, 0]);
    const f16 = mixtureLengthscaleFloor(16, false, 0.5);
    assert.equal(f16.length, 3);
    assert.ok(Math.abs(f16[0]! - 0.5 * Math.sqrt(30 / 272)) < 1e-15);
    assert.deepEqual(mixtureLengthscaleFloor(3, true, 2), [
      ...new Array(3).fill(2 * Math.sqrt(1 / 3)),
      0,
      0,
    ]);
    assert.deepEqual(mfmsGpOptions(k, settings({ wLengthscaleFloor: 1 }), 0).lengthscaleLower, [
      Math.sqrt(1 / 3),
      0,
      0,
    ]);
    assert.equal(mfmsGpOptions(k, settings(), 0).lengthscaleLower, undefined);
  });

  it('maxSizeCorrelation rho: the size lengthscale capped at |s(m_min) - s*| / sqrt(-2 ln rho)', () => {
    const e = mfmsEncoding(space, settings());
    const none = withSizeCeiling({ kernel: { kind: 'rbf', dims: [0] } }, space, settings(), e);
    assert.equal(none.lengthscaleUpper, undefined);
    const o = withSizeCeiling(
      { kernel: { kind: 'rbf', dims: [0] } },
      space,
      settings({ maxSizeCorrelation: 0.5 }),
      e,
    );
    const w = [1 / 3, 1 / 3, 1 / 3];
    const gap = Math.abs(encodeInput(space, w, 'S', 19700, e.enc)[k]! - e.sTarget);
    const cap = o.lengthscaleUpper![1]!;
    assert.deepEqual([o.lengthscaleUpper![0], o.lengthscaleUpper![2]], [0, 0]);
    // At the cap the RBF correlation between the smallest size and the target is exactly rho.
    assert.ok(Math.abs(Math.exp(-(gap * gap) / (2 * cap * cap)) - 0.5) < 1e-12);
  });

  it('the encoding: x*(w) encodes w at the target, s* is its size column', () => {
    const e = mfmsEncoding(space, settings());
    const w = [0.2, 0.5, 0.3];
    assert.deepEqual(e.xStar(w), encodeInput(space, w, 'L', 19700, e.enc));
    assert.equal(e.sTarget, e.xStar(w)[k]);
    assert.equal(
      mfmsEncoding(space, settings({ mean: 'fidelity', trend: 'quadratic' })).enc.trend,
      'quadratic',
    );
  });
});

describe('mfms surrogate: run groups and the noise of a new run', () => {
  const e = mfmsEncoding(space, settings());
  const base = mfmsGpOptions(k, settings(), 0);
  const h = history(4);
  // Interleave the points of two runs so groups are numbered by first appearance.
  const obsOf = (ids: string[]) => {
    const d = k + 2;
    const X = new Float64Array(ids.length * d);
    ids.forEach((id, i) => {
      const r = h.runs.find((x) => x.id === id)!;
      X.set(encodeInput(space, r.mixture, r.scale, r.steps, e.enc), i * d);
    });
    return {
      X,
      y: new Float64Array(ids.length),
      n: ids.length,
      d,
      points: ids.map((id) => {
        const r = h.runs.find((x) => x.id === id)!;
        return { runId: id, mixture: r.mixture, scale: r.scale, steps: r.steps, value: 0 };
      }),
    };
  };

  it("'none' leaves the options alone; 'learned' numbers runs by first appearance; 'by-size' adds s(m) - s*", () => {
    const obs = obsOf(['r2', 'r2', 'r0', 'r2', 'r1']);
    assert.equal(withRunGroups(base, obs, 'none', k, e.sTarget), base);
    assert.deepEqual(withRunGroups(base, obs, 'learned', k, e.sTarget).groups, [0, 0, 1, 0, 2]);
    const bySize = withRunGroups(base, obs, 'by-size', k, e.sTarget);
    const sOf = (id: string) => {
      const r = h.runs.find((x) => x.id === id)!;
      return encodeInput(space, r.mixture, r.scale, r.steps, e.enc)[k]!;
    };
    assert.deepEqual(
      bySize.groupCovariate,
      ['r2', 'r2', 'r0', 'r2', 'r1'].map((id) => sOf(id) - e.sTarget),
    );
    // r0 is at the smallest scale S, r2 at the target scale L (covariate 0).
    assert.ok(sOf('r0') - e.sTarget < 0);
    assert.equal(sOf('r2') - e.sTarget, 0);
    // noisierSmallRuns boxes the slope to gamma <= 0 (offsets never grow with size).
    assert.equal(bySize.groupSlopeBounds, undefined);
    assert.deepEqual(
      withRunGroups(base, obs, 'by-size', k, e.sTarget, true).groupSlopeBounds,
      [-10, 0],
    );
    assert.equal(
      withRunGroups(base, obs, 'learned', k, e.sTarget, true).groupSlopeBounds,
      undefined,
    );
  });

  it('a new run carries nu sd_y^2 without groups, (nu + v exp(gamma u)) sd_y^2 with them', () => {
    const plain = createMfmsSurrogate(space, settings({ initial: 5 }), 1).fit(history(9), false)!;
    const hp = plain.gp.hyperparameters;
    const sd = hp.standardization!.std;
    assert.equal(newRunNoise(plain.gp, -2), hp.noise * sd * sd);
    const grouped = createMfmsSurrogate(space, settings({ initial: 5, runNoise: 'by-size' }), 1);
    const g = grouped.fit(history(9), false)!.gp;
    const gh = g.hyperparameters;
    assert.ok(gh.groupNoise !== undefined && gh.groupNoiseSlope !== undefined);
    const gsd = gh.standardization!.std;
    const u = -1.3;
    const want = (gh.noise + gh.groupNoise * Math.exp(gh.groupNoiseSlope * u)) * gsd * gsd;
    assert.ok(Math.abs(newRunNoise(g, u) - want) <= 1e-15 * want);
    // noiseByScale: u = s(m) - s*, so the target scale gets exactly v*.
    const byScale = grouped.noiseByScale(g);
    assert.deepEqual([...byScale.keys()], ['S', 'M', 'L']);
    assert.equal(byScale.get('L'), (gh.noise + gh.groupNoise) * gsd * gsd);
  });
});

describe('mfms surrogate: channels without spread', () => {
  it('fixes the size and steps lengthscales where the observations do not vary, under any ceiling', () => {
    const base = mfmsGpOptions(k, settings(), 0);
    // x = [w1, w2, w3, s, t]: three rows at one size; steps vary in the first pair only.
    const X = Float64Array.from([
      0.2, 0.3, 0.5, 0.4, 0.1, 0.6, 0.2, 0.2, 0.4, 0.9, 0.1, 0.1, 0.8, 0.4, 0.1,
    ]);
    const sizeOnly = withConstantChannelsFixed(base, { X, n: 3, d: 5 }, k, false);
    assert.deepEqual(sizeOnly.lengthscaleLower, [0, CONSTANT_CHANNEL_LENGTHSCALE, 0]);
    assert.deepEqual(sizeOnly.lengthscaleUpper, [0, CONSTANT_CHANNEL_LENGTHSCALE, 0]);
    // Rows 0 and 2: one size and one step count; a ceiling on the size channel is kept.
    const capped = { ...base, lengthscaleUpper: [0, 0.7, 0] };
    const both = withConstantChannelsFixed(capped, { X: X.subarray(0, 5), n: 1, d: 5 }, k, false);
    assert.deepEqual(both.lengthscaleLower, [0, 0.7, CONSTANT_CHANNEL_LENGTHSCALE]);
    assert.deepEqual(both.lengthscaleUpper, [0, 0.7, CONSTANT_CHANNEL_LENGTHSCALE]);
    // With ARD the channels are k mixture channels, then size and steps.
    const ard = withConstantChannelsFixed(base, { X, n: 3, d: 5 }, k, true);
    assert.deepEqual(ard.lengthscaleLower, [0, 0, 0, CONSTANT_CHANNEL_LENGTHSCALE, 0]);
    // Spread in both: the options themselves.
    const X2 = Float64Array.from([0.2, 0.3, 0.5, 0.4, 0.1, 0.6, 0.2, 0.2, 0.5, 0.2]);
    assert.equal(withConstantChannelsFixed(base, { X: X2, n: 2, d: 5 }, k, false), base);
  });

  it('a history at one size still ranks mixtures at the target (the effect carries over)', () => {
    // Every run at S: without the fix the size lengthscale is left where a start put it.
    const runs = history(30).runs.filter((r) => r.scale === 'S');
    const sur = createMfmsSurrogate(space, settings({ restarts: 4 }), 1);
    const fit = sur.fit({ runs, spent: 0 }, true)!;
    const ls = fit.gp.hyperparameters.lengthscales;
    const size = ls.at(-2)!.values[0]!;
    assert.ok(
      Math.abs(size / CONSTANT_CHANNEL_LENGTHSCALE - 1) < 1e-12,
      `size lengthscale ${size}`,
    );
    const at = [
      [0.6, 0.3, 0.1],
      [0.1, 0.1, 0.8],
    ];
    const j = surrogateJoint(space, fit, at, { scale: 'L', steps: 19700 }, sur.encoding.enc);
    // At S the bowl's centre is (0.6, 0.3, 0.1): predicted better at the target too.
    assert.ok(j.predictions[0]!.mean < j.predictions[1]!.mean - 0.05);
  });
});

describe('mfms surrogate: the fit schedule', () => {
  it('fits on the first proposal, conditions until refitEvery proposals passed, then refits; views never store', () => {
    const sur = createMfmsSurrogate(space, settings({ initial: 5, refitEvery: 3 }), 2);
    assert.equal(sur.fit(history(4), true), undefined, 'fewer than min(initial, 5) runs: no model');
    assert.deepEqual(sur.state, { hyper: undefined, fittedAt: -1, runNoiseOn: false });
    const view = sur.fit(history(6), false)!;
    assert.ok(view.gp !== undefined);
    assert.deepEqual(
      sur.state,
      { hyper: undefined, fittedAt: -1, runNoiseOn: false },
      'a view before the first fit stores nothing',
    );
    sur.fit(history(6), true);
    const first = sur.state.hyper;
    assert.ok(first !== undefined);
    assert.equal(sur.state.fittedAt, 6);
    const cond = sur.fit(history(8), true)!;
    assert.equal(sur.state.hyper, first, 'conditioned at 8 (2 < 3 proposals since the fit)');
    assert.deepEqual(cond.gp.hyperparameters, first);
    sur.fit(history(9), true);
    assert.notEqual(sur.state.hyper, first, 'refitted at 9');
    assert.equal(sur.state.fittedAt, 9);
    const stored = sur.state.hyper;
    sur.fit(history(15), false);
    assert.equal(sur.state.hyper, stored);
    assert.equal(sur.state.fittedAt, 9);
  });

  it("runNoise 'auto': off (mixture lengthscale floored) on smooth data; on, for good, once a fit stops on the floor", () => {
    const auto = settings({ initial: 5, runNoise: 'auto', refitEvery: 1 });
    const floor = mixtureLengthscaleFloor(k, false, 0.25);
    const smooth = createMfmsSurrogate(space, auto, 2);
    smooth.fit(history(12), true);
    assert.equal(smooth.state.runNoiseOn, false);
    assert.equal(smooth.state.hyper!.groupNoise, undefined);
    assert.ok(!onMixtureFloor(smooth.state.hyper!, floor));
    // 30 runs, each curve scaled by its own seed factor exp(0.15 e) shared along the curve:
    // without run offsets, a short mixture lengthscale explains them best.
    const rng = new Rng(9);
    const h = history(30);
    const noisy = {
      ...h,
      runs: h.runs.map((r) => {
        const f = Math.exp(0.15 * rng.normal());
        return { ...r, curve: r.curve.map((p) => ({ step: p.step, value: p.value * f })) };
      }),
    };
    const sur = createMfmsSurrogate(space, auto, 2);
    const free = createMfmsSurrogate(space, settings({ initial: 5, runNoise: 'none' }), 2);
    free.fit(noisy, true);
    assert.ok(
      onMixtureFloor(
        free.state.hyper!,
        floor.map((f) => (f > 0 ? 1e9 : 0)),
      ),
    );
    assert.ok(
      free.state.hyper!.lengthscales[0]!.values[0]! < floor[0]!,
      `without the floor the fit shrinks the mixture lengthscale (${free.state.hyper!.lengthscales[0]!.values[0]})`,
    );
    sur.fit(noisy, true);
    assert.equal(sur.state.runNoiseOn, true);
    assert.ok(sur.state.hyper!.groupNoise !== undefined);
    assert.ok(sur.state.hyper!.groupNoiseSlope !== undefined, "'by-size' once on");
    // For good: a later fit on the smooth history keeps the offsets.
    sur.fit(history(31), true);
    assert.equal(sur.state.runNoiseOn, true);
    assert.ok(sur.state.hyper!.groupNoise !== undefined);
  });

  it('the log-transformed view: predictions exp(mu) with std exp(mu) sd, covariance by the delta method', () => {
    const sur = createMfmsSurrogate(space, settings({ initial: 5 }), 3);
    const fit = sur.fit(history(9), false)!;
    assert.equal(fit.log, true);
    const ws = [
      [0.2, 0.5, 0.3],
      [0.6, 0.2, 0.2],
    ];
    const f = { scale: 'M', steps: 4000 };
    const j = surrogateJoint(space, fit, ws, f, sur.encoding.enc);
    const xs = ws.map((w) => encodeInput(space, w, f.scale, f.steps, sur.encoding.enc));
    const X = Float64Array.from(xs.flat());
    const p = fit.gp.predict(X);
    const C = fit.gp.covariance(X);
    const off = fit.shift(f.scale, f.steps);
    for (let r = 0; r < 2; r++) {
      const m = Math.exp(p.mean[r]! + off);
      assert.ok(Math.abs(j.predictions[r]!.mean - m) <= 1e-12 * m);
      assert.ok(Math.abs(j.predictions[r]!.std - m * Math.sqrt(C[r * 2 + r]!)) <= 1e-12 * m);
    }
    const cross = C[1]! * Math.exp(p.mean[0]! + off + p.mean[1]! + off);
    assert.ok(Math.abs(j.covariance[1]! - cross) <= 1e-12 * Math.abs(cross));
    assert.throws(
      () => surrogateJoint(space, fit, ws, { scale: 'XL', steps: 10 }, sur.encoding.enc),
      /cannot predict at \(XL, 10 steps\)/,
    );
  });
});

describe('mfms surrogate: offsetLimit', () => {
  // Six runs of four points each: five mixtures near the centre whose values differ little, and
  // one near a vertex 0.5 above them. With a small output scale and large offsets, the fit
  // explains the vertex run as one unlucky run (its offset far out), and predicts its mixture
  // like the others.
  const mixtures = [
    [0.3, 0.35, 0.35],
    [0.35, 0.3, 0.35],
    [0.35, 0.35, 0.3],
    [0.4, 0.3, 0.3],
    [0.3, 0.4, 0.3],
    [0.96, 0.02, 0.02],
  ];
  const rows: number[] = [];
  const y: number[] = [];
  const groups: number[] = [];
  mixtures.forEach((w, r) => {
    for (let q = 0; q < 4; q++) {
      rows.push(...w, 0.5, 0.2 + 0.2 * q);
      y.push(1 - 0.1 * q + 0.01 * Math.sin(3 * r + q) + (r === 5 ? 0.5 : 0));
      groups.push(r);
    }
  });
  const obs = {
    X: Float64Array.from(rows),
    y: Float64Array.from(y),
    n: y.length,
    d: 5,
    points: [],
  };
  const opts = { ...mfmsGpOptions(k, settings(), 0), groups };
  const hyper = {
    lengthscales: [
      { kind: 'matern52' as const, dims: [0, 1, 2], values: [0.3] },
      { kind: 'rbf' as const, dims: [3], values: [1] },
      { kind: 'rbf' as const, dims: [4], values: [1] },
    ],
    outputScale: 0.001,
    noise: 1e-4,
    groupNoise: 0.01,
    mean: [1.1, 0, -0.5],
    standardization: { mean: 0, std: 1 },
  };
  const gp = surrogate(obs, opts, { fit: false, hyper });
  const vertex = Float64Array.from([0.96, 0.02, 0.02, 0.5, 0.8]);

  it('a run whose offset is more than z prior sds out loses it: as conditioning without its group', () => {
    const far = gp.groupOffsets().filter((o) => Math.abs(o.mean) > 3 * o.sd);
    assert.deepEqual(
      far.map((o) => o.group),
      [5],
    );
    const robust = withoutImplausibleOffsets(gp, obs, opts, 3);
    const ref = surrogate(
      obs,
      { ...opts, groups: groups.map((g) => (g === 5 ? -1 : g)) },
      {
        fit: false,
        hyper,
      },
    );
    const q = Float64Array.from([...vertex, 0.33, 0.33, 0.34, 0.5, 0.8]);
    assert.deepEqual(robust.predict(q), ref.predict(q));
    // Its deviation is now the mixture's: the vertex is predicted well above the centre.
    const before = gp.predict(q).mean;
    const after = robust.predict(q).mean;
    assert.ok(before[0]! - before[1]! < 0.1, `with the offset: ${before[0]} vs ${before[1]}`);
    assert.ok(after[0]! - after[1]! > 0.3, `without it: ${after[0]} vs ${after[1]}`);
  });

  it('no offset that far (or no run offsets): the same GP', () => {
    assert.equal(withoutImplausibleOffsets(gp, obs, opts, 1e6), gp);
    const { groups: _, ...plain } = opts;
    const { groupNoise: __, ...noGroups } = hyper;
    const g0 = surrogate(obs, plain, { fit: false, hyper: noGroups });
    assert.equal(withoutImplausibleOffsets(g0, obs, plain, 3), g0);
  });
});
