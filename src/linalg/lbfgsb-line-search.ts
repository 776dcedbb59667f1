/**
 * Moré–Thuente line search (the `dcsrch`/`dcstep` algorithm of MINPACK-2),
 * used by {@link lbfgsb} to choose the step along a search direction.
 *
 * Notation (one-dimensional; the caller maps steps to points x + α d):
 *   α            trial step (`stp`)
 *   φ(α)         f(x + α d);  φ'(α) = ∇f(x + α d)ᵀ d, the directional derivative
 *   φ₀, φ'₀      value and slope at α = 0 (`finit`, `ginit`; φ'₀ < 0 required)
 *   μ            sufficient-decrease constant (`ftol`): φ(α) ≤ φ₀ + μ α φ'₀
 *   η            curvature constant (`gtol`): |φ'(α)| ≤ η |φ'₀|
 *   ξ            relative width below which the interval counts as collapsed (`xtol`)
 *   αx, αy       ends of the interval of uncertainty; αx is the best step so far
 *   [αlo, αhi]   the range the next trial step must fall in (`stmin`, `stmax`)
 *   [αmin, αmax] hard limits on every step (`stpmin`, `stpmax`)
 *   ψ(α)         φ(α) − φ₀ − μ α φ'₀, the auxiliary function used while no step
 *                has yet shown both sufficient decrease and a non-negative slope
 *
 * The search ends when a step satisfies the strong Wolfe conditions
 * (`converged`), or with a `warning` that names why no such step can be found
 * (rounding, interval collapsed, step pinned at αmax or αmin); the caller
 * decides what to do with a warning.
 *
 * Reference: J. J. Moré and D. J. Thuente, "Line search algorithms with
 * guaranteed sufficient decrease", ACM TOMS 20(3):286–307, 1994.
 */

/** What the search wants next. */
export type LineSearchStatus = 'evaluate' | 'converged' | 'warning';

const XTRAPL = 1.1; // lower extrapolation factor while no bracket is known
const XTRAPU = 4.0; // upper extrapolation factor while no bracket is known

/** State of one Moré–Thuente search. Create, {@link start}, then feed {@link update}. */
export class MoreThuenteSearch {
  /** The step to evaluate next (or the accepted step once the search ended). */
  stp = 0;
  /** Why the search ended ('' while it runs). */
  message = '';
  private readonly ftol: number;
  private readonly gtol: number;
  private readonly xtol: number;
  private stpmin = 0;
  private stpmax = 0;
  private brackt = false;
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private width = 0;
  private width1 = 0;
  /** αx: the step with the least ψ (stage 1) or φ seen so far. */
  stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stmin = 0;
  private stmax = 0;

  constructor(ftol: number, gtol: number, xtol: number) {
    this.ftol = ftol;
    this.gtol = gtol;
    this.xtol = xtol;
  }

  /**
   * Starts a search from φ₀ = `f0`, φ'₀ = `g0` < 0 with first trial step
   * `stp` in [`stpmin`, `stpmax`]. Afterwards evaluate at {@link stp}.
   */
  start(f0: number, g0: number, stp: number, stpmin: number, stpmax: number): void {
    this.stpmin = stpmin;
    this.stpmax = stpmax;
    this.stp = Math.min(Math.max(stp, stpmin), stpmax);
    this.message = '';
    this.brackt = false;
    this.stage = 1;
    this.finit = f0;
    this.ginit = g0;
    this.gtest = this.ftol * g0;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.stx = 0;
    this.fx = f0;
    this.gx = g0;
    this.sty = 0;
    this.fy = f0;
    this.gy = g0;
    this.stmin = 0;
    this.stmax = this.stp + XTRAPU * this.stp;
  }

