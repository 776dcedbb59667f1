import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/index.ts';
import { TILE, tile4x4 } from '../../src/linalg/tile-kernel.ts';
import { wasmBuffer, withWasmArrays } from '../../src/linalg/wasm-arena.ts';

describe('tile4x4 (the 4×4 micro-kernel)', () => {
  it('TILE_ab = Σ_{k0 ≤ k < k1} X[r_a + k]·Y[q_b + k]: constant rows give (a + 1)(b + 1)(k1 − k0)', () => {
    const m = 9;
    // Row a of X is all a + 1, row b of Y all 10·(b + 1); rows stored in reverse to test offsets.
    const X = Float64Array.from({ length: 4 * m }, (_, i) => 4 - Math.floor(i / m));
    const Y = Float64Array.from({ length: 4 * m }, (_, i) => 10 * (4 - Math.floor(i / m)));
    const rows = [3 * m, 2 * m, m, 0] as const;
    tile4x4(X, ...rows, Y, ...rows, 2, 7);
    const want = Array.from(
      { length: 16 },
      (_, i) => (Math.floor(i / 4) + 1) * 10 * ((i % 4) + 1) * 5,
    );
    assert.deepEqual(Array.from(TILE), want);
  });

  it('an empty k range gives zeros (overwriting the last result), and aliased rows repeat', () => {
    const X = Float64Array.from([1, 2, 3, 4, 5, 6]);
    tile4x4(X, 0, 0, 0, 0, X, 0, 0, 0, 0, 0, 6);
    assert.deepEqual(Array.from(TILE), new Array(16).fill(91));
    tile4x4(X, 0, 1, 2, 3, X, 0, 1, 2, 3, 4, 4);
    assert.deepEqual(Array.from(TILE), new Array(16).fill(0));
    // Offsets shift the rows: row b of Y starts at b, so TILE_0b = X[1]·X[b + 1] + X[2]·X[b + 2].
    tile4x4(X, 0, 0, 0, 0, X, 0, 1, 2, 3, 1, 3);
    assert.deepEqual(Array.from(TILE.subarray(0, 4)), [
      2 * 2 + 3 * 3,
      2 * 3 + 3 * 4,
      2 * 4 + 3 * 5,
      2 * 5 + 3 * 6,
    ]);
  });

  it('gives bit-identical tiles to the scalar loop, for any k range and aliased rows', () => {
    const rng = new Rng(7);
    const n = 37;
    const data = Array.from({ length: n * n }, () => rng.normal() * 10 ** rng.int(6));
    withWasmArrays([n * n], ([W]) => {
      const Wm = W as Float64Array;
      Wm.set(data);
      assert.equal(Wm.buffer, wasmBuffer(), 'the view lives in the wasm memory');
      const J = Float64Array.from(data);
      for (let t = 0; t < 200; t++) {
        const r = [0, 1, 2, 3].map(() => rng.int(n) * n);
        const q = [0, 1, 2, 3].map(() => rng.int(n) * n);
        const k0 = rng.int(n);
        const k1 = k0 + rng.int(n - k0 + 1);
        const args = [r[0], r[1], r[2], r[3]] as [number, number, number, number];
        const brgs = [q[0], q[1], q[2], q[3]] as [number, number, number, number];
        tile4x4(J, ...args, J, ...brgs, k0, k1);
        const js = Float64Array.from(TILE);
        tile4x4(Wm, ...args, Wm, ...brgs, k0, k1);
        assert.deepEqual(Array.from(TILE), Array.from(js), `tile ${t} (k ${k0}..${k1})`);
        // One entry against a plain dot product in the same order.
        let s = 0;
        for (let k = k0; k < k1; k++) s += (J[args[1] + k] as number) * (J[brgs[2] + k] as number);
        assert.equal(TILE[6], s);
      }
    });
  });

  it('two different wasm views (X and Y at different offsets) give the scalar loop bit for bit', () => {
    const rng = new Rng(19);
    const n = 23;
    const xs = Array.from({ length: n * n }, () => rng.normal());
    const ys = Array.from({ length: n * n }, () => rng.normal() * 1e3);
    withWasmArrays([7, n * n, n * n], ([, Xw, Yw]) => {
      const Xv = Xw as Float64Array;
      const Yv = Yw as Float64Array;
      Xv.set(xs);
      Yv.set(ys);
      assert.equal(Yv.buffer, wasmBuffer());
      assert.notEqual(Xv.byteOffset, Yv.byteOffset);
      const Xj = Float64Array.from(xs);
      const Yj = Float64Array.from(ys);
      for (let t = 0; t < 50; t++) {
        const r = [0, 1, 2, 3].map(() => rng.int(n) * n) as [number, number, number, number];
        const q = [0, 1, 2, 3].map(() => rng.int(n) * n) as [number, number, number, number];
        const k0 = rng.int(n);
        const k1 = k0 + rng.int(n - k0 + 1);
        tile4x4(Xj, ...r, Yj, ...q, k0, k1);
        const js = Array.from(TILE);
        tile4x4(Xv, ...r, Yv, ...q, k0, k1);
        assert.deepEqual(Array.from(TILE), js, `tile ${t}`);
      }
    });
  });
});
