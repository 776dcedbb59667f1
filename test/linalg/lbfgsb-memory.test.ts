import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LbfgsMemory } from '../../src/linalg/lbfgsb-memory.ts';
import { compactB, denseBfgs, fillMemory, lcg, maxAbsDiff } from './lbfgsb-helpers.ts';

describe('L-BFGS memory (compact representation)', () => {
  it('compact matrix θI − WMWᵀ equals the dense BFGS recursion (incl. after the memory wraps)', () => {
    const n = 7;
    for (const [m, count] of [
      [5, 3],
      [4, 9],
    ] as const) {
      const mem = new LbfgsMemory(n, m);
      const pairs = fillMemory(mem, count, lcg(11 + count));
      const kept = pairs.slice(-m);
      const [sLast, yLast] = kept[kept.length - 1]!;
      let sty = 0;
      let yty = 0;
      for (let i = 0; i < n; i++) {
        sty += sLast[i]! * yLast[i]!;
        yty += yLast[i]! ** 2;
      }
      assert.equal(mem.col, Math.min(m, count));
      assert.equal(mem.theta, yty / sty);
      const ref = denseBfgs(n, mem.theta, kept);
      const B = compactB(mem);
      const scale = Math.max(...Array.from(ref, Math.abs));
      assert.ok(maxAbsDiff(B, ref) <= 1e-10 * scale, `max diff ${maxAbsDiff(B, ref)}`);
      // Secant condition on the newest pair: B s = y.
      const bs = new Float64Array(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) bs[i] = bs[i]! + B[i * n + j]! * sLast[j]!;
      assert.ok(maxAbsDiff(bs, yLast) <= 1e-9 * scale);
    }
  });

  it('subspace step solves the reduced Newton system ZᵀBZ d = −r', () => {
    const n = 9;
    const mem = new LbfgsMemory(n, 4);
    fillMemory(mem, 6, lcg(5));
    const B = compactB(mem);
    const freeIdx = [0, 2, 3, 6, 8];
    const free = Int32Array.from(freeIdx);
    const isFree = new Uint8Array(n);
    for (const i of freeIdx) isFree[i] = 1;
    const rnd = lcg(99);
    const r = Float64Array.from({ length: freeIdx.length }, rnd);
    const d = new Float64Array(freeIdx.length);
    assert.ok(mem.subspaceStep(free, freeIdx.length, isFree, r, d));
    for (let a = 0; a < freeIdx.length; a++) {
      let v = 0;
      for (let b = 0; b < freeIdx.length; b++) v += B[freeIdx[a]! * n + freeIdx[b]!]! * d[b]!;
      assert.ok(
        Math.abs(v + r[a]!) <= 1e-10 * (1 + Math.abs(r[a]!)),
        `row ${a}: ${v} vs ${-r[a]!}`,
      );
    }
  });
});
