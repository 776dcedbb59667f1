import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cholesky,
  cholSolve,
  conditionGP,
  fitGP,
  type GPHyperparameters,
  type GPOptions,
  NumericsError,
  Rng,
  scaleLengthscales,
  ValidationError,
} from '../internals.ts';
import { assertClose, centralDiff, toyData } from './helpers.ts';

const d = 3;
const productOptions: GPOptions = {
  kernel: {
    kind: 'product',
    terms: [
      { kind: 'rbf', dims: [0, 1], ard: true },
      { kind: 'matern52', dims: [2] },
    ],
  },
  mean: 'linear',
  restarts: 2,
};
const sumOptions: GPOptions = {
  kernel: {
    kind: 'sum',
    terms: [
      { kind: 'matern52', dims: [0, 1, 2], ard: true },
      { kind: 'rbf', dims: [1] },
    ],
  },
  mean: 'constant',
  noise: { kind: 'fixed', variance: 0.01 },
  restarts: 1,
};

function hyperFor(options: GPOptions): GPHyperparameters {
  // Hand-set hyper-parameters (no fit) so the tests are fast and independent of the optimiser.
  const spec = options.kernel;
  const leaves = spec.kind === 'product' || spec.kind === 'sum' ? spec.terms : [spec];
  return {
    lengthscales: leaves.map((l, i) => {
      const leaf = l as Extract<GPOptions['kernel'], { dims: number[] }>;
      const count = leaf.ard === true ? leaf.dims.length : 1;
      return {
        kind: leaf.kind,
        dims: [...leaf.dims],
        values: Array.from({ length: count }, (_, q) => 0.4 + 0.3 * q + 0.2 * i),
      };
    }),
    outputScale: 1.7,
    noise: 0.01,
    mean: options.mean === 'linear' ? [0.1, 0.5, -0.3, 0.2] : options.mean === 'zero' ? [] : [0.2],
  };
}

