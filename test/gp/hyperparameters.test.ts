// The hyper-parameter vector θ and its box (src/gp/hyperparameters.ts):
// positions in θ, the round trip to named values, shape checks naming the
// mismatch, restandardisation in closed form, data spans, the box and its
// random starts, priors, and lengthscale scaling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, ValidationError } from '../../src/core/index.ts';
import {
  channelSpans,
  checkHyper,
  checkPriors,
  GROUP_NOISE_ABSENT,
  HyperLayout,
  hyperBox,
  logPrior,
  restandardize,
  scaleLengthscales,
} from '../../src/gp/hyperparameters.ts';
import { Kernel } from '../../src/gp/kernel.ts';
import type { GPHyperparameters } from '../../src/gp/types.ts';

// 3 channels: an ARD Matérn over dims 0, 1 and an isotropic RBF over dim 2.
const kernel = new Kernel(
  {
    kind: 'product',
    terms: [
      { kind: 'matern52', dims: [0, 1], ard: true },
      { kind: 'rbf', dims: [2] },
    ],
  },
  3,
);

const hyper = (over: Partial<GPHyperparameters> = {}): GPHyperparameters => ({
  lengthscales: [
    { kind: 'matern52', dims: [0, 1], values: [0.5, 2] },
    { kind: 'rbf', dims: [2], values: [4] },
  ],
  outputScale: 1.5,
  noise: 0.01,
  mean: [0.3],
  standardization: { mean: 1, std: 2 },
  ...over,
});

const closeTo = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

describe('HyperLayout', () => {
  it('places lengthscales, scale, noise, group, slope and mean in that order', () => {
    const full = new HyperLayout(kernel, 'linear', true, true, true);
    assert.deepEqual(
      [full.numLengthscales, full.iScale, full.iNoise, full.iGroup, full.iGroupSlope, full.iMean],
      [3, 3, 4, 5, 6, 7],
    );
    assert.equal(full.numMean, 4, 'c and one b per input dim');
    assert.equal(full.size, 11);
    assert.deepEqual(
      Array.from({ length: 11 }, (_, i) => full.name(i)),
      [
        'log lengthscale[0]',
        'log lengthscale[1]',
        'log lengthscale[2]',
        'log outputScale',
        'log noise',
        'log groupNoise',
        'groupNoiseSlope',
        'mean c',
        'mean b[0]',
        'mean b[1]',
        'mean b[2]',
      ],
    );
    const fixed = new HyperLayout(kernel, 'zero', false);
    assert.deepEqual(
      [fixed.iNoise, fixed.iGroup, fixed.iGroupSlope, fixed.iMean, fixed.size],
      [-1, -1, -1, 4, 4],
    );
    const partial = new HyperLayout(kernel, { kind: 'linear', dims: [2] }, true);
    assert.deepEqual([...partial.meanDims], [2]);
    assert.equal(partial.numMean, 2);
  });

  it('θ holds logs of the positive values and the raw mean; fromVector inverts it', () => {
    const layout = new HyperLayout(kernel, 'constant', true, true);
    const th = layout.toVector(hyper());
    const want = [
      Math.log(0.5),
      Math.log(2),
      Math.log(4),
      Math.log(1.5),
      Math.log(0.01),
      Math.log(GROUP_NOISE_ABSENT),
      0.3,
    ];
    for (const [i, w] of want.entries()) closeTo(th[i]!, w);
    const back = layout.fromVector(th, 99, { mean: 1, std: 2 });
    assert.deepEqual(
      back.lengthscales.map((l) => l.dims),
      [[0, 1], [2]],
    );
    for (const [i, v] of back.lengthscales.flatMap((l) => l.values).entries()) {
      closeTo(v, [0.5, 2, 4][i]!);
    }
    closeTo(back.outputScale, 1.5);
    closeTo(back.noise, 0.01);
    closeTo(back.groupNoise!, GROUP_NOISE_ABSENT);
    assert.deepEqual(back.mean, [0.3]);
    // a fixed noise is passed through, not read from θ
    const fixed = new HyperLayout(kernel, 'constant', false);
    assert.equal(fixed.fromVector(fixed.toVector(hyper()), 0.25, { mean: 0, std: 1 }).noise, 0.25);
    assert.deepEqual([...HyperLayout.channelLengthscales(hyper())], [0.5, 2, 4]);
  });

  it('a learned noise must be positive', () => {
    const layout = new HyperLayout(kernel, 'constant', true);
    assert.throws(
      () => layout.toVector(hyper({ noise: 0 })),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message ===
          'hyperparameters: a learned noise must be positive, got 0; use a fixed noise for 0',
    );
  });
});

