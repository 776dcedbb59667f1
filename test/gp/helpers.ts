// Shared helpers for the GP tests: random data and central finite differences.
import assert from 'node:assert/strict';
import { Rng } from '../internals.ts';

/** n×d uniform inputs on [0,1) and a smooth noisy response. */
export function toyData(
  seed: number,
  n: number,
  d: number,
  noise = 0.05,
): { X: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = rng.uniform();
    const x0 = X[i * d] as number;
    const x1 = X[i * d + (d > 1 ? 1 : 0)] as number;
    y[i] = 3 + Math.sin(3 * x0) + 0.5 * x1 * x1 + noise * rng.normal();
  }
  return { X, y };
}

/** Central difference of f at x along coordinate i with step h. */
export function centralDiff(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  i: number,
  h = 1e-5,
): number {
  const xp = Float64Array.from(x);
  const xm = Float64Array.from(x);
  xp[i] = (xp[i] as number) + h;
  xm[i] = (xm[i] as number) - h;
  return (f(xp) - f(xm)) / (2 * h);
}

/** Asserts |a − b| ≤ atol + rtol·max(|a|, |b|), naming what is compared. */
export function assertClose(a: number, b: number, rtol: number, atol: number, what: string): void {
  assert.ok(Number.isFinite(a) && Number.isFinite(b), `${what}: non-finite ${a} vs ${b}`);
  const tol = atol + rtol * Math.max(Math.abs(a), Math.abs(b));
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (|diff| ${Math.abs(a - b)} > ${tol})`);
}