describe('GaussianProcess', () => {
  for (const [name, options] of [
    ['product kernel, linear mean', productOptions],
    ['sum kernel, constant mean', sumOptions],
  ] as const) {
    it(`${name}: mean/variance gradients w.r.t. the test input match central differences`, () => {
      const { X, y } = toyData(1, 20, d);
      const gp = conditionGP(X, y, d, options, hyperFor(options));
      const rng = new Rng(2);
      for (let t = 0; t < 4; t++) {
        const x = Float64Array.from({ length: d }, () => rng.uniform());
        const p = gp.predictWithGradient(x);
        const q = gp.predict(x);
        assertClose(p.mean, q.mean[0] as number, 1e-12, 1e-12, 'mean vs predict');
        assertClose(p.variance, q.variance[0] as number, 1e-10, 1e-14, 'variance vs predict');
        for (let j = 0; j < d; j++) {
          const fdM = centralDiff((z) => gp.predict(z).mean[0] as number, x, j, 1e-6);
          const fdV = centralDiff((z) => gp.predict(z).variance[0] as number, x, j, 1e-6);
          assertClose(p.dMean[j] as number, fdM, 1e-6, 1e-8, `dMean[${j}]`);
          assertClose(p.dVariance[j] as number, fdV, 1e-5, 1e-8, `dVariance[${j}]`);
        }
      }
    });
  }

  it('joint covariance: symmetric, diagonal = predict variance, PSD 2×2 minors', () => {
    const { X, y } = toyData(3, 15, d);
    const gp = conditionGP(X, y, d, productOptions, hyperFor(productOptions));
    const Xs = Float64Array.from(toyData(4, 5, d).X);
    const C = gp.covariance(Xs);
    const v = gp.predict(Xs).variance;
    for (let a = 0; a < 5; a++) {
      assertClose(C[a * 5 + a] as number, v[a] as number, 1e-9, 1e-14, `diag ${a}`);
      for (let b = 0; b < 5; b++) {
        assert.equal(C[a * 5 + b], C[b * 5 + a]);
        const det =
          (C[a * 5 + a] as number) * (C[b * 5 + b] as number) - (C[a * 5 + b] as number) ** 2;
        assert.ok(det >= -1e-12, `minor ${a},${b}: ${det}`);
      }
    }
  });

  it('interpolates: with tiny noise the posterior mean at a training input is its y', () => {
    const { X, y } = toyData(5, 12, d, 0);
    const h = { ...hyperFor(productOptions), noise: 1e-8 };
    const gp = conditionGP(
      X,
      y,
      d,
      { ...productOptions, noise: { kind: 'fixed', variance: 1e-8 } },
      h,
    );
    const p = gp.predict(X.subarray(0, 3 * d));
    for (let i = 0; i < 3; i++)
      assertClose(p.mean[i] as number, y[i] as number, 1e-5, 1e-6, `y[${i}]`);
    for (let i = 0; i < 3; i++) assert.ok((p.variance[i] as number) < 1e-5);
  });

  it('log marginal likelihood is in original units: y → 10y + 5 shifts it by −n log 10', () => {
    const { X, y } = toyData(6, 18, d);
    const h = hyperFor(productOptions);
    const a = conditionGP(X, y, d, productOptions, h);
    const b = conditionGP(
      X,
      y.map((v) => 10 * v + 5),
      d,
      productOptions,
      h,
    );
    assertClose(
      b.logMarginalLikelihood,
      a.logMarginalLikelihood - 18 * Math.log(10),
      1e-11,
      1e-9,
      'LML',
    );
    assertClose(
      b.predict(X).mean[2] as number,
      10 * (a.predict(X).mean[2] as number) + 5,
      1e-12,
      1e-9,
      'mean',
    );
  });

  it('addObservation equals conditionGP on the enlarged data (with and without per-point noise)', () => {
    const { X, y } = toyData(7, 25, d);
    const n = 25;
    const gp = conditionGP(
      X.subarray(0, (n - 2) * d),
      y.subarray(0, n - 2),
      d,
      productOptions,
      hyperFor(productOptions),
    );
    assert.equal(gp.jitter, 0);
    const up = gp
      .addObservation(X.subarray((n - 2) * d, (n - 1) * d), y[n - 2] as number)
      .addObservation(X.subarray((n - 1) * d), y[n - 1] as number, 0.003);
    assert.equal(up.n, n);
    const noisePerPoint = new Float64Array(n);
    noisePerPoint[n - 1] = 0.003;
    const ref = conditionGP(X, y, d, { ...productOptions, noisePerPoint }, gp.hyperparameters);
    assertClose(up.logMarginalLikelihood, ref.logMarginalLikelihood, 1e-10, 1e-10, 'LML');
    const Xs = toyData(8, 6, d).X;
    const p = up.predict(Xs);
    const q = ref.predict(Xs);
    for (let i = 0; i < 6; i++) {
      assertClose(p.mean[i] as number, q.mean[i] as number, 1e-10, 1e-12, `mean ${i}`);
      assertClose(p.variance[i] as number, q.variance[i] as number, 1e-8, 1e-13, `variance ${i}`);
    }
  });

  it('same seed → bit-identical hyper-parameters and predictions', () => {
    const { X, y } = toyData(9, 30, d);
    const opts: GPOptions = { ...productOptions, restarts: 3, seed: 42 };
    const a = fitGP(X, y, d, opts);
    const b = fitGP(X, y, d, opts);
    assert.deepEqual(a.hyperparameters, b.hyperparameters);
    assert.equal(a.logMarginalLikelihood, b.logMarginalLikelihood);
    const Xs = toyData(10, 8, d).X;
    assert.deepEqual(a.predict(Xs), b.predict(Xs));
    assert.deepEqual(
      a.predictWithGradient([0.2, 0.4, 0.6]),
      b.predictWithGradient([0.2, 0.4, 0.6]),
    );
  });

  it('more restarts never give a lower objective than the first start alone', () => {
    const { X, y } = toyData(11, 30, d);
    const one = fitGP(X, y, d, { ...productOptions, restarts: 1 });
    const five = fitGP(X, y, d, { ...productOptions, restarts: 5, seed: 3 });
    assert.ok(five.logMarginalLikelihood >= one.logMarginalLikelihood - 1e-9);
  });

  it('a warm start from a previous fit reaches at least its likelihood', () => {
    const { X, y } = toyData(12, 30, d);
    const first = fitGP(X.subarray(0, 25 * d), y.subarray(0, 25), d, productOptions);
    const warm = fitGP(X, y, d, {
      ...productOptions,
      restarts: 1,
      warmStart: first.hyperparameters,
    });
    const atWarm = conditionGP(X, y, d, productOptions, {
      ...first.hyperparameters,
      standardization: undefined,
    } as GPHyperparameters);
    assert.ok(warm.logMarginalLikelihood >= atWarm.logMarginalLikelihood - 1e-6);
  });

  it('duplicate inputs: fit and condition succeed (jitter) or throw NumericsError, never NaN', () => {
    const { X, y } = toyData(13, 10, d);
    const Xd = new Float64Array(20 * d);
    Xd.set(X);
    Xd.set(X, 10 * d);
    const yd = new Float64Array(20);
    yd.set(y);
    yd.set(
      y.map((v) => v + 0.01),
      10,
    );
    const attempts: (() => ReturnType<typeof fitGP>)[] = [
      () => fitGP(Xd, yd, d, productOptions),
      () => fitGP(Xd, yd, d, { ...productOptions, noise: { kind: 'fixed', variance: 0 } }),
      () =>
        conditionGP(
          Xd,
          yd,
          d,
          { ...productOptions, noise: { kind: 'fixed', variance: 0 } },
          {
            ...hyperFor(productOptions),
            noise: 0,
          },
        ),
    ];
    let succeeded = 0;
    for (const f of attempts) {
      try {
        const gp = f();
        succeeded++;
        assert.ok(Number.isFinite(gp.logMarginalLikelihood));
        const p = gp.predict(Xd);
        assert.ok(
          p.mean.every(Number.isFinite) && p.variance.every((v) => Number.isFinite(v) && v >= 0),
        );
        const g = gp.predictWithGradient([0.3, 0.3, 0.3]);
        assert.ok(g.dMean.every(Number.isFinite) && g.dVariance.every(Number.isFinite));
      } catch (e) {
        assert.ok(e instanceof NumericsError, `expected NumericsError, got ${String(e)}`);
      }
    }
    assert.ok(succeeded >= 1);
    // The noise-free condition on exact duplicates needs jitter.
    try {
      const gp = (attempts[2] as () => ReturnType<typeof fitGP>)();
      assert.ok(gp.jitter > 0);
    } catch (e) {
      assert.ok(e instanceof NumericsError);
    }
  });

  it('scaleLengthscales and withHyperparameters', () => {
    const h = hyperFor(productOptions);
    const before = JSON.stringify(h);
    const s = scaleLengthscales(h, [1, 2], 0.95);
    assert.deepEqual(s.lengthscales[0]?.values, [
      h.lengthscales[0]?.values[0],
      (h.lengthscales[0]?.values[1] as number) * 0.95,
    ]);
    assert.deepEqual(s.lengthscales[1]?.values, [(h.lengthscales[1]?.values[0] as number) * 0.95]);
    assert.equal(JSON.stringify(h), before, 'input not mutated');
    const iso: GPHyperparameters = {
      lengthscales: [{ kind: 'rbf', dims: [0, 1], values: [1] }],
      outputScale: 1,
      noise: 0.1,
      mean: [],
    };
    assert.throws(() => scaleLengthscales(iso, [0], 0.5), /shares one lengthscale/);
    assert.throws(() => scaleLengthscales(iso, [0], -1), ValidationError);
    const { X, y } = toyData(14, 15, d);
    const gp = conditionGP(X, y, d, productOptions, h);
    const gs = gp.withHyperparameters(s);
    const ref = conditionGP(X, y, d, productOptions, {
      ...s,
      standardization: gp.hyperparameters.standardization,
    });
    assert.deepEqual(gs.predict(X.subarray(0, d)), ref.predict(X.subarray(0, d)));
    assert.notEqual(
      gs.predict(X.subarray(0, d)).variance[0],
      gp.predict(X.subarray(0, d)).variance[0],
    );
  });

  it('priors pull the fit; a fixed noise stays fixed', () => {
    const { X, y } = toyData(17, 25, d);
    const gp = fitGP(X, y, d, {
      kernel: { kind: 'rbf', dims: [0, 1, 2], ard: true },
      mean: 'constant',
      noise: { kind: 'fixed', variance: 0.05 },
      priors: { lengthscale: { kind: 'lognormal', mu: Math.log(5), sigma: 0.01 } },
      restarts: 1,
    });
    for (const v of gp.hyperparameters.lengthscales[0]?.values ?? [])
      assertClose(v, 5, 0.05, 0, 'lengthscale');
    assert.equal(gp.hyperparameters.noise, 0.05);
  });

  it('validates inputs with messages that name the problem', () => {
    const { X, y } = toyData(15, 5, d);
    assert.throws(
      () => fitGP(X, y.subarray(0, 4), d, productOptions),
      /y has length 4 but X has n = 5/,
    );
    const bad = Float64Array.from(X);
    bad[4] = Number.NaN;
    assert.throws(() => fitGP(bad, y, d, productOptions), /X\[1\]\[1\] = NaN is not finite/);
    assert.throws(
      () => fitGP(X, y, d, { ...productOptions, mean: 'quadratic' as 'linear' }),
      ValidationError,
    );
    assert.throws(
      () => fitGP(X, y, d, { ...productOptions, restarts: 0 }),
      /restarts must be an integer >= 1/,
    );
    assert.throws(
      () => conditionGP(X, y, d, productOptions, { ...hyperFor(productOptions), mean: [1] }),
      /mean has 1 coefficients, the mean model needs 4/,
    );
    const gp = conditionGP(X, y, d, productOptions, hyperFor(productOptions));
    assert.throws(() => gp.predict(new Float64Array(4)), /not a multiple of d = 3/);
    assert.throws(() => gp.predictWithGradient([1, 2]), /expected d = 3/);
  });
});

