import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HyperLayout } from '../../src/gp/hyperparameters.ts';
import { Kernel } from '../../src/gp/kernel.ts';
import { MarginalLikelihood } from '../../src/gp/likelihood.ts';
import { type KernelSpec, type MeanSpec, type PriorSpec, Rng } from '../internals.ts';
import { assertClose, centralDiff, toyData } from './helpers.ts';

interface Config {
  name: string;
  kernel: KernelSpec;
  mean: MeanSpec;
  learned: boolean;
  perPoint: boolean;
  priors?: PriorSpec;
}

const d = 3;
const configs: Config[] = [
  {
    name: 'RBF product (ARD x iso), linear mean, learned noise, per-point noise',
    kernel: {
      kind: 'product',
      terms: [
        { kind: 'rbf', dims: [0, 1], ard: true },
        { kind: 'rbf', dims: [2] },
      ],
    },
    mean: 'linear',
    learned: true,
    perPoint: true,
  },
  {
    name: 'Matern52 ARD + RBF iso sum, constant mean, fixed noise',
    kernel: {
      kind: 'sum',
      terms: [
        { kind: 'matern52', dims: [0, 1, 2], ard: true },
        { kind: 'rbf', dims: [1, 2] },
      ],
    },
    mean: 'constant',
    learned: false,
    perPoint: false,
  },
  {
    name: 'Matern52 x RBF product, zero mean, learned noise, priors',
    kernel: {
      kind: 'product',
      terms: [
        { kind: 'matern52', dims: [0] },
        { kind: 'rbf', dims: [1, 2], ard: true },
      ],
    },
    mean: 'zero',
    learned: true,
    perPoint: false,
    priors: {
      lengthscale: { kind: 'lognormal', mu: 0, sigma: 1 },
      outputScale: { kind: 'gamma', concentration: 2, rate: 0.5 },
      noise: { kind: 'gamma', concentration: 1.1, rate: 10 },
    },
  },
  {
    name: 'RBF ARD, linear mean in dims 1 and 2 with a Gaussian prior on the second, learned noise',
    kernel: { kind: 'rbf', dims: [0, 1, 2], ard: true },
    mean: { kind: 'linear', dims: [1, 2], precision: [0, 3] },
    learned: true,
    perPoint: false,
  },
];

function setup(
  cfg: Config,
  n = 25,
  maxCached?: number,
): { lik: MarginalLikelihood; layout: HyperLayout } {
  const { X, y } = toyData(5, n, d);
  const kernel = new Kernel(cfg.kernel, d);
  const layout = new HyperLayout(kernel, cfg.mean, cfg.learned);
  const rng = new Rng(9);
  const nu = new Float64Array(n);
  if (cfg.perPoint) for (let i = 0; i < n; i++) nu[i] = 0.01 * rng.uniform();
  let m = 0;
  for (const v of y) m += v;
  m /= n;
  const z = y.map((v) => v - m);
  const lik = new MarginalLikelihood(kernel, layout, X, n, z, nu, 0.02, cfg.priors, null, null, {
    maxCached,
  });
  return { lik, layout };
}

function randomTheta(layout: HyperLayout, rng: Rng): Float64Array {
  const th = new Float64Array(layout.size);
  for (let c = 0; c < layout.numLengthscales; c++) th[c] = Math.log(0.3 + rng.uniform());
  th[layout.iScale] = Math.log(0.5 + rng.uniform());
  if (layout.iNoise >= 0) th[layout.iNoise] = Math.log(0.01 + 0.1 * rng.uniform());
  for (let a = 0; a < layout.numMean; a++) th[layout.iMean + a] = rng.normal() * 0.5;
  return th;
}

