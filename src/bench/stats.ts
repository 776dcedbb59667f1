/**
 * Summary statistics over seeds.
 *
 * Notation: `v_1..v_n` values over seeds; mean `m = sum v / n`; standard error
 * `sem = s / sqrt(n)` with `s` the sample standard deviation (`n - 1`;
 * 0 when n = 1); quantiles by linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's default).
 */

/** Mean, standard error, median and quartiles of a sample. */
export interface SampleStats {
  readonly n: number;
  readonly mean: number;
  readonly sem: number;
  readonly median: number;
  readonly q25: number;
  readonly q75: number;
}

/** Quantile `q` in [0, 1] of an ascending-sorted sample (type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[hi] as number) - a);
}

/** {@link SampleStats} of `xs` (non-empty). */
export function sampleStats(xs: readonly number[]): SampleStats {
  const n = xs.length;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const sem = n > 1 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    n,
    mean,
    sem,
    median: quantileSorted(sorted, 0.5),
    q25: quantileSorted(sorted, 0.25),
    q75: quantileSorted(sorted, 0.75),
  };
}

/**
 * Median of speedups where `null` means "not reached" and ranks below every
 * number; null when the median falls on (or, for an even count, next to) a
 * null.
 */
export function medianWithNulls(xs: readonly (number | null)[]): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) =>
    a === null ? (b === null ? 0 : -1) : b === null ? 1 : a - b,
  );
  const n = sorted.length;
  const a = sorted[Math.floor((n - 1) / 2)] ?? null;
  const b = sorted[Math.ceil((n - 1) / 2)] ?? null;
  if (a === null || b === null) return null;
  return (a + b) / 2;
}