describe('fitGP large-n path (subset pre-optimisation, shared polish)', () => {
  it('reaches the same optimum as the plain multi-start fit, deterministically', () => {
    const { X, y } = toyData(16, 70, d);
    const opts: GPOptions = { ...productOptions, restarts: 3, seed: 5 };
    const plain = fitGP(X, y, d, opts);
    assert.ok(plain.fitDiagnostics.every((s) => s.subsetEvaluations === 0));
    const lowered: GPOptions = { ...opts, subsetStage: { minN: 50, size: 40 } };
    const a = fitGP(X, y, d, lowered);
    const b = fitGP(X, y, d, lowered);
    assert.deepEqual(a.hyperparameters, b.hyperparameters);
    assert.equal(a.fitDiagnostics.length, 3);
    assert.equal(a.fitDiagnostics[0]?.subsetEvaluations, 0);
    assert.ok(a.fitDiagnostics.slice(1).every((s) => s.subsetEvaluations > 0));
    assertClose(a.logMarginalLikelihood, plain.logMarginalLikelihood, 1e-6, 1e-6, 'MLL');
  });

  it('rejects a malformed subset stage, naming the value', () => {
    const { X, y } = toyData(16, 20, d);
    assert.throws(
      () => fitGP(X, y, d, { ...productOptions, subsetStage: { size: 0 } }),
      /subsetStage.size must be an integer >= 1, got 0; leave it out for 256/,
    );
    assert.throws(
      () => fitGP(X, y, d, { ...productOptions, subsetStage: { duplicateTol: Number.NaN } }),
      /subsetStage.duplicateTol must be finite and >= 0, got NaN/,
    );
  });
});

