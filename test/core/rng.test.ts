import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, ValidationError } from '../internals.ts';

describe('Rng', () => {
  it('same seed gives bit-identical draws', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 50; i++) {
      assert.equal(a.uniform(), b.uniform());
      assert.equal(a.normal(), b.normal());
      assert.equal(a.gamma(0.3), b.gamma(0.3));
    }
    assert.deepEqual(a.dirichlet(1, 5), b.dirichlet(1, 5));
  });

  it('different seeds differ, including seeds beyond 32 bits', () => {
    assert.notEqual(new Rng(1).uniform(), new Rng(2).uniform());
    assert.notEqual(new Rng(1).uniform(), new Rng(1 + 2 ** 32).uniform());
  });

  it('fork streams do not depend on how much the parent drew', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    b.uniform();
    b.normal();
    assert.equal(a.fork('gp').uniform(), b.fork('gp').uniform());
    assert.notEqual(a.fork('gp').uniform(), a.fork('acq').uniform());
    assert.notEqual(a.fork(1).uniform(), a.fork('1').uniform());
  });

  it('state round-trips through JSON', () => {
    const a = new Rng(11);
    a.normal(); // leaves a cached spare
    const s = JSON.parse(JSON.stringify(a.getState()));
    const b = Rng.fromState(s);
    for (let i = 0; i < 10; i++) assert.equal(a.normal(), b.normal());
  });

  it('uniform moments and range', () => {
    const r = new Rng(5);
    let m = 0;
    let lo = 1;
    let hi = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      m += u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    assert.ok(lo >= 0 && hi < 1);
    assert.ok(Math.abs(m / n - 0.5) < 4 * Math.sqrt(1 / 12 / n));
  });

  it('normal has mean 0 and variance 1', () => {
    const r = new Rng(9);
    const n = 200_000;
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      m += x;
      v += x * x;
    }
    m /= n;
    v = v / n - m * m;
    assert.ok(Math.abs(m) < 5 / Math.sqrt(n), `mean ${m}`);
    assert.ok(Math.abs(v - 1) < 5 * Math.sqrt(2 / n), `var ${v}`);
  });

  for (const shape of [0.2, 1, 3.5]) {
    it(`gamma(${shape}) has mean = var = shape`, () => {
      const r = new Rng(13);
      const n = 200_000;
      let m = 0;
      let v = 0;
      for (let i = 0; i < n; i++) {
        const x = r.gamma(shape);
        assert.ok(x >= 0);
        m += x;
        v += x * x;
      }
      m /= n;
      v = v / n - m * m;
      // sd of the sample mean is sqrt(shape / n); of the variance, about sqrt((6 shape + 2 shape^2)/n)... use loose 5 sigma
      assert.ok(Math.abs(m - shape) < 5 * Math.sqrt(shape / n), `mean ${m}`);
      assert.ok(
        Math.abs(v - shape) < 5 * Math.sqrt((6 * shape + 2 * shape * shape) / n),
        `var ${v}`,
      );
    });
  }

  it('dirichlet lies on the simplex with the right mean', () => {
    const r = new Rng(17);
    const alpha = [0.5, 1, 2, 4];
    const s = alpha.reduce((a, b) => a + b, 0);
    const mean = [0, 0, 0, 0];
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const w = r.dirichlet(alpha);
      let t = 0;
      for (let j = 0; j < 4; j++) {
        const wj = w[j] as number;
        assert.ok(wj >= 0);
        t += wj;
        mean[j] = (mean[j] as number) + wj / n;
      }
      assert.ok(Math.abs(t - 1) < 1e-12);
    }
    for (let j = 0; j < 4; j++) {
      const a = alpha[j] as number;
      const sd = Math.sqrt((a * (s - a)) / (s * s * (s + 1)) / n);
      assert.ok(Math.abs((mean[j] as number) - a / s) < 5 * sd);
    }
  });

  it('rejects bad parameters with ValidationError', () => {
    assert.throws(() => new Rng(1.5), ValidationError);
    assert.throws(() => new Rng(1).gamma(0), ValidationError);
    assert.throws(() => new Rng(1).gamma(Number.NaN), ValidationError);
    assert.throws(() => new Rng(1).dirichlet([1, -1]), ValidationError);
    assert.throws(() => new Rng(1).int(0), ValidationError);
  });
});