  /**
   * Feeds φ(α) = `f` and φ'(α) = `g` at the current {@link stp}. Returns
   * 'evaluate' with a new {@link stp}, or ends the search ('converged' /
   * 'warning', with {@link message}); on ending, {@link stp} is the step just fed.
   */
  update(f: number, g: number): LineSearchStatus {
    const stp = this.stp;
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;

    // Tests for ending the search; a later test overrides an earlier one.
    let ended: LineSearchStatus | undefined;
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) {
      ended = 'warning';
      this.message = 'ROUNDING ERRORS PREVENT PROGRESS';
    }
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) {
      ended = 'warning';
      this.message = 'XTOL TEST SATISFIED';
    }
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) {
      ended = 'warning';
      this.message = 'STP = STPMAX';
    }
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) {
      ended = 'warning';
      this.message = 'STP = STPMIN';
    }
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) {
      ended = 'converged';
      this.message = 'CONVERGENCE';
    }
    if (ended !== undefined) return ended;

    // Stage 1 with a lower ψ but no sufficient decrease: step on ψ instead of φ.
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const gt = this.gtest;
      const r = this.step(
        this.fx - this.stx * gt,
        this.gx - gt,
        this.fy - this.sty * gt,
        this.gy - gt,
        stp,
        f - stp * gt,
        g - gt,
      );
      this.fx = r.fx + this.stx * gt;
      this.fy = r.fy + this.sty * gt;
      this.gx = r.gx + gt;
      this.gy = r.gy + gt;
    } else {
      const r = this.step(this.fx, this.gx, this.fy, this.gy, stp, f, g);
      this.fx = r.fx;
      this.fy = r.fy;
      this.gx = r.gx;
      this.gy = r.gy;
    }

    // Force a sufficient shrink of the bracket (bisection fallback).
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) {
        this.stp = this.stx + 0.5 * (this.sty - this.stx);
      }
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
    }
    if (this.brackt) {
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = this.stp + XTRAPL * (this.stp - this.stx);
      this.stmax = this.stp + XTRAPU * (this.stp - this.stx);
    }
    this.stp = Math.min(Math.max(this.stp, this.stpmin), this.stpmax);
    // If no further progress is possible, fall back to the best step so far.
    if (
      (this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) ||
      (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)
    ) {
      this.stp = this.stx;
    }
    return 'evaluate';
  }

  /**
   * One safeguarded step (MINPACK-2 `dcstep`): updates the interval
   * [αx, αy] with the trial (α, fp, dp) and sets the next trial step from
   * cubic/quadratic interpolants, choosing by the four cases of Moré–Thuente §4.
   * Returns the (possibly updated) end values; αx, αy, α live on `this`.
   */
  private step(
    fx: number,
    dx: number,
    fy: number,
    dy: number,
    stp: number,
    fp: number,
    dp: number,
  ): { fx: number; gx: number; fy: number; gy: number } {
    const stx = this.stx;
    const sty = this.sty;
    const stpmin = this.stmin;
    const stpmax = this.stmax;
    const sgnd = dp * Math.sign(dx);
    let stpf: number;

    if (fp > fx) {
      // Case 1: higher value. The minimum is bracketed; take the cubic step if
      // closer to αx, else the average of cubic and quadratic steps.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
      if (stp < stx) gamma = -gamma;
      const p = gamma - dx + theta;
      const q = gamma - dx + gamma + dp;
      const stpc = stx + (p / q) * (stp - stx);
      const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
      this.brackt = true;
    } else if (sgnd < 0) {
      // Case 2: lower value, derivatives of opposite sign: bracketed; take the
      // step farther from α among cubic and secant steps.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dx;
      const stpc = stp + (p / q) * (stx - stp);
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      this.brackt = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      // Case 3: lower value, same-sign derivative decreasing in magnitude. The
      // cubic step is used only if it tends to infinity in the right direction.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma + (dx - dp) + gamma;
      const r = p / q;
      let stpc: number;
      if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
      else if (stp > stx) stpc = stpmax;
      else stpc = stpmin;
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.brackt) {
        // A minimiser lies between α and αy: keep the step that stays closer to α,
        // and never go more than 66% of the way to αy.
        stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
        const lim = stp + 0.66 * (sty - stp);
        stpf = stp > stx ? Math.min(lim, stpf) : Math.max(lim, stpf);
      } else {
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        stpf = Math.max(stpmin, Math.min(stpmax, stpf));
      }
    } else if (this.brackt) {
      // Case 4: lower value, same-sign derivative not decreasing: cubic step
      // between α and αy.
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }

    // Update the interval of uncertainty.
    const out = { fx, gx: dx, fy, gy: dy };
    if (fp > fx) {
      this.sty = stp;
      out.fy = fp;
      out.gy = dp;
    } else {
      if (sgnd < 0) {
        this.sty = stx;
        out.fy = fx;
        out.gy = dx;
      }
      this.stx = stp;
      out.fx = fp;
      out.gx = dp;
    }
    this.stp = stpf;
    return out;
  }
}