describe('fitGP with likelihood.maxCached (memory, not values)', () => {
  it('fits the same hyper-parameters and posterior without any cache', () => {
    const { X, y } = toyData(17, 40, d, 0.05);
    for (const opts of [productOptions, sumOptions]) {
      const a = fitGP(X, y, d, opts);
      const b = fitGP(X, y, d, { ...opts, likelihood: { maxCached: 0 } });
      assert.deepEqual(b.hyperparameters, a.hyperparameters);
      assert.equal(b.logMarginalLikelihood, a.logMarginalLikelihood);
      const at = Float64Array.of(0.2, 0.7, 0.4, 0.9, 0.1, 0.5);
      assert.deepEqual(b.predict(at), a.predict(at));
    }
  });

  it('rejects a negative or fractional limit, naming the value', () => {
    const { X, y } = toyData(17, 12, d);
    for (const maxCached of [-1, 0.5, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => fitGP(X, y, d, { ...productOptions, likelihood: { maxCached } }),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message.startsWith(`likelihood.maxCached must be an integer >= 0`) &&
          e.message.includes(`got ${String(maxCached)}; leave it out for 2^25`),
      );
    }
  });
});

describe('fitGP with fitPoints (hyper-parameters on a subset, posterior on all)', () => {
  const { X, y } = toyData(31, 120, d, 0.05);
  const base: GPOptions = { ...productOptions, restarts: 2, seed: 4 };

  it('changes nothing when fitPoints >= n', () => {
    const a = fitGP(X, y, d, base);
    const b = fitGP(X, y, d, { ...base, fitPoints: 120 });
    assert.deepEqual(b.hyperparameters, a.hyperparameters);
    assert.equal(b.logMarginalLikelihood, a.logMarginalLikelihood);
  });

  it('fits on fewer points and conditions on all of them; the same seed gives the same fit', () => {
    const full = fitGP(X, y, d, base);
    const sub = fitGP(X, y, d, { ...base, fitPoints: 40 });
    assert.equal(sub.n, 120);
    assert.notDeepEqual(sub.hyperparameters, full.hyperparameters);
    // Conditioned on every point: its posterior at the data is the same model as conditioning
    // the data on its hyper-parameters directly.
    const cond = conditionGP(X, y, d, base, sub.hyperparameters);
    const p1 = sub.predict(X);
    const p2 = cond.predict(X);
    for (let i = 0; i < 120; i++) {
      assertClose(p1.mean[i] as number, p2.mean[i] as number, 1e-9, 1e-12, `mean ${i}`);
    }
    // About as accurate as the full fit on this smooth toy function (noise-free truth on a grid).
    const grid = toyData(8, 50, d, 0);
    const rmse = (m: Float64Array) =>
      Math.sqrt(m.reduce((acc, v, i) => acc + (v - (grid.y[i] as number)) ** 2, 0) / 50);
    const eFull = rmse(full.predict(grid.X).mean);
    const eSub = rmse(sub.predict(grid.X).mean);
    assert.ok(eSub < 2 * eFull + 0.02, `rmse: subset fit ${eSub}, full fit ${eFull}`);
    assert.deepEqual(
      fitGP(X, y, d, { ...base, fitPoints: 40 }).hyperparameters,
      sub.hyperparameters,
    );
  });

  it('rejects a fitPoints below 10 or not an integer', () => {
    for (const fitPoints of [5, 12.5, Number.NaN]) {
      assert.throws(
        () => fitGP(X, y, d, { ...base, fitPoints }),
        (e: unknown) => e instanceof ValidationError && /fitPoints/.test(e.message),
      );
    }
  });
});