describe('checkHyper', () => {
  const bad: [string, Partial<GPHyperparameters>, RegExp][] = [
    [
      'leaf count',
      { lengthscales: [{ kind: 'rbf', dims: [2], values: [1] }] },
      /1 lengthscale leaves given, the kernel has 2/,
    ],
    [
      'values per ARD leaf',
      {
        lengthscales: [
          { kind: 'matern52', dims: [0, 1], values: [1] },
          { kind: 'rbf', dims: [2], values: [1] },
        ],
      },
      /leaf 0 needs 2 lengthscale\(s\), got \[1\]/,
    ],
    [
      'dims',
      {
        lengthscales: [
          { kind: 'matern52', dims: [0, 2], values: [1, 1] },
          { kind: 'rbf', dims: [2], values: [1] },
        ],
      },
      /leaf 0 is on dims \[0,2\], the kernel has \[0,1\]/,
    ],
    [
      'a lengthscale',
      {
        lengthscales: [
          { kind: 'matern52', dims: [0, 1], values: [1, -2] },
          { kind: 'rbf', dims: [2], values: [1] },
        ],
      },
      /lengthscale of leaf 0 must be a positive finite number, got -2/,
    ],
    [
      'outputScale',
      { outputScale: Number.POSITIVE_INFINITY },
      /outputScale must be a positive finite number, got Infinity/,
    ],
    ['noise', { noise: -1 }, /noise must be a finite variance >= 0, got -1/],
    ['groupNoise', { groupNoise: 0 }, /groupNoise must be a positive finite number, got 0/],
    [
      'groupNoiseSlope',
      { groupNoiseSlope: Number.NaN },
      /groupNoiseSlope must be a finite number, got NaN/,
    ],
    ['mean count', { mean: [1, 2] }, /mean has 2 coefficients, the mean model needs 1/],
    ['mean value', { mean: [Number.NaN] }, /mean coefficient NaN is not finite/],
    [
      'standardization',
      { standardization: { mean: 0, std: 0 } },
      /standardization.std must be a positive finite number, got 0/,
    ],
  ];
  for (const [what, over, re] of bad) {
    it(`names a bad ${what}`, () => {
      assert.throws(
        () => checkHyper(hyper(over), kernel, 1),
        (e: unknown) => e instanceof ValidationError && re.test(e.message),
      );
    });
  }

  it('accepts a matching set, a zero fixed noise and no standardisation', () => {
    checkHyper(hyper({ noise: 0, standardization: undefined }), kernel, 1);
  });
});

