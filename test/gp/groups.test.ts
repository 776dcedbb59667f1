// Group offsets (GPOptions.groups): observations of one group share a random offset of learned
// variance v_g that is noise, not signal. Checked against the dense formula, a closed-form
// posterior, finite differences and a fit on data with known offsets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HyperLayout } from '../../src/gp/hyperparameters.ts';
import { Kernel } from '../../src/gp/kernel.ts';
import { groupPredecessors, MarginalLikelihood } from '../../src/gp/likelihood.ts';
import {
  conditionGP,
  fitGP,
  type GPHyperparameters,
  type GPOptions,
  type KernelSpec,
  Rng,
} from '../internals.ts';
import { assertClose, centralDiff, toyData } from './helpers.ts';

const d = 2;
const spec: KernelSpec = {
  kind: 'product',
  terms: [
    { kind: 'matern52', dims: [0] },
    { kind: 'rbf', dims: [1] },
  ],
};

/** Hyper-parameters with lengthscales 0.3, no mean, output scale s, noise σ² and offsets v_g. */
function oneGroupHyper(s: number, noise: number, vg: number): GPHyperparameters {
  return {
    lengthscales: [
      { kind: 'matern52', dims: [0], values: [0.3] },
      { kind: 'rbf', dims: [1], values: [0.3] },
    ],
    outputScale: s,
    noise,
    groupNoise: vg,
    mean: [],
  };
}

/** Labels: 5 groups of 4 points, then 2 ungrouped points. */
function labels(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => (i >= n - 2 ? -1 : Math.floor(i / 4)));
}

/** Solves A x = b by Gaussian elimination (dense, independent of the library's Cholesky). */
function solve(A: number[][], b: number[]): { x: number[]; logDet: number } {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i] as number]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    const piv = (M[c] as number[])[c] as number;
    logDet += Math.log(piv);
    for (let i = c + 1; i < n; i++) {
      const f = ((M[i] as number[])[c] as number) / piv;
      for (let j = c; j <= n; j++)
        (M[i] as number[])[j] =
          ((M[i] as number[])[j] as number) - f * ((M[c] as number[])[j] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let v = (M[i] as number[])[n] as number;
    for (let j = i + 1; j < n; j++) v -= ((M[i] as number[])[j] as number) * (x[j] as number);
    x[i] = v / ((M[i] as number[])[i] as number);
  }
  return { x, logDet };
}

/**
 * Checks `lik` at θ against the dense log marginal likelihood with K_ij = entry(i, j) and
 * residuals r (independent Gaussian elimination), and its gradient against central differences.
 */
function checkAgainstDense(
  lik: MarginalLikelihood,
  layout: HyperLayout,
  th: Float64Array,
  entry: (i: number, j: number) => number,
  r: number[],
): void {
  const n = r.length;
  const K = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => entry(i, j)));
  const { x, logDet } = solve(K, r);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += r[i]! * x[i]!;
  const expected = -0.5 * quad - 0.5 * logDet - 0.5 * n * Math.log(2 * Math.PI);
  assertClose(lik.factorize(th).lml, expected, 1e-10, 1e-10, 'lml');
  const grad = new Float64Array(layout.size);
  lik.evaluate(th, grad);
  const f = (t: Float64Array): number => lik.evaluate(t, new Float64Array(layout.size));
  for (let i = 0; i < layout.size; i++) {
    assertClose(grad[i]!, centralDiff(f, th, i, 1e-5), 1e-5, 1e-6, layout.name(i));
  }
}