describe('mean linear in some inputs only', () => {
  const { X, y } = toyData(12, 60, d, 0.05);
  const spec = (mean: GPOptions['mean']): GPOptions => ({ ...productOptions, mean, seed: 2 });

  it("{ kind: 'linear', dims: all } is exactly 'linear'", () => {
    const a = fitGP(X, y, d, spec('linear'));
    const b = fitGP(X, y, d, spec({ kind: 'linear', dims: [0, 1, 2] }));
    assert.deepEqual(b.hyperparameters, a.hyperparameters);
    assert.equal(b.logMarginalLikelihood, a.logMarginalLikelihood);
  });

  it('fits one coefficient per listed dim; the mean gradient is zero in the others (finite differences)', () => {
    const gp = fitGP(X, y, d, spec({ kind: 'linear', dims: [2] }));
    assert.equal(gp.hyperparameters.mean.length, 2);
    const x = [0.3, 0.6, 0.4];
    const g = gp.predictWithGradient(x);
    for (let j = 0; j < d; j++) {
      const fd = centralDiff((t) => gp.predictWithGradient(t).mean, x, j, 1e-5);
      assertClose(g.dMean[j] as number, fd, 1e-5, 1e-7, `dMean[${j}]`);
    }
    // Between constant (nested) and linear in all dims (nesting it): the MLL is in between.
    const c = fitGP(X, y, d, spec('constant'));
    assert.ok(gp.logMarginalLikelihood >= c.logMarginalLikelihood - 1e-6);
  });

  it('rejects a precision that is negative, non-finite or not one per dim', () => {
    for (const precision of [[-1], [Number.NaN], [1, 2], [Number.POSITIVE_INFINITY]]) {
      assert.throws(
        () => fitGP(X, y, d, spec({ kind: 'linear', dims: [2], precision })),
        (e: unknown) => e instanceof ValidationError && /precision/.test(e.message),
      );
    }
  });

  it('precision 0 is the flat prior bit for bit; a positive one fits a smaller coefficient', () => {
    const flat = fitGP(X, y, d, spec({ kind: 'linear', dims: [2] }));
    const zero = fitGP(X, y, d, spec({ kind: 'linear', dims: [2], precision: [0] }));
    assert.deepEqual(zero.hyperparameters, flat.hyperparameters);
    const ridge = fitGP(X, y, d, spec({ kind: 'linear', dims: [2], precision: [1e6] }));
    const b = (gp: typeof flat) => Math.abs(gp.hyperparameters.mean[1] as number);
    assert.ok(b(flat) > 1e-2, `the toy data have a slope in dim 2 (${b(flat)})`);
    assert.ok(b(ridge) < 1e-3 * b(flat), `${b(ridge)} vs ${b(flat)}`);
  });

  it('rejects dims out of range, repeated or empty', () => {
    for (const dims of [[3], [0, 0], [], [1.5]]) {
      assert.throws(
        () => fitGP(X, y, d, spec({ kind: 'linear', dims })),
        (e: unknown) => e instanceof ValidationError && /dims/.test(e.message),
      );
    }
  });
});