describe('restandardize', () => {
  it('keeps the prior in original units: s σ², σ² σ_y², and the mean function', () => {
    const h = hyper({ mean: [0.3, -0.5, 2, 1], groupNoise: 0.2, groupNoiseSlope: 0.7 });
    const to = { mean: 3, std: 4 };
    const r = restandardize(h, to);
    // r = σ/σ' = 1/2
    closeTo(r.outputScale, 1.5 / 4);
    closeTo(r.noise, 0.01 / 4);
    closeTo(r.groupNoise!, 0.2 / 4);
    assert.equal(r.groupNoiseSlope, 0.7);
    closeTo(r.mean[0]!, (0.3 * 2 + 1 - 3) / 4);
    assert.deepEqual(r.mean.slice(1), [-0.25, 1, 0.5]);
    assert.deepEqual(r.standardization, to);
    assert.deepEqual(r.lengthscales, h.lengthscales);
    // the mean in original units at x: σ (c + b·x) + ȳ, before and after
    const x = [0.2, 0.7, 1.1];
    const m = (g: GPHyperparameters) => {
      const s = g.standardization!;
      return s.std * (g.mean[0]! + x.reduce((a, xi, j) => a + xi * g.mean[j + 1]!, 0)) + s.mean;
    };
    closeTo(m(r), m(h));
  });

  it('only relabels when the standardisation is the same or absent', () => {
    const same = restandardize(hyper(), { mean: 1, std: 2 });
    assert.deepEqual(same, hyper());
    const none = restandardize(hyper({ standardization: undefined }), { mean: 5, std: 6 });
    assert.equal(none.outputScale, 1.5);
    assert.deepEqual(none.standardization, { mean: 5, std: 6 });
  });
});

describe('channelSpans and hyperBox', () => {
  // ARD channels 0 and 1 span 2 and 0 (-> 1); an isotropic leaf over dims 0 and 2 spans sqrt(2² + 3²)
  const iso = new Kernel(
    {
      kind: 'product',
      terms: [
        { kind: 'rbf', dims: [0, 1], ard: true },
        { kind: 'rbf', dims: [0, 2] },
      ],
    },
    3,
  );
  const X = Float64Array.from([0, 5, 1, 2, 5, 4, 1, 5, 2]);

  it('spans are the Euclidean diameter of each channel, 1 when 0', () => {
    const s = channelSpans(iso, X, 3);
    assert.deepEqual([s[0], s[1]], [2, 1]);
    closeTo(s[2]!, Math.sqrt(13));
    assert.deepEqual([...channelSpans(iso, X, 0)], [1, 1, 1]);
  });

  it('the box of the module comment, floors and ceilings, and a clipped first start', () => {
    const layout = new HyperLayout(kernel, 'constant', true, true, true);
    const spans = Float64Array.from([2, 1, 0.5]);
    const v = 3;
    const b = hyperBox(
      layout,
      spans,
      v,
      1e-6,
      1e3,
      Float64Array.from([0, 0.5, 0]),
      Float64Array.from([0, 0, 1]),
      [-2, -1],
    );
    closeTo(b.lower[0]!, Math.log(2e-3));
    closeTo(b.upper[0]!, Math.log(2e3));
    closeTo(b.lower[1]!, Math.log(0.5), 1e-15); // floor above 1e-3 · span
    closeTo(b.upper[2]!, 0); // ceiling 1 below 1e3 · span
    closeTo(b.lower[3]!, Math.log(3e-4));
    closeTo(b.upper[3]!, Math.log(3e4));
    closeTo(b.lower[4]!, Math.log(1e-6));
    closeTo(b.upper[4]!, Math.log(30));
    closeTo(b.initial[4]!, Math.log(30)); // noise start 1e3 clipped to 10 v
    closeTo(b.lower[5]!, Math.log(3e-6));
    closeTo(b.initial[5]!, Math.log(0.3));
    assert.deepEqual([b.lower[6], b.upper[6], b.initial[6]], [-2, -1, -1]); // slope start 0 clipped
    for (const [i, w] of [Math.log(2), Math.log(1), Math.log(0.5), Math.log(3)].entries()) {
      closeTo(b.initial[i]!, w);
    }
    assert.equal(b.lower[7], Number.NEGATIVE_INFINITY);
    assert.equal(b.upper[7], Number.POSITIVE_INFINITY);
  });

  it('random starts lie in the box and follow the seed', () => {
    const layout = new HyperLayout(kernel, 'constant', true, true, true);
    const b = hyperBox(layout, Float64Array.from([2, 1, 0.5]), 3, 1e-6, 0.3);
    const rng = new Rng(4);
    for (let t = 0; t < 200; t++) {
      const th = b.sample(rng);
      for (let i = 0; i < layout.size; i++) {
        assert.ok(th[i]! >= b.lower[i]! && th[i]! <= b.upper[i]!, `${layout.name(i)} = ${th[i]}`);
      }
      // lengthscale starts within [0.05, 5] · span
      assert.ok(th[0]! >= Math.log(0.1) - 1e-12 && th[0]! <= Math.log(10) + 1e-12);
      assert.ok(th[6]! >= -1 && th[6]! <= 1);
    }
    assert.deepEqual(b.sample(new Rng(9)), b.sample(new Rng(9)));
  });
});