describe('log marginal likelihood', () => {
  for (const cfg of configs) {
    it(`${cfg.name}: analytic gradient (all hyper-parameters) matches central differences`, () => {
      const { lik, layout } = setup(cfg);
      const rng = new Rng(21);
      for (let trial = 0; trial < 3; trial++) {
        const th = randomTheta(layout, rng);
        const g = new Float64Array(layout.size);
        const f0 = lik.evaluate(th, g);
        assert.ok(Number.isFinite(f0));
        const f = (t: Float64Array): number => lik.evaluate(t, new Float64Array(layout.size));
        for (let i = 0; i < layout.size; i++) {
          assertClose(
            g[i] as number,
            centralDiff(f, th, i, 1e-5),
            1e-5,
            1e-6,
            `${cfg.name}: ${layout.name(i)}`,
          );
        }
      }
    });
  }

  it('matches the dense formula −½rᵀK⁻¹r − ½log|K| − (n/2)log 2π computed independently', () => {
    const cfg = configs[0] as Config;
    const { lik, layout } = setup(cfg, 6);
    const th = randomTheta(layout, new Rng(2));
    const n = lik.n;
    // Independent: Gaussian elimination on the full K built from Kernel.value.
    const ls = Array.from({ length: layout.numLengthscales }, (_, c) => Math.exp(th[c] as number));
    const s = Math.exp(th[layout.iScale] as number);
    const noise = Math.exp(th[layout.iNoise] as number);
    const K: number[][] = [];
    for (let i = 0; i < n; i++) {
      K.push([]);
      for (let j = 0; j < n; j++) {
        let v = s * lik.kernel.value(lik.X, i * d, lik.X, j * d, ls);
        if (i === j) v += noise + (lik.nu[i] as number);
        (K[i] as number[]).push(v);
      }
    }
    const r = lik.residuals(th);
    const A = K.map((row, i) => [...row, r[i] as number]);
    let logDet = 0;
    for (let c = 0; c < n; c++) {
      const piv = (A[c] as number[])[c] as number;
      logDet += Math.log(piv);
      for (let i = c + 1; i < n; i++) {
        const f = ((A[i] as number[])[c] as number) / piv;
        for (let j = c; j <= n; j++)
          (A[i] as number[])[j] =
            ((A[i] as number[])[j] as number) - f * ((A[c] as number[])[j] as number);
      }
    }
    const x = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let v = (A[i] as number[])[n] as number;
      for (let j = i + 1; j < n; j++) v -= ((A[i] as number[])[j] as number) * (x[j] as number);
      x[i] = v / ((A[i] as number[])[i] as number);
    }
    let quad = 0;
    for (let i = 0; i < n; i++) quad += (r[i] as number) * (x[i] as number);
    const expected = -0.5 * quad - 0.5 * logDet - 0.5 * n * Math.log(2 * Math.PI);
    assertClose(lik.factorize(th).lml, expected, 1e-11, 1e-11, 'lml');
  });

  it('profiled mean: β̂ maximises over the mean and the gradient w.r.t. the rest matches differences', () => {
    const cfg = configs[0] as Config;
    const { lik, layout } = setup(cfg);
    const th = randomTheta(layout, new Rng(4));
    const g = new Float64Array(layout.size);
    const fHat = lik.evaluateProfiled(th, g);
    // β̂ beats any perturbed mean at the same kernel parameters.
    for (let a = 0; a < layout.numMean; a++) {
      const t = Float64Array.from(th);
      t[layout.iMean + a] = (t[layout.iMean + a] as number) + 1e-3;
      assert.ok(lik.evaluate(t, new Float64Array(layout.size)) < fHat);
    }
    assertClose(
      lik.evaluate(th, new Float64Array(layout.size)),
      fHat,
      1e-12,
      1e-12,
      'profiled value',
    );
    const f = (t: Float64Array): number =>
      lik.evaluateProfiled(Float64Array.from(t), new Float64Array(layout.size));
    for (let i = 0; i < layout.iMean; i++) {
      assertClose(
        g[i] as number,
        centralDiff(f, th, i, 1e-5),
        1e-5,
        1e-6,
        `profiled ${layout.name(i)}`,
      );
    }
  });

  it('profiled mean with coefficient priors: β̂ is the posterior mode (Hᵀα = Λβ̂) and the gradient matches differences', () => {
    const cfg = configs[3] as Config;
    const { lik, layout } = setup(cfg);
    assert.deepEqual([...layout.meanPrecision], [0, 0, 3]);
    const th = randomTheta(layout, new Rng(6));
    const g = new Float64Array(layout.size);
    const fHat = lik.evaluateProfiled(th, g);
    // The full objective (penalty included) is stationary in the mean at β̂ ...
    const gFull = new Float64Array(layout.size);
    assertClose(lik.evaluate(th, gFull), fHat, 1e-12, 1e-12, 'profiled value');
    for (let a = 0; a < layout.numMean; a++)
      assertClose(gFull[layout.iMean + a] as number, 0, 1e-8, 1e-8, `d/d beta_${a}`);
    // ... and maximal there.
    for (let a = 0; a < layout.numMean; a++) {
      for (const h of [1e-3, -1e-3]) {
        const t = Float64Array.from(th);
        t[layout.iMean + a] = (t[layout.iMean + a] as number) + h;
        assert.ok(lik.evaluate(t, new Float64Array(layout.size)) < fHat);
      }
    }
    const f = (t: Float64Array): number =>
      lik.evaluateProfiled(Float64Array.from(t), new Float64Array(layout.size));
    for (let i = 0; i < layout.iMean; i++) {
      assertClose(g[i] as number, centralDiff(f, th, i, 1e-5), 1e-5, 1e-6, layout.name(i));
    }
  });

  it('a coefficient prior shrinks its profiled estimate toward 0; precision 0 is the flat fit', () => {
    const flat = setup({ ...(configs[3] as Config), mean: { kind: 'linear', dims: [1, 2] } });
    const th = randomTheta(flat.layout, new Rng(6));
    const beta = (precision: number[]): Float64Array => {
      const { lik, layout } = setup({
        ...(configs[3] as Config),
        mean: { kind: 'linear', dims: [1, 2], precision },
      });
      const t = Float64Array.from(th);
      lik.evaluateProfiled(t, new Float64Array(layout.size));
      return t.subarray(layout.iMean);
    };
    const b0 = beta([0, 0]);
    const t0 = Float64Array.from(th);
    flat.lik.evaluateProfiled(t0, new Float64Array(flat.layout.size));
    assert.deepEqual([...b0], [...t0.subarray(flat.layout.iMean)]);
    assert.ok(Math.abs(b0[2] as number) > 1e-3, 'the toy data have a slope in dim 2');
    const bHuge = beta([0, 1e12]);
    assert.ok(Math.abs(bHuge[2] as number) < 1e-9, `b_2 = ${bHuge[2]} under precision 1e12`);
    assert.ok(Math.abs(beta([0, 3])[2] as number) < Math.abs(b0[2] as number));
  });

  it('returns −Infinity (never NaN) when K cannot be factorised', () => {
    const { lik, layout } = setup(configs[1] as Config);
    const th = randomTheta(layout, new Rng(1));
    th[layout.iScale] = Number.NaN;
    const g = new Float64Array(layout.size).fill(7);
    assert.equal(lik.evaluate(th, g), Number.NEGATIVE_INFINITY);
    assert.ok(g.every((v) => v === 0));
  });

  it('without the pair-distance cache (large n) gives bit-identical values and gradients', () => {
    for (const cfg of configs) {
      const rng = new Rng(8);
      const a = setup(cfg);
      const th = randomTheta(a.layout, rng);
      const ga = new Float64Array(a.layout.size);
      const fa = a.lik.evaluate(th, ga);
      const b = setup(cfg, 25, 0);
      const gb = new Float64Array(b.layout.size);
      assert.equal(b.lik.evaluate(th, gb), fa);
      assert.deepEqual(gb, ga);
      // The profiled objective keeps the product kernels' pair factors for the gradient.
      const [ta, tb] = [Float64Array.from(th), Float64Array.from(th)];
      const [pa, pb] = [new Float64Array(a.layout.size), new Float64Array(b.layout.size)];
      assert.equal(b.lik.evaluateProfiled(tb, pb), a.lik.evaluateProfiled(ta, pa));
      assert.deepEqual(pb, pa);
      assert.deepEqual(tb, ta);
    }
  });
});
