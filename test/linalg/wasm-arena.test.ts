import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumericsError, Rng, ValidationError } from '../../src/core/index.ts';
import {
  cholesky,
  cholInverse,
  cholSolve,
  FactorSolver,
  matmul,
  solveLower,
  solveLowerRows,
  solveLowerTranspose,
  transpose,
} from '../../src/linalg/index.ts';
import {
  initWasm,
  wasmAvailable,
  wasmBuffer,
  withWasmArrays,
} from '../../src/linalg/wasm-arena.ts';

function randomSpd(n: number, rng: Rng): Float64Array {
  const X = new Float64Array(n * n).map(() => rng.normal());
  const A = matmul(X, transpose(X, n, n), n, n, n);
  for (let i = 0; i < n * n; i++) A[i] = (A[i] as number) / n;
  for (let i = 0; i < n; i++) A[i * n + i] = (A[i * n + i] as number) + 0.5;
  return A;
}

/** Runs f with the SIMD kernel off (every tile in the scalar loop), then restores the switch. */
function scalar<T>(f: () => T): T {
  const was = initWasm();
  initWasm({ enabled: false });
  try {
    return f();
  } finally {
    initWasm({ enabled: was });
  }
}

describe('wasm SIMD tile kernel', () => {
  it('compiles on this Node', () => {
    assert.equal(wasmAvailable(), true);
  });

  it('leaves cholesky, cholInverse and the solves bit-identical to the scalar path', () => {
    const rng = new Rng(3);
    for (const n of [5, 64, 131]) {
      const A = randomSpd(n, rng);
      const B = Float64Array.from({ length: n * 6 }, () => rng.normal());
      const fast = cholesky(A, n).L;
      const slow = scalar(() => cholesky(A, n).L);
      assert.deepEqual(Array.from(fast), Array.from(slow), `cholesky n=${n}`);
      assert.equal(fast.buffer === wasmBuffer(), false, 'the factor is copied out');
      assert.deepEqual(
        Array.from(cholInverse(fast, n)),
        Array.from(scalar(() => cholInverse(fast, n))),
        `cholInverse n=${n}`,
      );
      assert.deepEqual(
        Array.from(cholSolve(fast, n, B, 6)),
        Array.from(scalar(() => cholSolve(fast, n, B, 6))),
        `cholSolve n=${n}`,
      );
      const R = Float64Array.from({ length: 5 * n }, () => rng.normal());
      assert.deepEqual(
        Array.from(solveLowerRows(fast, n, R, 5)),
        Array.from(scalar(() => solveLowerRows(fast, n, R, 5))),
        `solveLowerRows n=${n}`,
      );
    }
  });

  it('grows the memory for large problems and falls back to plain arrays when nested growth would detach live views', () => {
    const n = 300;
    withWasmArrays([16], ([outer]) => {
      const o = outer as Float64Array;
      o.fill(2);
      // More numbers than the memory holds: it would have to grow, so plain arrays, outer intact.
      const have = (wasmBuffer() as ArrayBufferLike).byteLength / 8;
      withWasmArrays([have + 1], ([inner]) => {
        assert.notEqual((inner as Float64Array).buffer, wasmBuffer());
      });
      assert.deepEqual(Array.from(o), new Array(16).fill(2));
    });
    const A = randomSpd(n, new Rng(11));
    const { L } = cholesky(A, n);
    assert.deepEqual(Array.from(L), Array.from(scalar(() => cholesky(A, n).L)));
  });

  it('frees the arena when the callback throws', () => {
    const before = withWasmArrays([1], ([a]) => (a as Float64Array).byteOffset);
    assert.throws(() =>
      withWasmArrays([1000], () => {
        throw new Error('boom');
      }),
    );
    const after = withWasmArrays([1], ([a]) => (a as Float64Array).byteOffset);
    assert.equal(after, before);
  });
});

describe('FactorSolver (factor resident in the wasm memory)', () => {
  it('solves bit-identically to solveLower / solveLowerTranspose, across owners and sizes', () => {
    const rng = new Rng(5);
    const make = (n: number) => {
      const L = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) L[i * n + j] = 0.3 * rng.normal();
        L[i * n + i] = 1 + rng.uniform();
      }
      return L;
    };
    const sizes = [8, 9, 10, 11, 67, 130];
    const Ls = sizes.map(make);
    const solvers = sizes.map((n, i) => new FactorSolver(Ls[i] as Float64Array, n));
    // Interleaved owners: the slot is displaced and refilled.
    for (let round = 0; round < 2; round++) {
      sizes.forEach((n, i) => {
        const L = Ls[i] as Float64Array;
        const b = Float64Array.from({ length: n }, (_, j) => (j % 7 === 3 ? 0 : rng.normal()));
        const f = (solvers[i] as FactorSolver).forward(b);
        const g = (solvers[i] as FactorSolver).backward(b);
        assert.deepEqual(Array.from(f), Array.from(solveLower(L, n, b, 1)), `forward n=${n}`);
        assert.deepEqual(
          Array.from(g),
          Array.from(solveLowerTranspose(L, n, b, 1)),
          `backward n=${n}`,
        );
        assert.notEqual(f.buffer, wasmBuffer(), 'results are copied out');
      });
    }
    // Rows (the batch predictions): the same as solveLowerRows, for 1..6 rows, owners interleaved.
    for (const m of [1, 3, 6]) {
      sizes.forEach((n, i) => {
        const L = Ls[i] as Float64Array;
        const B = Float64Array.from({ length: m * n }, () => rng.normal());
        assert.deepEqual(
          Array.from((solvers[i] as FactorSolver).rows(B, m)),
          Array.from(solveLowerRows(L, n, B, m)),
          `rows m=${m} n=${n}`,
        );
      });
    }
    // Rows with leading zeros and their leads: the work before a lead is skipped, the results
    // are the same as without the leads (only exact zeros drop out of the sums).
    for (const m of [1, 5, 9]) {
      sizes.forEach((n, i) => {
        const L = Ls[i] as Float64Array;
        const lead = Array.from({ length: m }, () => Math.floor(rng.uniform() * n)).sort(
          (a, b) => a - b,
        );
        const B = new Float64Array(m * n);
        lead.forEach((l, r) => {
          for (let j = l; j < n; j++) B[r * n + j] = rng.normal();
        });
        const got = (solvers[i] as FactorSolver).rows(B, m, lead);
        assert.deepEqual(
          Array.from(got),
          Array.from(solveLowerRows(L, n, B, m)),
          `lead m=${m} n=${n}`,
        );
        // A solution is zero before its lead too.
        lead.forEach((l, r) => {
          for (let j = 0; j < l; j++) assert.equal(got[r * n + j], 0, `zero before lead, row ${r}`);
        });
      });
    }
    const s = solvers[0] as FactorSolver;
    assert.throws(() => s.rows(new Float64Array(16), 2, [0]), /lead has length 1, expected m = 2/);
    assert.throws(() => s.forward(new Float64Array(3)), ValidationError);
    assert.throws(() => new FactorSolver(new Float64Array(4), 2), NumericsError);
  });
});
