/**
 * Number formatting for the reports: metric values with 5 significant digits,
 * costs with 2 decimals, weights with 3, percentages with 1. Non-finite or
 * missing numbers print as an en dash, never as "NaN".
 */

const DASH = '\u2013';

/** A metric value: 5 significant digits (`2.5447`), or a dash when missing or not finite. */
export function fmtValue(x: number | null | undefined, digits = 5): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : x.toPrecision(digits);
}

/** A fixed-decimals number (`fmtFixed(600.771, 2)` = `600.77`), or a dash. */
export function fmtFixed(x: number | null | undefined, decimals: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : x.toFixed(decimals);
}

/** A cost in units: 2 decimals. */
export function fmtCost(x: number | null | undefined): string {
  return fmtFixed(x, 2);
}

/** A mixture weight: 3 decimals. */
export function fmtWeight(x: number | null | undefined): string {
  return fmtFixed(x, 3);
}

/** A fraction as a percentage with 1 decimal (`0.1234` -> `12.3%`). */
export function fmtPercent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : `${(100 * x).toFixed(1)}%`;
}

/** A speedup (`2.61x`), or `not reached` for null. */
export function fmtSpeedup(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'not reached' : `${x.toFixed(2)}x`;
}
