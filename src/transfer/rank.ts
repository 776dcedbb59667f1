/**
 * Rank agreement between predicted and true values of held-out mixtures: does
 * the surrogate put the mixtures in the right order, and does it find the
 * best ones? (What RegMix-style studies report.)
 *
 * Notation:
 * - `y_i`, `ŷ_i`   true and predicted values, `i = 1..n`.
 * - `r_i`, `r̂_i`   their ranks (1 = smallest; ties get the mean of the ranks
 *                  they span).
 * - Spearman ρ     the Pearson correlation of `r` and `r̂`.
 * - Kendall τ_b    `(C − D) / sqrt((n₀ − T) (n₀ − T̂))` over the `n₀ = n(n−1)/2`
 *                  pairs: `C` concordant, `D` discordant, `T` / `T̂` pairs tied
 *                  in `y` / `ŷ`.
 * - top-k overlap  `|B_k(y) ∩ B_k(ŷ)| / k`, `B_k` the indices of the `k` best
 *                  values (smallest when minimising, largest when
 *                  maximising; ties broken by index). Top-1 is 1 when the
 *                  predicted best is the true best.
 *
 * References: Spearman (1904); Kendall (1945), τ_b; RegMix (Liu et al. 2024)
 * reports Spearman ρ of predicted vs true rankings.
 */
import { type Direction, ValidationError } from '../core/index.ts';

function check(y: ArrayLike<number>, yHat: ArrayLike<number>, what: string): number {
  if (y.length !== yHat.length) {
    throw new ValidationError(
      `${what}: ${y.length} true values but ${yHat.length} predictions; pass one prediction per value`,
    );
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]) || !Number.isFinite(yHat[i])) {
      throw new ValidationError(
        `${what}: value ${i} is not finite (true ${String(y[i])}, predicted ${String(yHat[i])})`,
      );
    }
  }
  return y.length;
}

/** Ranks `1..n` (ascending), ties given the mean of the ranks they span. */
export function averageRanks(x: ArrayLike<number>): number[] {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (x[a] as number) - (x[b] as number),
  );
  const r = new Array<number>(n).fill(0);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1] as number] === x[order[i] as number]) j++;
    const mean = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[order[t] as number] = mean;
    i = j + 1;
  }
  return r;
}

/**
 * Spearman's rank correlation ρ (Pearson correlation of average ranks).
 * Undefined (not NaN) when fewer than 2 values or either side is constant.
 * @throws ValidationError on mismatched lengths or non-finite values.
 */
export function spearman(y: ArrayLike<number>, yHat: ArrayLike<number>): number | undefined {
  const n = check(y, yHat, 'Spearman ρ');
  if (n < 2) return undefined;
  const a = averageRanks(y);
  const b = averageRanks(yHat);
  const m = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - m;
    const db = (b[i] as number) - m;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : undefined;
}

/**
 * Kendall's τ_b (module comment). O(n²), fine for held-out sets.
 * Undefined (not NaN) when fewer than 2 values or either side is constant.
 * @throws ValidationError on mismatched lengths or non-finite values.
 */
export function kendallTau(y: ArrayLike<number>, yHat: ArrayLike<number>): number | undefined {
  const n = check(y, yHat, 'Kendall τ');
  if (n < 2) return undefined;
  let c = 0;
  let d = 0;
  let tiesY = 0;
  let tiesHat = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = Math.sign((y[i] as number) - (y[j] as number));
      const t = Math.sign((yHat[i] as number) - (yHat[j] as number));
      if (s === 0) tiesY++;
      if (t === 0) tiesHat++;
      if (s !== 0 && t !== 0) {
        if (s === t) c++;
        else d++;
      }
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const den = Math.sqrt((n0 - tiesY) * (n0 - tiesHat));
  return den > 0 ? (c - d) / den : undefined;
}

function best(x: ArrayLike<number>, k: number, direction: Direction): number[] {
  const s = direction === 'minimize' ? 1 : -1;
  return Array.from({ length: x.length }, (_, i) => i)
    .sort((a, b) => s * ((x[a] as number) - (x[b] as number)) || a - b)
    .slice(0, k);
}

/**
 * Top-k overlap `|B_k(y) ∩ B_k(ŷ)| / k` (module comment).
 * @throws ValidationError on mismatched lengths, non-finite values, or `k`
 *   not an integer in 1..n.
 */
export function topKOverlap(
  y: ArrayLike<number>,
  yHat: ArrayLike<number>,
  k: number,
  direction: Direction,
): number {
  const n = check(y, yHat, 'top-k overlap');
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ValidationError(`top-k overlap needs an integer k in 1..${n}, got ${String(k)}`);
  }
  const truth = new Set(best(y, k, direction));
  return best(yHat, k, direction).filter((i) => truth.has(i)).length / k;
}

/** Rank scores of one held-out set (undefined where the set is too small). */
export interface RankScores {
  /** Number of held-out values ranked. */
  readonly n: number;
  readonly spearman: number | undefined;
  readonly kendall: number | undefined;
  /** Top-k overlap for k = 1, 5 and max(1, round(n / 10)); undefined unless k < n. */
  readonly top1: number | undefined;
  readonly top5: number | undefined;
  readonly top10pct: number | undefined;
}

/**
 * Every rank score of one held-out set: Spearman ρ, Kendall τ_b and the top-k
 * overlaps for k = 1, 5 and 10% of the candidates (`max(1, round(n/10))`).
 * @throws ValidationError on mismatched lengths or non-finite values.
 */
export function rankScores(
  y: ArrayLike<number>,
  yHat: ArrayLike<number>,
  direction: Direction,
): RankScores {
  const n = check(y, yHat, 'rank scores');
  const top = (k: number): number | undefined =>
    k < n ? topKOverlap(y, yHat, k, direction) : undefined;
  return {
    n,
    spearman: spearman(y, yHat),
    kendall: kendallTau(y, yHat),
    top1: top(1),
    top5: top(5),
    top10pct: top(Math.max(1, Math.round(n / 10))),
  };
}