describe('lengthscaleLower (a floor per kernel channel)', () => {
  // Pure noise on a dense 1-d grid: the likelihood alone favours a lengthscale far below the
  // floor (every point its own value), so a fit with a floor must stop exactly on it.
  const n = 40;
  const rng = new Rng(5);
  const X = Float64Array.from({ length: 2 * n }, (_, i) =>
    i % 2 === 0 ? i / 2 / n : rng.uniform(),
  );
  const y = Float64Array.from({ length: n }, () => rng.normal());
  const opts: GPOptions = {
    kernel: {
      kind: 'product',
      terms: [
        { kind: 'matern52', dims: [0] },
        { kind: 'rbf', dims: [1] },
      ],
    },
    mean: 'constant',
    noise: { kind: 'fixed', variance: 1e-4 },
    restarts: 3,
  };

  it('keeps each floored lengthscale at or above its floor; 0 means no floor (bit-identical)', () => {
    const free = fitGP(X, y, 2, opts);
    const l0 = free.hyperparameters.lengthscales[0]!.values[0]!;
    assert.ok(l0 < 0.05, `without a floor the fit interpolates the noise (l = ${l0})`);
    const floored = fitGP(X, y, 2, { ...opts, lengthscaleLower: [0.3, 0] });
    const l1 = floored.hyperparameters.lengthscales[0]!.values[0]!;
    assertClose(l1, 0.3, 1e-9, 1e-9, 'floored lengthscale sits on the floor');
    assert.ok(floored.logMarginalLikelihood < free.logMarginalLikelihood);
    const zero = fitGP(X, y, 2, { ...opts, lengthscaleLower: [0, 0] });
    assert.deepEqual(zero.hyperparameters, free.hyperparameters);
  });

  it('lengthscaleUpper caps a channel: a smooth trend fitted under a ceiling stops on it', () => {
    // y = x0 (a straight line): the likelihood wants an ever longer lengthscale on x0.
    const ys = Float64Array.from({ length: n }, (_, i) => X[2 * i] as number);
    const free = fitGP(X, ys, 2, opts);
    const l0 = free.hyperparameters.lengthscales[0]!.values[0]!;
    assert.ok(l0 > 0.5, `without a ceiling the fit takes a long lengthscale (l = ${l0})`);
    const capped = fitGP(X, ys, 2, { ...opts, lengthscaleUpper: [0.2, 0] });
    assertClose(
      capped.hyperparameters.lengthscales[0]!.values[0]!,
      0.2,
      1e-9,
      1e-9,
      'on the ceiling',
    );
    assert.throws(
      () => fitGP(X, ys, 2, { ...opts, lengthscaleUpper: [0.2] }),
      /lengthscaleUpper has length 1, expected one ceiling per kernel channel \(2\)/,
    );
  });

  it('rejects a floor of the wrong length or a negative / non-finite floor, naming it', () => {
    assert.throws(
      () => fitGP(X, y, 2, { ...opts, lengthscaleLower: [0.3] }),
      /lengthscaleLower has length 1, expected one floor per kernel channel \(2\)/,
    );
    assert.throws(
      () => fitGP(X, y, 2, { ...opts, lengthscaleLower: [-1, 0] }),
      /lengthscaleLower\[0\] = -1 must be a finite lengthscale >= 0/,
    );
    assert.throws(
      () => fitGP(X, y, 2, { ...opts, lengthscaleLower: [0, Number.NaN] }),
      ValidationError,
    );
  });
});

