/**
 * The generalized Cauchy point of L-BFGS-B: the first local minimiser of the
 * quadratic model along the projected steepest-descent path.
 *
 * Notation (see lbfgsb-memory.ts for S, Y, W, M, θ, B):
 *   x, g         current iterate and gradient (n)
 *   l, u         lower and upper bounds (n; ±∞ where absent)
 *   m(x̃)         quadratic model f + gᵀ(x̃ − x) + ½ (x̃ − x)ᵀ B (x̃ − x)
 *   x(t)         projected path P(x − t g, l, u), t ≥ 0; piecewise linear
 *   tᵢ           breakpoint of coordinate i: where x(t) reaches its bound
 *   d            direction of the current path segment (−gᵢ for moving i, else 0)
 *   p            Wᵀd (2k)
 *   c            Wᵀ(x(t) − x) (2k), accumulated along the path
 *   f′, f″       slope and curvature of the model along the current segment
 *   Δt*          −f′/f″, the model minimiser on the segment
 *   xᶜ           the Cauchy point (`xcp`)
 *
 * Reference: Byrd, Lu, Nocedal, Zhu (1995), §4 "Algorithm CP".
 */
import type { LbfgsMemory } from './lbfgsb-memory.ts';

/** Status of coordinate i after the Cauchy search (L-BFGS-B's `iwhere`). */
export const VarState = {
  /** Free, but its gradient is zero (not moved along the path). */
  ZeroGradient: -3,
  /** No finite bound at all: always free. */
  Unbounded: -1,
  /** Free: strictly between its bounds at xᶜ (or at a bound it moves away from). */
  Free: 0,
  /** Held at its lower bound. */
  AtLower: 1,
  /** Held at its upper bound. */
  AtUpper: 2,
  /** lᵢ = uᵢ: always fixed. */
  Fixed: 3,
} as const;

/** Work arrays reused across iterations. */
export class CauchyWork {
  readonly d: Float64Array;
  readonly tBreak: Float64Array;
  readonly order: Int32Array;
  p: Float64Array;
  wbp: Float64Array;
  v: Float64Array;
  constructor(n: number, m: number) {
    this.d = new Float64Array(n);
    this.tBreak = new Float64Array(n);
    this.order = new Int32Array(n);
    this.p = new Float64Array(2 * m);
    this.wbp = new Float64Array(2 * m);
    this.v = new Float64Array(2 * m);
  }
}

/**
 * The first pass of {@link cauchyPoint}: the state of each coordinate (free, at a bound, zero
 * gradient), the steepest-descent direction d = −g on the moving ones (into `work.d`), their
 * breakpoints t_i (into `work.tBreak`, indices into `work.order`), p = Wᵀd (its S half not yet
 * scaled by θ) and f′ = −dᵀd.
 */
function scanCoordinates(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  mem: LbfgsMemory,
  state: Int8Array,
  work: CauchyWork,
): { f1: number; nbreak: number; bounded: boolean } {
  const n = x.length;
  const k = mem.col;
  const { d, tBreak, order, p } = work;
  let f1 = 0;
  let nbreak = 0;
  let bounded = true; // every moving coordinate has a breakpoint
  for (let i = 0; i < n; i++) {
    const neggi = -g[i]!;
    const hasL = lower[i]! > -Infinity;
    const hasU = upper[i]! < Infinity;
    const si = state[i]!;
    let tl = 0;
    let tu = 0;
    if (si !== VarState.Fixed && si !== VarState.Unbounded) {
      if (hasL) tl = x[i]! - lower[i]!;
      if (hasU) tu = upper[i]! - x[i]!;
      let st: number = VarState.Free;
      if (hasL && tl <= 0) {
        if (neggi <= 0) st = VarState.AtLower;
      } else if (hasU && tu <= 0) {
        if (neggi >= 0) st = VarState.AtUpper;
      } else if (neggi === 0) {
        st = VarState.ZeroGradient;
      }
      state[i] = st;
    }
    const st = state[i]!;
    if (st !== VarState.Free && st !== VarState.Unbounded) {
      d[i] = 0;
      continue;
    }
    d[i] = neggi;
    f1 -= neggi * neggi;
    for (let j = 0; j < k; j++) {
      p[j] = p[j]! + mem.y[j]![i]! * neggi;
      p[k + j] = p[k + j]! + mem.s[j]![i]! * neggi;
    }
    if (hasL && neggi < 0) {
      tBreak[i] = tl / -neggi;
      order[nbreak++] = i;
    } else if (hasU && neggi > 0) {
      tBreak[i] = tu / neggi;
      order[nbreak++] = i;
    } else if (neggi !== 0) {
      bounded = false;
    }
  }
  return { f1, nbreak, bounded };
}

