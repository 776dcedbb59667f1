// Shared by the tests of the L-BFGS-B building blocks: an independent dense BFGS reference and
// small deterministic data.
import assert from 'node:assert/strict';
import type { LbfgsMemory } from '../../src/linalg/lbfgsb-memory.ts';

/** max_i |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** A small deterministic generator (tests only): xorshift-style LCG in [−1, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** Dense BFGS recursion B ← B − BssᵀB/(sᵀBs) + yyᵀ/(yᵀs) from B₀ = θI (independent reference). */
export function denseBfgs(
  n: number,
  theta: number,
  pairs: [Float64Array, Float64Array][],
): Float64Array {
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) B[i * n + i] = theta;
  for (const [s, y] of pairs) {
    const bs = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bs[i] = bs[i]! + B[i * n + j]! * s[j]!;
    let sbs = 0;
    let ys = 0;
    for (let i = 0; i < n; i++) {
      sbs += s[i]! * bs[i]!;
      ys += y[i]! * s[i]!;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        B[i * n + j] = B[i * n + j]! - (bs[i]! * bs[j]!) / sbs + (y[i]! * y[j]!) / ys;
      }
    }
  }
  return B;
}

/** B from the compact representation: column i = θ eᵢ − W M wᵢ. */
export function compactB(mem: LbfgsMemory): Float64Array {
  const n = mem.n;
  const k2 = 2 * mem.col;
  const B = new Float64Array(n * n);
  const wi = new Float64Array(k2);
  const mw = new Float64Array(k2);
  const wj = new Float64Array(k2);
  for (let i = 0; i < n; i++) {
    mem.row(i, wi);
    mem.applyM(wi, mw);
    for (let j = 0; j < n; j++) {
      mem.row(j, wj);
      let v = 0;
      for (let p = 0; p < k2; p++) v += wj[p]! * mw[p]!;
      B[j * n + i] = (i === j ? mem.theta : 0) - v;
    }
  }
  return B;
}

/** Fills a memory with `count` pairs y = A s from an SPD A; returns the pairs. */
export function fillMemory(mem: LbfgsMemory, count: number, rnd: () => number) {
  const n = mem.n;
  const G = Array.from({ length: n * n }, rnd);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = i === j ? 0.5 : 0;
      for (let p = 0; p < n; p++) v += G[i * n + p]! * G[j * n + p]!;
      A[i * n + j] = v;
    }
  }
  const pairs: [Float64Array, Float64Array][] = [];
  for (let t = 0; t < count; t++) {
    const s = Float64Array.from({ length: n }, rnd);
    const y = new Float64Array(n);
    let sty = 0;
    let yty = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) y[i] = y[i]! + A[i * n + j]! * s[j]!;
    }
    for (let i = 0; i < n; i++) {
      sty += s[i]! * y[i]!;
      yty += y[i]! * y[i]!;
    }
    assert.ok(mem.push(s, y, sty, yty));
    pairs.push([s, y]);
  }
  return pairs;
}