describe('GP group offsets', () => {
  it('groupPredecessors lists the earlier members of each group', () => {
    const p = groupPredecessors(Int32Array.from([0, 1, 0, -1, 0, 1]), 6);
    assert.deepEqual(
      p.map((a) => [...a]),
      [[], [], [0], [], [0, 2], [1]],
    );
  });

  it('likelihood: matches the dense formula with v_g G, and its gradient matches differences', () => {
    const n = 22;
    const { X, y } = toyData(3, n, d);
    const kernel = new Kernel(spec, d);
    const layout = new HyperLayout(kernel, 'constant', true, true);
    assert.equal(layout.iGroup, layout.iNoise + 1);
    assert.equal(layout.iMean, layout.iGroup + 1);
    const g = labels(n);
    const z = y.map((v) => v - 3.5);
    const lik = new MarginalLikelihood(
      kernel,
      layout,
      X,
      n,
      z,
      new Float64Array(n),
      0,
      undefined,
      g,
    );
    const th = new Float64Array(layout.size);
    th[0] = Math.log(0.4);
    th[1] = Math.log(0.7);
    th[layout.iScale] = Math.log(0.8);
    th[layout.iNoise] = Math.log(0.02);
    th[layout.iGroup] = Math.log(0.15);
    th[layout.iMean] = 0.1;
    // Dense reference.
    const r = Array.from(z, (v) => v - 0.1);
    checkAgainstDense(
      lik,
      layout,
      th,
      (i, j) =>
        0.8 * kernel.value(X, i * d, X, j * d, [0.4, 0.7]) +
        (g[i]! >= 0 && g[i] === g[j] ? 0.15 : 0) +
        (i === j ? 0.02 : 0),
      r,
    );
  });

  it('group covariate: v_g e^{γ u} per group matches the dense formula; gradient (γ too) matches differences', () => {
    const n = 22;
    const { X, y } = toyData(4, n, d);
    const kernel = new Kernel(spec, d);
    const layout = new HyperLayout(kernel, 'linear', true, true, true);
    assert.equal(layout.iGroupSlope, layout.iGroup + 1);
    assert.equal(layout.iMean, layout.iGroupSlope + 1);
    const g = labels(n);
    const u = Float64Array.from(g, (q) => (q < 0 ? 0 : 0.5 * q - 1));
    const z = y.map((v) => v - 3.5);
    const lik = new MarginalLikelihood(
      kernel,
      layout,
      X,
      n,
      z,
      new Float64Array(n),
      0,
      undefined,
      g,
      u,
    );
    const th = new Float64Array(layout.size);
    th[0] = Math.log(0.5);
    th[1] = Math.log(0.6);
    th[layout.iScale] = Math.log(0.9);
    th[layout.iNoise] = Math.log(0.03);
    th[layout.iGroup] = Math.log(0.1);
    th[layout.iGroupSlope] = 0.7;
    th[layout.iMean] = 0.05;
    th[layout.iMean + 1] = -0.2;
    th[layout.iMean + 2] = 0.1;
    const r = Array.from(z, (v, i) => v - 0.05 + 0.2 * X[i * d]! - 0.1 * X[i * d + 1]!);
    checkAgainstDense(
      lik,
      layout,
      th,
      (i, j) =>
        0.9 * kernel.value(X, i * d, X, j * d, [0.5, 0.6]) +
        (g[i]! >= 0 && g[i] === g[j] ? 0.1 * Math.exp(0.7 * u[i]!) : 0) +
        (i === j ? 0.03 : 0),
      r,
    );
  });

  it('a fit recovers offsets that grow with the covariate (sd 0.05 at u = 0, 0.3 at u = 1)', () => {
    const rng = new Rng(23);
    const G = 40;
    const m = 5;
    const n = G * m;
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    const g = new Int32Array(n);
    const u = new Float64Array(n);
    for (let q = 0; q < G; q++) {
      const uq = q % 2;
      const off = (uq === 0 ? 0.05 : 0.3) * rng.normal();
      const a = rng.uniform();
      for (let t = 0; t < m; t++) {
        const i = q * m + t;
        X[i * d] = a;
        X[i * d + 1] = t / (m - 1);
        y[i] = Math.sin(3 * a) + X[i * d + 1]! + off + 0.01 * rng.normal();
        g[i] = q;
        u[i] = uq;
      }
    }
    const gp = fitGP(X, y, d, {
      kernel: spec,
      mean: 'constant',
      groups: g,
      groupCovariate: u,
      restarts: 2,
    });
    const h = gp.hyperparameters;
    // log(0.3² / 0.05²) = 3.58; 20 groups per level: a loose band.
    assert.ok(h.groupNoiseSlope! > 2.3 && h.groupNoiseSlope! < 4.9, `slope ${h.groupNoiseSlope}`);
    const v0 = h.groupNoise! * h.standardization!.std ** 2;
    assert.ok(v0 > 0.0025 / 3 && v0 < 0.0025 * 3, `v_g(0) ${v0} should be near 0.0025`);
    // The slope's box (groupSlopeBounds): the free optimum is > 0, so a box [-10, 0] stops the
    // fit at 0 and [1, 2] at 2; a reversed or non-finite box is named.
    const boxed = (b: readonly [number, number]) =>
      fitGP(X, y, d, {
        kernel: spec,
        mean: 'constant',
        groups: g,
        groupCovariate: u,
        groupSlopeBounds: b,
        restarts: 2,
      }).hyperparameters.groupNoiseSlope!;
    assert.equal(boxed([-10, 0]), 0);
    assert.equal(boxed([1, 2]), 2);
    for (const bad of [[1, 0], [Number.NaN, 0], [0]] as unknown as [number, number][]) {
      assert.throws(
        () => fitGP(X, y, d, { kernel: spec, groups: g, groupCovariate: u, groupSlopeBounds: bad }),
        /groupSlopeBounds must be \[lower, upper\]/,
      );
    }
    assert.throws(
      () =>
        fitGP(X, y, d, {
          kernel: spec,
          groups: g,
          groupCovariate: [...u].map((v, i) => v + (i % 5 === 4 ? 1 : 0)),
        }),
      /must be the same for every member of a group/,
    );
    assert.throws(
      () => fitGP(X, y, d, { kernel: spec, groupCovariate: u }),
      /groupCovariate needs groups/,
    );
  });

  it('the offset is noise: n points of one group at one input give var f = 1/(1/s + 1/(v_g + σ²/n))', () => {
    const n = 30;
    const s = 1.3;
    const vg = 0.2;
    const noise = 0.05;
    const X = new Float64Array(n * d).fill(0.5);
    const y = Float64Array.from({ length: n }, (_, i) => 1 + 0.1 * Math.sin(i));
    const opts: GPOptions = {
      kernel: spec,
      mean: 'zero',
      standardize: false,
      groups: new Array<number>(n).fill(7),
    };
    const hyper = oneGroupHyper(s, noise, vg);
    const gp = conditionGP(X, y, d, opts, hyper);
    const p = gp.predict(Float64Array.from([0.5, 0.5]));
    const ybar = y.reduce((a, b) => a + b, 0) / n;
    const tau = vg + noise / n;
    assertClose(p.variance[0]!, 1 / (1 / s + 1 / tau), 1e-9, 1e-12, 'variance');
    assertClose(p.mean[0]!, (s / (s + tau)) * ybar, 1e-9, 1e-12, 'mean');
    // Without groups the same points would pin f down to var 1/(1/s + n/σ²).
    const plain = conditionGP(X, y, d, { ...opts, groups: undefined }, hyper);
    assertClose(
      plain.predict(Float64Array.from([0.5, 0.5])).variance[0]!,
      1 / (1 / s + n / noise),
      1e-9,
      1e-12,
      'plain',
    );
  });

  it('groupOffsets: n points of one group at one input give E[e | y] = v_g ybar / (s + v_g + σ²/n)', () => {
    const n = 12;
    const s = 0.7;
    const vg = 0.4;
    const noise = 0.09;
    const X = new Float64Array(n * d).fill(0.25);
    const y = Float64Array.from({ length: n }, (_, i) => 2 + 0.3 * Math.cos(i));
    const hyper = oneGroupHyper(s, noise, vg);
    const opts: GPOptions = { kernel: spec, mean: 'zero', standardize: false };
    const gp = conditionGP(X, y, d, { ...opts, groups: new Array<number>(n).fill(3) }, hyper);
    const ybar = y.reduce((a, b) => a + b, 0) / n;
    const [o, ...rest] = gp.groupOffsets();
    assert.equal(rest.length, 0);
    assert.equal(o?.group, 3);
    assertClose(o!.mean, (vg * ybar) / (s + vg + noise / n), 1e-9, 1e-12, 'offset mean');
    assertClose(o!.sd, Math.sqrt(vg), 1e-12, 1e-15, 'offset prior sd');
    // With a covariate the prior variance is v_g exp(γ u); without groups there is nothing.
    const slope = -0.8;
    const u = 0.5;
    const cov = conditionGP(
      X,
      y,
      d,
      {
        ...opts,
        groups: new Array<number>(n).fill(0),
        groupCovariate: new Array<number>(n).fill(u),
      },
      { ...hyper, groupNoiseSlope: slope },
    );
    const v = vg * Math.exp(slope * u);
    assertClose(cov.groupOffsets()[0]!.sd, Math.sqrt(v), 1e-12, 1e-15, 'covariate sd');
    assertClose(cov.groupOffsets()[0]!.mean, (v * ybar) / (s + v + noise / n), 1e-9, 1e-12, 'mean');
    const { groupNoise: _, ...plain } = hyper;
    assert.deepEqual(conditionGP(X, y, d, opts, plain).groupOffsets(), []);
  });

  it('addObservation joins no group and equals conditioning on the enlarged data', () => {
    const n = 14;
    const { X, y } = toyData(8, n, d);
    const g = labels(n);
    const opts: GPOptions = { kernel: spec, mean: 'constant', groups: g };
    const gp = fitGP(X, y, d, { ...opts, restarts: 2 });
    assert.ok(gp.hyperparameters.groupNoise !== undefined && gp.hyperparameters.groupNoise > 0);
    const x = [0.31, 0.77];
    const more = gp.addObservation(x, 3.2);
    const X2 = new Float64Array((n + 1) * d);
    X2.set(X);
    X2.set(x, n * d);
    const y2 = Float64Array.from([...y, 3.2]);
    const ref = conditionGP(X2, y2, d, { ...opts, groups: [...g, -1] }, gp.hyperparameters);
    const q = Float64Array.from([0.2, 0.4, 0.9, 0.1]);
    const a = more.predict(q);
    const b = ref.predict(q);
    for (let i = 0; i < 2; i++) {
      assertClose(a.mean[i]!, b.mean[i]!, 1e-9, 1e-12, `mean ${i}`);
      assertClose(a.variance[i]!, b.variance[i]!, 1e-8, 1e-12, `variance ${i}`);
    }
  });

  it('a fit recovers shared offsets of known size (and ignores them in predictions)', () => {
    // 30 groups of 6 points on f(x) = sin(3 x0) + x1; offsets sd 0.3, noise sd 0.03.
    const rng = new Rng(17);
    const G = 30;
    const m = 6;
    const n = G * m;
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    const g = new Int32Array(n);
    const truth = (a: number, b: number) => Math.sin(3 * a) + b;
    for (let q = 0; q < G; q++) {
      const off = 0.3 * rng.normal();
      const a = rng.uniform();
      for (let t = 0; t < m; t++) {
        const i = q * m + t;
        const b = t / (m - 1);
        X[i * d] = a;
        X[i * d + 1] = b;
        y[i] = truth(a, b) + off + 0.03 * rng.normal();
        g[i] = q;
      }
    }
    const gp = fitGP(X, y, d, { kernel: spec, mean: 'constant', groups: g, restarts: 2 });
    const h = gp.hyperparameters;
    const sd2 = h.standardization!.std ** 2;
    const vg = h.groupNoise! * sd2;
    const nv = h.noise * sd2;
    assert.ok(vg > 0.09 / 2 && vg < 0.09 * 2, `v_g ${vg} should be near 0.09`);
    assert.ok(nv > 0.0009 / 3 && nv < 0.0009 * 3, `noise ${nv} should be near 0.0009`);
    // Predictions track the truth, not truth + one group's offset.
    const plain = fitGP(X, y, d, { kernel: spec, mean: 'constant', restarts: 2 });
    let errG = 0;
    let errP = 0;
    const probe = new Rng(3);
    for (let t = 0; t < 50; t++) {
      const x = [probe.uniform(), probe.uniform()];
      const want = truth(x[0]!, x[1]!);
      const pg = gp.predict(Float64Array.from(x));
      const pp = plain.predict(Float64Array.from(x));
      errG += (pg.mean[0]! - want) ** 2;
      errP += (pp.mean[0]! - want) ** 2;
      // The grouped posterior's 99.7% band covers the truth (up to the unknown mean offset).
      assert.ok(Math.abs(pg.mean[0]! - want) < 3 * Math.sqrt(pg.variance[0]!) + 0.15, `x ${x}`);
    }
    assert.ok(errG < errP, `grouped squared error ${errG} should beat ungrouped ${errP}`);
  });

  it('heldOut(block) equals conditioning on the other rows and predicting y at the block', () => {
    const n = 18;
    const { X, y } = toyData(11, n, d);
    const g = labels(n);
    const opts: GPOptions = { kernel: spec, mean: 'linear', groups: g };
    const gp = fitGP(X, y, d, { ...opts, restarts: 2 });
    const h = gp.hyperparameters;
    const block = [4, 5, 6, 7]; // all of group 1
    const out = gp.heldOut(block);
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !block.includes(i));
    const Xr = new Float64Array(keep.length * d);
    keep.forEach((i, q) => {
      Xr.set(X.subarray(i * d, (i + 1) * d), q * d);
    });
    const rest = conditionGP(
      Xr,
      keep.map((i) => y[i]!),
      d,
      { ...opts, groups: keep.map((i) => g[i]!) },
      h,
    );
    const XB = new Float64Array(block.length * d);
    block.forEach((i, q) => {
      XB.set(X.subarray(i * d, (i + 1) * d), q * d);
    });
    const mu = rest.predict(XB).mean;
    const C = rest.covariance(XB);
    const s2 = h.standardization!.std ** 2;
    const b = block.length;
    for (let p = 0; p < b; p++) {
      assertClose(out.mean[p]!, mu[p]!, 1e-7, 1e-9, `mean ${p}`);
      for (let q = 0; q < b; q++) {
        // The block's shared offset (its group is absent from the rest) and its own noise.
        const want = C[p * b + q]! + h.groupNoise! * s2 + (p === q ? h.noise * s2 : 0);
        assertClose(out.covariance[p * b + q]!, want, 1e-6, 1e-9, `cov ${p},${q}`);
      }
    }
    assert.throws(() => gp.heldOut([1, 1]), /distinct integer/);
    assert.throws(() => gp.heldOut([n]), /distinct integer/);
  });

  it('heldOutBlocks holds out each block on its own, as (K⁻¹)_BB from an explicit inverse', () => {
    const n = 23;
    const { X, y } = toyData(12, n, d);
    const g = labels(n);
    const gp = fitGP(X, y, d, { kernel: spec, mean: 'linear', groups: g, restarts: 2 });
    // Blocks that overlap, out of order, single rows, the first and last rows.
    const blocks = [[4, 5, 6, 7], [6, 2], [0], [22, 21, 20], [13]];
    const got = gp.heldOutBlocks(blocks);
    // Reference: the dense K (standardised units) from the kernel formula, K⁻¹ by Gaussian
    // elimination, then Cov = ((K⁻¹)_BB)⁻¹ by elimination again.
    const h = gp.hyperparameters;
    const kernel = new Kernel(spec, d);
    const ls = Array.from(HyperLayout.channelLengthscales(h));
    const K = Array.from({ length: n }, (_, i) =>
      Array.from(
        { length: n },
        (_, j) =>
          h.outputScale * kernel.value(X, i * d, X, j * d, ls) +
          (g[i]! >= 0 && g[i] === g[j] ? h.groupNoise! : 0) +
          (i === j ? h.noise : 0),
      ),
    );
    const inverse = (A: number[][]) =>
      A.map(
        (_, c) =>
          solve(
            A,
            A.map((_, r) => (r === c ? 1 : 0)),
          ).x,
      );
    const Kinv = inverse(K); // symmetric: row c is column c
    const s2 = h.standardization!.std ** 2;
    blocks.forEach((rows, k) => {
      const out = got[k]!;
      assert.ok(out !== null);
      const b = rows.length;
      const S = inverse(rows.map((r) => rows.map((c) => Kinv[r]![c]!)));
      for (let p = 0; p < b; p++) {
        for (let q = 0; q < b; q++) {
          assertClose(out.covariance[p * b + q]!, S[p]![q]! * s2, 1e-6, 1e-9, `cov ${k}`);
        }
      }
      // The single-block call agrees with the batched one.
      const one = gp.heldOut(rows);
      for (let p = 0; p < b; p++)
        assertClose(one.mean[p]!, out.mean[p]!, 1e-12, 1e-14, `mean ${k}`);
    });
    assert.throws(() => gp.heldOutBlocks([[1], []]), /at least one row/);
  });

  it('rejects malformed labels', () => {
    const { X, y } = toyData(1, 4, d);
    assert.throws(
      () => fitGP(X, y, d, { kernel: spec, groups: [0, 1, 0.5, -1] }),
      /groups\[2\] = 0.5 must be an integer/,
    );
    assert.throws(() => fitGP(X, y, d, { kernel: spec, groups: [0, 1] }), /groups has length 2/);
  });
});