/**
 * Computes the generalized Cauchy point xᶜ (into `xcp`), c = Wᵀ(xᶜ − x) (into
 * `c`, 2k values) and the state of every coordinate (into `state`, which must
 * hold the static states Unbounded / Fixed / Free on entry).
 *
 * Walks the breakpoints in increasing order; on each segment the model is
 * m(t) = const + f′ Δt + ½ f″ Δt², so its minimiser is Δt* = −f′/f″. Crossing
 * breakpoint b (coordinate b reaches bound, zᵦ = xᶜᵦ − xᵦ) updates
 *   f′ ← f′ + Δt f″ + gᵦ² + θ gᵦ zᵦ − gᵦ wᵦᵀ M c,
 *   f″ ← f″ − θ gᵦ² − 2 gᵦ wᵦᵀ M p − gᵦ² wᵦᵀ M wᵦ,   p ← p + gᵦ wᵦ
 * (after c ← c + Δt p), with f″ kept ≥ ε f″₀ against rounding.
 */
export function cauchyPoint(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  mem: LbfgsMemory,
  state: Int8Array,
  xcp: Float64Array,
  c: Float64Array,
  work: CauchyWork,
): void {
  const n = x.length;
  const k = mem.col;
  const k2 = 2 * k;
  const theta = mem.theta;
  const { d, tBreak, order, p, wbp, v } = work;
  xcp.set(x);
  for (let j = 0; j < k2; j++) {
    c[j] = 0;
    p[j] = 0;
  }

  const first = scanCoordinates(x, g, lower, upper, mem, state, work);
  let f1 = first.f1;
  const { nbreak, bounded } = first;
  if (f1 === 0) return; // d = 0: xᶜ = x
  for (let j = 0; j < k; j++) p[k + j] = theta * p[k + j]!;

  // Initial slope and curvature: f′ = gᵀd = −dᵀd, f″ = −θ f′ − pᵀMp.
  let f2 = -theta * f1;
  if (k > 0) {
    mem.applyM(p, v);
    for (let j = 0; j < k2; j++) f2 -= v[j]! * p[j]!;
  }
  const f2Org = f2;
  let dtm = -f1 / f2;
  let tsum = 0;

  // Breakpoints in increasing order (ties by coordinate index: deterministic).
  const brk = Array.from(order.subarray(0, nbreak)).sort(
    (a, b) => tBreak[a]! - tBreak[b]! || a - b,
  );
  let nleft = nbreak;
  let tj = 0;
  let allFixed = false;
  for (let pos = 0; pos < nbreak; pos++) {
    const b = brk[pos]!;
    const tj0 = tj;
    tj = tBreak[b]!;
    const dt = tj - tj0;
    if (dtm < dt) break; // the minimiser lies on this segment
    tsum += dt;
    nleft--;
    const dib = d[b]!;
    d[b] = 0;
    let zib: number;
    if (dib > 0) {
      zib = upper[b]! - x[b]!;
      xcp[b] = upper[b]!;
      state[b] = VarState.AtUpper;
    } else {
      zib = lower[b]! - x[b]!;
      xcp[b] = lower[b]!;
      state[b] = VarState.AtLower;
    }
    if (nleft === 0 && nbreak === n) {
      // Every coordinate reached a bound: xᶜ is that corner.
      dtm = dt;
      allFixed = true;
      break;
    }
    const dib2 = dib * dib;
    f1 = f1 + dt * f2 + dib2 - theta * dib * zib;
    f2 -= theta * dib2;
    if (k > 0) {
      for (let j = 0; j < k2; j++) c[j] = c[j]! + dt * p[j]!;
      mem.row(b, wbp);
      mem.applyM(wbp, v);
      let wmc = 0;
      let wmp = 0;
      let wmw = 0;
      for (let j = 0; j < k2; j++) {
        wmc += c[j]! * v[j]!;
        wmp += p[j]! * v[j]!;
        wmw += wbp[j]! * v[j]!;
      }
      for (let j = 0; j < k2; j++) p[j] = p[j]! - dib * wbp[j]!;
      f1 += dib * wmc;
      f2 += 2 * dib * wmp - dib2 * wmw;
    }
    f2 = Math.max(Number.EPSILON * f2Org, f2);
    if (nleft > 0) {
      dtm = -f1 / f2;
    } else if (bounded) {
      dtm = 0;
    } else {
      dtm = -f1 / f2;
    }
  }
  if (!allFixed) {
    if (dtm <= 0) dtm = 0;
    tsum += dtm;
    for (let i = 0; i < n; i++) {
      const di = d[i]!;
      if (di !== 0) {
        // Stay inside the box despite rounding in tsum.
        xcp[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]! + tsum * di));
      }
    }
  }
  for (let j = 0; j < k2; j++) c[j] = c[j]! + dtm * p[j]!;
}