describe('logEvidence: the mean coefficients with a prior integrated out', () => {
  // x = [u, h]: an RBF kernel on u, a mean c + b h with b ~ N(0, 1/q) and c flat. Closed form:
  // max_c log N(y; c 1, K + hhᵀ/q), with K the kernel plus noise (no standardisation).
  const n = 12;
  const rng = new Rng(3);
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = i / n;
    X[2 * i + 1] = rng.uniform();
    y[i] = Math.sin(4 * X[2 * i]!) + 0.8 * X[2 * i + 1]! + 0.1 * rng.normal();
  }
  const hyper = (b: number) => ({
    lengthscales: [{ kind: 'rbf' as const, dims: [0], values: [0.3] }],
    outputScale: 0.7,
    noise: 0.05,
    mean: [0.2, b],
  });

  it('matches the dense Gaussian integral, and is the likelihood without priors', () => {
    const q = 2;
    const options: GPOptions = {
      kernel: { kind: 'rbf', dims: [0] },
      mean: { kind: 'linear', dims: [1], precision: [q] },
      noise: { kind: 'fixed', variance: 0.05 },
      standardize: false,
    };
    // A fit: its coefficients are the posterior mode at its kernel hyper-parameters.
    const fitted = fitGP(X, y, 2, { ...options, warmStart: hyper(0), restarts: 1 });
    const h = fitted.hyperparameters;
    const gp = conditionGP(X, y, 2, options, h);
    // Dense: C = K + hhᵀ/q; c* = 1ᵀC⁻¹y / 1ᵀC⁻¹1; log N(y; c* 1, C).
    const l = h.lengthscales[0]!.values[0]!;
    const C: number[][] = [];
    for (let i = 0; i < n; i++) {
      C.push([]);
      for (let j = 0; j < n; j++) {
        const du = X[2 * i]! - X[2 * j]!;
        let v = h.outputScale * Math.exp((-du * du) / (2 * l * l));
        if (i === j) v += h.noise;
        v += (X[2 * i + 1]! * X[2 * j + 1]!) / q;
        C[i]!.push(v);
      }
    }
    const { L } = cholesky(Float64Array.from(C.flat()), n);
    const solve = (b: Float64Array) => cholSolve(L, n, b, 1);
    const ones = new Float64Array(n).fill(1);
    const Ci1 = solve(ones);
    const Ciy = solve(y);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      a += Ci1[i]!;
      b += Ciy[i]!;
    }
    const c = b / a;
    const r = y.map((v) => v - c);
    const Cir = solve(r);
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < n; i++) {
      quad += r[i]! * Cir[i]!;
      logDet += 2 * Math.log(L[i * n + i]!);
    }
    const dense = -0.5 * quad - 0.5 * logDet - 0.5 * n * Math.log(2 * Math.PI);
    assertClose(gp.logEvidence(), dense, 1e-9, 1e-9, 'logEvidence');
    assert.ok(gp.logEvidence() < gp.logMarginalLikelihood, 'the Occam factor costs');
    const flat = conditionGP(X, y, 2, { ...options, mean: { kind: 'linear', dims: [1] } }, h);
    assert.equal(flat.logEvidence(), flat.logMarginalLikelihood);
  });
});
