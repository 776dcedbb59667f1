// Objectives over the mixture at a fixed fidelity (src/acquisition/gp-objectives.ts),
// checked on a one-observation GP whose posterior is known in closed form:
// value = logEI(mu(x), sqrt(C(x, x)), best) or -mu(x) with x = [w, s, t],
// gradients against central differences.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  logEiObjective,
  logExpectedImprovement,
  type MixtureProduct,
  negativeMeanObjective,
} from '../../src/acquisition/index.ts';
import { centralDiff } from '../gp/helpers.ts';
import { onePointGp } from '../optimizers/mfms/one-point-gp.ts';

// k = 3 mixture weights, then size s and steps t
const x0 = [0.6, 0.3, 0.1, 0.5, 0.4];
const one = onePointGp({ s: 1.5, l: 0.4, v: 0.01, x0, y0: 2 });
const template = [9, 9, 9, 0.5, 0.7]; // the first k entries are ignored
const points = [
  [0.2, 0.3, 0.5],
  [0.6, 0.3, 0.1],
  [0.05, 0.9, 0.05],
];

describe('logEiObjective', () => {
  const best = 1.2;
  const f = logEiObjective(one.gp, template, 3, best);

  it('is logEI of the closed-form posterior at [w, s, t]', () => {
    for (const w of points) {
      const x = [...w, 0.5, 0.7];
      const want = logExpectedImprovement(one.mu(x), Math.sqrt(one.C(x, x)), best).value;
      const got = f(Float64Array.from(w), new Float64Array(3));
      assert.ok(Math.abs(got - want) < 1e-9, `${w}: ${got} vs ${want}`);
    }
  });

  it('writes the gradient in w (the first k entries only)', () => {
    for (const w of points) {
      const grad = new Float64Array(3);
      f(Float64Array.from(w), grad);
      for (let i = 0; i < 3; i++) {
        const fd = centralDiff((u) => f(u, new Float64Array(3)), w, i, 1e-6);
        assert.ok(
          Math.abs(grad[i]! - fd) < 1e-6 * (1 + Math.abs(fd)),
          `${w}[${i}]: ${grad[i]} vs ${fd}`,
        );
      }
    }
  });

  it('stays finite with a finite gradient where EI itself underflows (log space)', () => {
    const far = logEiObjective(one.gp, template, 3, -80);
    const grad = new Float64Array(3);
    const v = far(Float64Array.from(points[0]!), grad);
    const x = [...points[0]!, 0.5, 0.7];
    assert.ok(Number.isFinite(v) && v < -1000, `${v}`);
    assert.equal(Math.exp(v), 0, 'EI itself is 0 in double precision');
    assert.ok(
      Math.abs(v - logExpectedImprovement(one.mu(x), Math.sqrt(one.C(x, x)), -80).value) < 1e-9,
    );
    for (let i = 0; i < 3; i++) {
      const fd = centralDiff((u) => far(u, new Float64Array(3)), points[0]!, i, 1e-6);
      assert.ok(Math.abs(grad[i]! - fd) < 1e-5 * (1 + Math.abs(fd)), `[${i}]: ${grad[i]} vs ${fd}`);
    }
  });
});

describe('negativeMeanObjective', () => {
  const f = negativeMeanObjective(one.gp, template, 3);

  it('is -mu(x) with gradient -dmu/dw', () => {
    for (const w of points) {
      const x = [...w, 0.5, 0.7];
      const grad = new Float64Array(3);
      const got = f(Float64Array.from(w), grad);
      assert.ok(Math.abs(got + one.mu(x)) < 1e-12, `${got} vs ${-one.mu(x)}`);
      for (let i = 0; i < 3; i++) {
        const fd = centralDiff((u) => -one.mu([...u, 0.5, 0.7]), w, i, 1e-6);
        assert.ok(Math.abs(grad[i]! - fd) < 1e-7, `${grad[i]} vs ${fd}`);
      }
    }
  });
});

