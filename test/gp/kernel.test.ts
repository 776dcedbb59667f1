import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kernel, type KernelSpec, Rng, ValidationError } from '../internals.ts';
import { assertClose, centralDiff } from './helpers.ts';

const d = 4;
const specs: Record<string, KernelSpec> = {
  'rbf iso': { kind: 'rbf', dims: [0, 1, 2, 3] },
  'rbf ard': { kind: 'rbf', dims: [0, 2, 3], ard: true },
  'matern52 iso': { kind: 'matern52', dims: [1, 3] },
  'matern52 ard': { kind: 'matern52', dims: [0, 1, 2, 3], ard: true },
  product: {
    kind: 'product',
    terms: [
      { kind: 'rbf', dims: [0, 1], ard: true },
      { kind: 'matern52', dims: [2] },
      { kind: 'rbf', dims: [3] },
    ],
  },
  sum: {
    kind: 'sum',
    terms: [
      { kind: 'rbf', dims: [0, 1, 2], ard: true },
      { kind: 'matern52', dims: [2, 3] },
    ],
  },
  'product of sums': {
    kind: 'product',
    terms: [
      {
        kind: 'sum',
        terms: [
          { kind: 'rbf', dims: [0] },
          { kind: 'matern52', dims: [1], ard: true },
        ],
      },
      {
        kind: 'sum',
        terms: [
          { kind: 'rbf', dims: [2, 3], ard: true },
          { kind: 'matern52', dims: [0, 3] },
        ],
      },
    ],
  },
};

/** Independent reference: evaluate the spec tree directly. */
function reference(
  spec: KernelSpec,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  ls: number[],
  pos: { c: number },
): number {
  if (spec.kind === 'product' || spec.kind === 'sum') {
    const vals = spec.terms.map((t) => reference(t, a, b, ls, pos));
    return spec.kind === 'product'
      ? vals.reduce((p, v) => p * v, 1)
      : vals.reduce((p, v) => p + v, 0);
  }
  const leaf = spec as Extract<KernelSpec, { dims: number[] }>;
  let r2 = 0;
  const shared = leaf.ard !== true ? (ls[pos.c++] as number) : 0;
  for (const j of leaf.dims) {
    const l = leaf.ard === true ? (ls[pos.c++] as number) : shared;
    r2 += (((a[j] as number) - (b[j] as number)) / l) ** 2;
  }
  const r = Math.sqrt(r2);
  return leaf.kind === 'rbf'
    ? Math.exp(-0.5 * r2)
    : (1 + Math.sqrt(5) * r + (5 / 3) * r2) * Math.exp(-Math.sqrt(5) * r);
}

describe('Kernel', () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: value matches a direct evaluation; gradients match finite differences`, () => {
      const k = new Kernel(spec, d);
      const rng = new Rng(11);
      for (let trial = 0; trial < 5; trial++) {
        const a = Float64Array.from({ length: d }, () => rng.uniform());
        const b = Float64Array.from({ length: d }, () => rng.uniform());
        const ls = Array.from({ length: k.numLengthscales }, () => 0.2 + rng.uniform());
        const dLs = new Float64Array(k.numLengthscales);
        const dA = new Float64Array(d);
        const v = k.value(a, 0, b, 0, ls, dLs, dA);
        assertClose(v, reference(spec, a, b, ls, { c: 0 }), 1e-13, 1e-15, `${name} value`);
        const logLs = ls.map(Math.log);
        for (let c = 0; c < k.numLengthscales; c++) {
          const fd = centralDiff((t) => k.value(a, 0, b, 0, Array.from(t, Math.exp)), logLs, c);
          assertClose(dLs[c] as number, fd, 1e-6, 1e-9, `${name} d/dlog ls[${c}]`);
        }
        for (let j = 0; j < d; j++) {
          const fd = centralDiff((x) => k.value(x, 0, b, 0, ls), a, j);
          assertClose(dA[j] as number, fd, 1e-6, 1e-9, `${name} d/da[${j}]`);
        }
      }
    });
  }

  it('k(x, x) equals the number of expanded product terms', () => {
    const k = new Kernel(specs['product of sums'] as KernelSpec, d);
    assert.equal(k.diag, 4);
    const x = [0.1, 0.2, 0.3, 0.4];
    assert.equal(k.value(x, 0, x, 0, [1, 1, 1, 1, 1, 1]), 4);
    assert.equal(new Kernel(specs.product as KernelSpec, d).diag, 1);
  });

  it('cross() matches value() entry by entry (sum, mixed product, RBF product)', () => {
    const rbfProduct: KernelSpec = {
      kind: 'product',
      terms: [
        { kind: 'rbf', dims: [0, 1], ard: true },
        { kind: 'rbf', dims: [2, 3] },
      ],
    };
    for (const spec of [specs.sum as KernelSpec, specs.product as KernelSpec, rbfProduct]) {
      const k = new Kernel(spec, d);
      const rng = new Rng(3);
      const A = Float64Array.from({ length: 3 * d }, () => rng.uniform());
      const B = Float64Array.from({ length: 2 * d }, () => rng.uniform());
      const ls = [0.5, 0.7, 0.9, 1.1, 1.3].slice(0, k.numLengthscales);
      const K = k.cross(A, 3, B, 2, ls);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 2; j++) {
          const v = k.value(A, i * d, B, j * d, ls);
          assertClose(K[i * 2 + j] as number, v, 1e-14, 1e-300, `K[${i}][${j}]`);
        }
      }
    }
  });

  it('rejects bad specs with a ValidationError naming the problem', () => {
    assert.throws(() => new Kernel({ kind: 'rbf', dims: [] }, 3), ValidationError);
    assert.throws(
      () => new Kernel({ kind: 'rbf', dims: [3] }, 3),
      /dim 3 is not an integer in \[0, 2\]/,
    );
    assert.throws(() => new Kernel({ kind: 'rbf', dims: [1, 1] }, 3), /appears twice/);
    assert.throws(() => new Kernel({ kind: 'sum', terms: [] }, 3), ValidationError);
    assert.throws(
      () => new Kernel({ kind: 'periodic', dims: [0] } as unknown as KernelSpec, 3),
      /unknown kind "periodic"/,
    );
  });
});