describe('priors', () => {
  const layout = new HyperLayout(kernel, 'constant', true);

  it('logPrior sums the log densities of θ = log v (constants dropped) and adds their gradient', () => {
    const priors = {
      lengthscale: { kind: 'lognormal' as const, mu: 0, sigma: 2 },
      outputScale: { kind: 'gamma' as const, concentration: 2, rate: 0.5 },
      noise: { kind: 'gamma' as const, concentration: 1.1, rate: 10 },
    };
    const th = Float64Array.from([0.4, -1, 2, 0.1, -3, 7]);
    const grad = new Float64Array(6).fill(1);
    const lp = logPrior(th, layout, priors, grad);
    // lognormal: -z²/2, z = θ/2; gamma: a θ - b e^θ
    const want =
      [0.4, -1, 2].reduce((a, t) => a - 0.5 * (t / 2) ** 2, 0) +
      (2 * 0.1 - 0.5 * Math.exp(0.1)) +
      (1.1 * -3 - 10 * Math.exp(-3));
    closeTo(lp, want);
    closeTo(grad[0]!, 1 - 0.4 / 4);
    closeTo(grad[2]!, 1 - 2 / 4);
    closeTo(grad[3]!, 1 + 2 - 0.5 * Math.exp(0.1));
    closeTo(grad[4]!, 1 + 1.1 - 10 * Math.exp(-3));
    assert.equal(grad[5], 1, 'the mean has no prior');
    assert.equal(logPrior(th, layout, undefined), 0);
    // a fixed noise has no θ entry, so no noise prior
    const fixed = new HyperLayout(kernel, 'constant', false);
    closeTo(logPrior(Float64Array.from([0, 0, 0, 0, 5]), fixed, { noise: priors.noise }), 0);
  });

  it('checkPriors names a malformed prior', () => {
    checkPriors(undefined);
    checkPriors({ noise: { kind: 'gamma', concentration: 1, rate: 1 } });
    assert.throws(
      () => checkPriors({ lengthscale: { kind: 'lognormal', mu: 0, sigma: 0 } }),
      /priors.lengthscale: lognormal needs finite mu and sigma > 0, got \{"kind":"lognormal","mu":0,"sigma":0\}/,
    );
    assert.throws(
      () => checkPriors({ outputScale: { kind: 'gamma', concentration: 1, rate: -1 } }),
      /priors.outputScale: gamma needs concentration > 0 and rate > 0/,
    );
    assert.throws(
      () => checkPriors({ noise: { kind: 'beta' } as never }),
      /priors.noise: unknown kind "beta"; use 'lognormal' or 'gamma'/,
    );
  });
});

describe('scaleLengthscales', () => {
  it('scales the listed dims of an ARD leaf and a whole isotropic leaf', () => {
    const s = scaleLengthscales(hyper(), [1, 2], 0.5);
    assert.deepEqual(
      s.lengthscales.map((l) => l.values),
      [[0.5, 1], [2]],
    );
    assert.equal(s.outputScale, 1.5);
    assert.deepEqual(s.standardization, { mean: 1, std: 2 });
    assert.deepEqual(hyper().lengthscales[0]!.values, [0.5, 2], 'the input is not changed');
    assert.throws(
      () => scaleLengthscales(hyper(), [1], Number.NaN),
      /factor must be positive and finite, got NaN/,
    );
  });
});