describe('columns that are a weight times a factor of the fidelity (products)', () => {
  // x = [w1, w2, w3, s, t, w1 f, w2 f] with f = s - s* = -0.4: a prior mean's mixture x size
  // columns. The objectives set them from w, and their gradient in w goes through them.
  const f = -0.4;
  const products: MixtureProduct[] = [
    { col: 5, dim: 0, factor: f },
    { col: 6, dim: 1, factor: f },
  ];
  const seven = onePointGp({ s: 1.5, l: 0.5, v: 0.01, x0: [...x0, 0.2, -0.1], y0: 2 });
  const tpl = [9, 9, 9, 0.5, 0.7, 9, 9]; // w and the product columns are set by the objective
  const at = (w: ArrayLike<number>) => [w[0]!, w[1]!, w[2]!, 0.5, 0.7, w[0]! * f, w[1]! * f];

  it('negativeMeanObjective: -mu at the full input, gradient by central differences in w', () => {
    const obj = negativeMeanObjective(seven.gp, tpl, 3, products);
    for (const w of points) {
      const grad = new Float64Array(3);
      const got = obj(Float64Array.from(w), grad);
      assert.ok(Math.abs(got + seven.mu(at(w))) < 1e-12, `${got} vs ${-seven.mu(at(w))}`);
      for (let i = 0; i < 3; i++) {
        const fd = centralDiff((u) => -seven.mu(at(u)), w, i, 1e-6);
        assert.ok(Math.abs(grad[i]! - fd) < 1e-7, `${w}[${i}]: ${grad[i]} vs ${fd}`);
      }
    }
  });

  it('logEiObjective: logEI at the full input, gradient by central differences in w', () => {
    const obj = logEiObjective(seven.gp, tpl, 3, 1.2, products);
    const ei = (w: ArrayLike<number>) =>
      logExpectedImprovement(seven.mu(at(w)), Math.sqrt(seven.C(at(w), at(w))), 1.2).value;
    for (const w of points) {
      const grad = new Float64Array(3);
      const got = obj(Float64Array.from(w), grad);
      assert.ok(Math.abs(got - ei(w)) < 1e-9, `${got} vs ${ei(w)}`);
      for (let i = 0; i < 3; i++) {
        const fd = centralDiff(ei, w, i, 1e-6);
        assert.ok(Math.abs(grad[i]! - fd) < 1e-6 * (1 + Math.abs(fd)), `${grad[i]} vs ${fd}`);
      }
    }
    // Products of two weights (w1 w2, w2^2): the chain rule through both factors.
    const quad: MixtureProduct[] = [
      { col: 5, dim: 0, dim2: 1, factor: 1 },
      { col: 6, dim: 1, dim2: 1, factor: 1 },
    ];
    const atQ = (w: ArrayLike<number>) => [
      w[0]!,
      w[1]!,
      w[2]!,
      0.5,
      0.7,
      w[0]! * w[1]!,
      w[1]! ** 2,
    ];
    const mq = negativeMeanObjective(seven.gp, tpl, 3, quad);
    for (const w of points) {
      const grad = new Float64Array(3);
      assert.ok(Math.abs(mq(Float64Array.from(w), grad) + seven.mu(atQ(w))) < 1e-12);
      for (let i = 0; i < 3; i++) {
        const fd = centralDiff((u) => -seven.mu(atQ(u)), w, i, 1e-6);
        assert.ok(Math.abs(grad[i]! - fd) < 1e-7, `quadratic ${w}[${i}]: ${grad[i]} vs ${fd}`);
      }
    }
    // Without the products the columns keep the template's values: a different function.
    const plain = logEiObjective(seven.gp, tpl, 3, 1.2);
    assert.notEqual(plain(Float64Array.from(points[0]!), new Float64Array(3)), ei(points[0]!));
  });
});
