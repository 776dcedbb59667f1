// TEMPORARY stand-in for src/linalg/lbfgsb.ts until it lands (same signature). Will be deleted.
export interface LbfgsbOptions {
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  m?: number;
  maxIter?: number;
  pgtol?: number;
  factr?: number;
}
export interface LbfgsbResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

export function lbfgsb(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  opts: LbfgsbOptions = {},
): LbfgsbResult {
  const n = x0.length;
  const lo = opts.lower ?? new Float64Array(n).fill(-Infinity);
  const hi = opts.upper ?? new Float64Array(n).fill(Infinity);
  const m = opts.m ?? 10;
  const maxIter = opts.maxIter ?? 200;
  const pgtol = opts.pgtol ?? 1e-5;
  const proj = (x: Float64Array) => {
    for (let i = 0; i < n; i++)
      x[i] = Math.min(hi[i] as number, Math.max(lo[i] as number, x[i] as number));
    return x;
  };
  let x = proj(Float64Array.from(x0));
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evals = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let it = 0;
  let converged = false;
  for (; it < maxIter; it++) {
    let pg = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      const p = Math.min(hi[i] as number, Math.max(lo[i] as number, xi - (g[i] as number))) - xi;
      pg = Math.max(pg, Math.abs(p));
    }
    if (pg <= pgtol) {
      converged = true;
      break;
    }
    // two-loop on free variables
    const q = Float64Array.from(g);
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      if (
        (xi <= (lo[i] as number) && (g[i] as number) > 0) ||
        (xi >= (hi[i] as number) && (g[i] as number) < 0)
      )
        q[i] = 0;
    }
    const al: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const s = S[k] as Float64Array;
      const y = Y[k] as Float64Array;
      let sy = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        sy += (s[i] as number) * (y[i] as number);
        sq += (s[i] as number) * (q[i] as number);
      }
      const a = sq / sy;
      al[k] = a;
      for (let i = 0; i < n; i++) q[i] = (q[i] as number) - a * (y[i] as number);
    }
    if (S.length > 0) {
      const s = S[S.length - 1] as Float64Array;
      const y = Y[Y.length - 1] as Float64Array;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += (s[i] as number) * (y[i] as number);
        yy += (y[i] as number) ** 2;
      }
      for (let i = 0; i < n; i++) q[i] = (q[i] as number) * (sy / yy);
    } else {
      let gn = 0;
      for (let i = 0; i < n; i++) gn += (q[i] as number) ** 2;
      const sc = 1 / Math.max(1, Math.sqrt(gn));
      for (let i = 0; i < n; i++) q[i] = (q[i] as number) * sc;
    }
    for (let k = 0; k < S.length; k++) {
      const s = S[k] as Float64Array;
      const y = Y[k] as Float64Array;
      let sy = 0;
      let yq = 0;
      for (let i = 0; i < n; i++) {
        sy += (s[i] as number) * (y[i] as number);
        yq += (y[i] as number) * (q[i] as number);
      }
      const b = yq / sy;
      for (let i = 0; i < n; i++)
        q[i] = (q[i] as number) + (s[i] as number) * ((al[k] as number) - b);
    }
    let dg = 0;
    for (let i = 0; i < n; i++) dg -= (q[i] as number) * (g[i] as number);
    if (!(dg < 0)) {
      S.length = 0;
      Y.length = 0;
      for (let i = 0; i < n; i++) q[i] = g[i] as number;
    }
    let t = 1;
    let accepted = false;
    const g2 = new Float64Array(n);
    let xn = x;
    let fn = f;
    for (let ls = 0; ls < 40; ls++) {
      xn = new Float64Array(n);
      for (let i = 0; i < n; i++) xn[i] = (x[i] as number) - t * (q[i] as number);
      proj(xn);
      fn = fg(xn, g2);
      evals++;
      let dec = 0;
      for (let i = 0; i < n; i++) dec += (g[i] as number) * ((xn[i] as number) - (x[i] as number));
      if (Number.isFinite(fn) && fn <= f + 1e-4 * dec) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = (xn[i] as number) - (x[i] as number);
      y[i] = (g2[i] as number) - (g[i] as number);
      sy += (s[i] as number) * (y[i] as number);
    }
    const fold = f;
    x = xn;
    f = fn;
    g = g2;
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    if ((fold - f) / Math.max(Math.abs(fold), Math.abs(f), 1) <= (opts.factr ?? 1e7) * 2.2e-16) {
      converged = true;
      break;
    }
  }
  return { x, f, grad: g, iterations: it, evaluations: evals, converged, message: '' };
}
