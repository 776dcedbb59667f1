/**
 * Family testbeds: a seeded generator of mixture problems (docs/testbeds.md,
 * "Testbed families"). Deterministic from `(params, seed)`.
 *
 * Notation:
 * - `k` domains j and `V = k` validation sets v (set v is domain v's held-out data);
 * - `N` parameters of size m, `N*` the target size; `z` steps, `z*` the target
 *   length; `D = z T` tokens (`T` tokens per step), `D* = z* T`;
 * - scale coordinates `u_n = ln(N/N_min) / ln(N* / N_min)` and
 *   `u_d = ln(z/z_min) / ln(z* / z_min)`, both 1 at the target, 0 at the
 *   smallest size / shortest run (clamped to [0, 1]);
 * - a *landscape* `(t, p)`: transfer rows `t_v ∈ R^k` and log-weights `p_v`;
 *   three of them, target `(t¹, p¹)`, small-size `(tⁿ, pⁿ)`, short-run
 *   `(tᵈ, pᵈ)`, blended as
 *   `t(u) = t¹ + (1 - u_n)(tⁿ - t¹) + (1 - u_d)(tᵈ - t¹)` (same for p);
 * - effective data (Muennighoff et al. 2023): domain j gets `x_j = w_j D / D*`
 *   (in target-run units) of `U_j` unique; repeated `R_j = x_j / U_j - 1 > 0`
 *   times it is worth `x'_j = U_j (1 + R* (1 - exp(-R_j / R*)))`, else
 *   `x'_j = x_j`; `D' = Σ x'_j` and the effective mixture `w'_j = x'_j / D'`;
 * - per-set loss (the mixing law of Ye et al. 2024, `c + k exp(t·w)`, with the
 *   Chinchilla terms of Hoffmann et al. 2022 as `c` and the data term as `k`):
 *   `L_v = E + A / N^α + B / (D' D*)^β · V exp(p_v(u) + t_v(u)·w')`;
 * - `val_loss = (1/V) Σ_v L_v = E + A/N^α + B/(D' D*)^β · G`, with the mixture
 *   term `G(w; u) = Σ_v exp(p_v(u) + t_v(u)·w')` (convex in `w'`: a sum of
 *   exponentials of affine functions with positive weights);
 * - `accuracy = lo + (hi - lo) σ(κ (τ - val_loss))`.
 *
 * Planting (how the target optimum is put where `optimum` asks): start from a
 * random transfer structure `t⁰_vj = γ(-δ_vj + C_vj)` and weights `π_v`; at the
 * chosen `w*` with support S the gradient is `g_j = Σ_v π_v e_v t⁰_vj`
 * (`e_v = exp(t⁰_v·w*)`); adding a per-domain quality `c_j` to column j
 * (`t_vj = t⁰_vj + c_j`) shifts `g_j` by `c_j Σ_v π_v e_v` and multiplies
 * every `e_v` by the same factor, so `c_j` is chosen to make `g_j` equal on S
 * and larger by a margin off S: the KKT conditions of min G over the simplex
 * hold at `w*`, and since `G` is convex, `w*` is its global minimum. `γ` is
 * set by bisection so the mean of `G(w)/G(w*) - 1` over 256 Dirichlet(1)
 * mixtures equals `spread`.
 */

import { createHash } from 'node:crypto';
import {
  type CurvePoint,
  type MetricSpec,
  type Mixture,
  type ReferenceOptimum,
  Rng,
  type Scale,
  type StepRange,
  type Testbed,
} from '../core/index.ts';
import type { TestbedDirOptions } from './data-dir.ts';
import { checkFamilyParams, type FamilyParams, sizeName } from './family-params.ts';
import { withNoise } from './noise.ts';
import { checkQuery, loggedSteps, metricIndex, scaleIndex } from './query.ts';
import { referenceOptimum } from './reference-optimum.ts';
import type { MixtureObjective, SimulatorTestbed } from './simulator.ts';

/** Bump when the generator changes, so cached reference optima are recomputed. */
export const FAMILY_VERSION = 1;

/** Domain names, in order (the first `k` are used). */
export const FAMILY_DOMAIN_NAMES: readonly string[] = [
  'web',
  'code',
  'books',
  'wiki',
  'arxiv',
  'forums',
  'news',
  'math',
  'legal',
  'medical',
  'patents',
  'dialogue',
  'reviews',
  'poetry',
  'subtitles',
  'recipes',
  'finance',
  'chemistry',
  'sports',
  'games',
];

/** The planted optima of the three landscapes (undefined where not planted). */
export interface PlantedOptima {
  /** `val_loss`'s optimum at the target without repetition. */
  readonly target: readonly number[];
  /** At the smallest size (full length), when `drift = drift`. */
  readonly smallSize?: readonly number[];
  /** At the shortest run (target size), when `stepDrift = drift`. */
  readonly shortRun?: readonly number[];
}

/** Scaling constants drawn from the seed (Hoffmann et al. 2022's fit, jittered). */
export interface FamilyScaling {
  readonly E: number;
  readonly A: number;
  readonly alpha: number;
  readonly B: number;
  readonly beta: number;
  /** Accuracy: `lo + (hi - lo) σ(κ (τ - val_loss))`. */
  readonly lo: number;
  readonly hi: number;
  readonly kappa: number;
  readonly tau: number;
}

/** A generated family member (noise-free; see {@link createFamilyTestbed}). */
export interface FamilyTestbed extends SimulatorTestbed {
  readonly params: FamilyParams;
  readonly seed: number;
  readonly planted: PlantedOptima;
  readonly scaling: FamilyScaling;
  /** Unique tokens per domain in target-run units (undefined: unlimited). */
  readonly uniqueTokens?: readonly number[];
}

/** Whether `tb` (or the testbed a noise wrapper holds) is a family member. */
export function familyOf(tb: Testbed): FamilyTestbed | undefined {
  const t = tb as Partial<FamilyTestbed> & { inner?: Testbed };
  if (t.params !== undefined && t.planted !== undefined) return tb as FamilyTestbed;
  return t.inner !== undefined ? familyOf(t.inner) : undefined;
}

/** Options of {@link createFamilyTestbed}. */
export interface FamilyOptions extends TestbedDirOptions {
  /** Registry name (default: the canonical ad-hoc spec). */
  readonly name?: string;
  readonly description?: string;
}

// ---------------------------------------------------------------------------
// Landscapes.

/** A landscape: `t` is V x k row-major, `p` length V. */
interface Landscape {
  readonly t: Float64Array;
  readonly p: Float64Array;
}

/** `G(w) = Σ_v exp(p_v + t_v·w)`. */
function landscapeValue(L: Landscape, w: ArrayLike<number>, V: number, k: number): number {
  let G = 0;
  for (let v = 0; v < V; v++) {
    let s = L.p[v] as number;
    for (let j = 0; j < k; j++) s += (L.t[v * k + j] as number) * (w[j] as number);
    G += Math.exp(s);
  }
  return G;
}

/** A random structure `-δ_vj + C_vj`, C ~ N(0, 0.35²), and weights π (log-normal). */
function randomStructure(rng: Rng, k: number): { base: Float64Array; logPi: Float64Array } {
  const base = new Float64Array(k * k);
  for (let v = 0; v < k; v++)
    for (let j = 0; j < k; j++) base[v * k + j] = (v === j ? -1 : 0) + 0.35 * rng.normal();
  const logPi = new Float64Array(k);
  for (let v = 0; v < k; v++) logPi[v] = 0.3 * rng.normal();
  return { base, logPi };
}

/**
 * Plants `w*` (support where `w*_j > 0`) as the minimum of `γ·base` with
 * weights `π` by per-domain column shifts (module comment); normalised so
 * `G(w*) = 1`. `margins` (length k, in (0, 1]) set how much worse each
 * off-support domain's gradient is.
 */
function plant(
  base: Float64Array,
  logPi: Float64Array,
  gamma: number,
  wStar: readonly number[],
  margins: Float64Array,
): Landscape {
  const k = wStar.length;
  const V = k;
  const t = new Float64Array(V * k);
  for (let i = 0; i < t.length; i++) t[i] = gamma * (base[i] as number);
  const u = new Float64Array(V);
  let U = 0;
  for (let v = 0; v < V; v++) {
    let s = logPi[v] as number;
    for (let j = 0; j < k; j++) s += (t[v * k + j] as number) * (wStar[j] as number);
    u[v] = Math.exp(s);
    U += u[v] as number;
  }
  for (let j = 0; j < k; j++) {
    let g = 0;
    for (let v = 0; v < V; v++) g += (u[v] as number) * (t[v * k + j] as number);
    const target = (wStar[j] as number) > 0 ? 0 : gamma * (U / V) * (margins[j] as number);
    const c = (target - g) / U;
    for (let v = 0; v < V; v++) t[v * k + j] = (t[v * k + j] as number) + c;
  }
  const p = Float64Array.from(logPi);
  const G = landscapeValue({ t, p }, wStar, V, k);
  const lg = Math.log(G);
  for (let v = 0; v < V; v++) p[v] = (p[v] as number) - lg;
  return { t, p };
}

/** Mean of `G(w)/G(w*) - 1` over the sample (rows of `sample`, n x k). */
function meanExcess(L: Landscape, sample: Float64Array, wStar: readonly number[]): number {
  const k = wStar.length;
  const n = sample.length / k;
  const g0 = landscapeValue(L, wStar, k, k);
  let s = 0;
  for (let r = 0; r < n; r++) s += landscapeValue(L, sample.subarray(r * k, r * k + k), k, k) / g0;
  return s / n - 1;
}

/** Plants `w*` with `γ` chosen by bisection in `ln γ` so the mean excess is `spread`. */
function plantWithSpread(
  rng: Rng,
  wStar: readonly number[],
  spread: number,
  sample: Float64Array,
): Landscape {
  const k = wStar.length;
  const { base, logPi } = randomStructure(rng, k);
  const margins = new Float64Array(k);
  for (let j = 0; j < k; j++) margins[j] = 0.3 + 0.7 * rng.uniform();
  let lo = Math.log(1e-4);
  let hi = Math.log(50);
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    const e = meanExcess(plant(base, logPi, Math.exp(mid), wStar, margins), sample, wStar);
    if (e > spread) hi = mid;
    else lo = mid;
  }
  return plant(base, logPi, Math.exp((lo + hi) / 2), wStar, margins);
}

/** A point of the asked kind on the simplex. */
function drawOptimum(rng: Rng, k: number, kind: FamilyParams['optimum']): number[] {
  const w = new Array<number>(k).fill(0);
  if (kind === 'vertex') {
    w[rng.int(k)] = 1;
    return w;
  }
  if (kind === 'interior') {
    const d = rng.dirichlet(2, k);
    return d.map((x) => 0.5 / k + 0.5 * x);
  }
  const s = Math.max(2, Math.min(k - 1, Math.round(k * rng.uniformIn(0.3, 0.6))));
  const support = rng.shuffle([...Array(k).keys()]).slice(0, s);
  const d = rng.dirichlet(2, s);
  support.forEach((j, i) => {
    w[j] = 0.4 / s + 0.6 * (d[i] as number);
  });
  return w;
}

function l1(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s;
}

/** L1 distance a drifting optimum is drawn at (the closest of 64 draws; vertices: another vertex). */
export const DRIFT_DISTANCE = 0.8;

/** An optimum of the same kind at L1 distance near {@link DRIFT_DISTANCE} from `from`. */
function drawDriftOptimum(
  rng: Rng,
  from: readonly number[],
  kind: FamilyParams['optimum'],
): number[] {
  let best: number[] | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 64; i++) {
    const w = drawOptimum(rng, from.length, kind);
    const d = l1(w, from);
    const gap = d < 0.4 ? 10 + (0.4 - d) : Math.abs(d - DRIFT_DISTANCE);
    if (gap < bestGap) {
      best = w;
      bestGap = gap;
    }
  }
  return best as number[];
}

/**
 * Scales the difference `Lx - L1` down so that `|Δp_v + Δt_vj| <= cap` for
 * every set v and domain j (then `|∂ ln G / ∂u| <= cap` everywhere on the
 * simplex, since the blend's exponents are affine in `w` and `u`).
 */
function limitDifference(L1: Landscape, Lx: Landscape, k: number, cap: number): Landscape {
  let M = 0;
  for (let v = 0; v < k; v++)
    for (let j = 0; j < k; j++) {
      const d =
        (Lx.p[v] as number) -
        (L1.p[v] as number) +
        (Lx.t[v * k + j] as number) -
        (L1.t[v * k + j] as number);
      M = Math.max(M, Math.abs(d));
    }
  if (M <= cap) return Lx;
  const f = cap / M;
  return {
    t: L1.t.map((x, i) => x + f * ((Lx.t[i] as number) - x)),
    p: L1.p.map((x, i) => x + f * ((Lx.p[i] as number) - x)),
  };
}

/**
 * The landscape at the small end of one axis: the target's (fixed), a fresh
 * planted one (drift), or the target's reversed `tⁿ = -t¹ + 0.3 R` with `R` a
 * fresh structure (reverse), normalised so that its mean over the sample
 * equals the target's.
 */
function endLandscape(
  rng: Rng,
  kind: FamilyParams['drift'],
  params: FamilyParams,
  target: Landscape,
  wTarget: readonly number[],
  sample: Float64Array,
): { L: Landscape; planted?: number[] } {
  const k = params.domains;
  if (kind === 'fixed') return { L: target };
  if (kind === 'drift') {
    const w = drawDriftOptimum(rng.fork('optimum'), wTarget, params.optimum);
    return { L: plantWithSpread(rng.fork('plant'), w, params.spread, sample), planted: w };
  }
  const R = plantWithSpread(
    rng.fork('plant'),
    drawOptimum(rng.fork('optimum'), k, params.optimum),
    params.spread,
    sample,
  );
  const t = new Float64Array(k * k);
  for (let i = 0; i < t.length; i++) t[i] = -(target.t[i] as number) + 0.3 * (R.t[i] as number);
  const p = Float64Array.from(target.p);
  const n = sample.length / k;
  let mT = 0;
  let mR = 0;
  for (let r = 0; r < n; r++) {
    const w = sample.subarray(r * k, r * k + k);
    mT += landscapeValue(target, w, k, k);
    mR += landscapeValue({ t, p }, w, k, k);
  }
  const shift = Math.log(mT / mR);
  for (let v = 0; v < k; v++) p[v] = (p[v] as number) + shift;
  return { L: { t, p } };
}

// ---------------------------------------------------------------------------
// The testbed.

function canonicalName(params: FamilyParams, seed: number): string {
  const parts = [
    `domains=${params.domains}`,
    `optimum=${params.optimum}`,
    `drift=${params.drift}`,
    `stepDrift=${params.stepDrift}`,
    ...(params.unique !== undefined ? [`unique=${params.unique}`] : []),
    ...(params.noise !== undefined ? [`noise=${+(params.noise.sd * 100).toPrecision(6)}%`] : []),
    `seed=${seed}`,
  ];
  return `family:${parts.join(',')}`;
}

/**
 * Generates the family member of `params` (defaults filled, checked) and
 * `seed`: noise-free when `params.noise` is absent, else wrapped by
 * `withNoise` (the noise-free member is then its `inner`).
 * @throws ValidationError for a bad knob (naming it).
 */
export function createFamilyTestbed(
  params: Partial<FamilyParams>,
  seed: number,
  opts: FamilyOptions = {},
): Testbed {
  const p = checkFamilyParams(params);
  const tb = new Family(p, seed, opts);
  return p.noise !== undefined ? withNoise(tb, p.noise) : tb;
}

/** The noise-free family member (no wrapper), for code that needs its internals. */
export function createFamilyMember(
  params: Partial<FamilyParams>,
  seed: number,
  opts: FamilyOptions = {},
): FamilyTestbed {
  return new Family(checkFamilyParams(params), seed, opts);
}

class Family implements FamilyTestbed {
  readonly name: string;
  readonly description: string;
  readonly domains: readonly string[];
  readonly scales: readonly Scale[];
  readonly steps: StepRange;
  readonly metrics: readonly MetricSpec[];
  readonly target: { readonly scale: string; readonly steps: number };
  readonly costUnit: string;
  readonly fingerprint: string;
  readonly planted: PlantedOptima;
  readonly scaling: FamilyScaling;
  readonly uniqueTokens?: readonly number[];
  private readonly k: number;
  private readonly t1: Float64Array;
  private readonly p1: Float64Array;
  private readonly dtn: Float64Array;
  private readonly dpn: Float64Array;
  private readonly dtd: Float64Array;
  private readonly dpd: Float64Array;
  private readonly un: Float64Array;
  private readonly perStep: Float64Array;
  private readonly overhead: Float64Array;
  private readonly lnZ: number;
  private readonly zMin: number;
  private readonly dStar: number;
  private readonly U: Float64Array | undefined;
  /** Scratch: prepared dots, repeated domains and their deltas (see `loss`). */
  private readonly dots: Float64Array;
  private readonly repIdx: Int32Array;
  private readonly repDelta: Float64Array;

  constructor(
    readonly params: FamilyParams,
    readonly seed: number,
    private readonly opts: FamilyOptions,
  ) {
    const k = params.domains;
    this.k = k;
    const rng = new Rng(seed).fork('family');
    this.name = opts.name ?? canonicalName(params, seed);
    this.description =
      opts.description ??
      `Generated mixture problem: ${k} domains, ${params.optimum} optimum, ${params.drift} with size, ${params.stepDrift} with steps${params.unique !== undefined ? `, finite data (${params.unique}x the target run)` : ''}`;
    this.domains = FAMILY_DOMAIN_NAMES.slice(0, k);
    this.scales = params.sizes.map((n) => ({
      name: sizeName(n),
      params: n,
      tokensPerStep: params.tokensPerStep,
    }));
    this.steps = { ...params.steps };
    this.target = {
      scale: (this.scales[this.scales.length - 1] as Scale).name,
      steps: params.steps.max,
    };
    this.metrics = [
      {
        name: 'val_loss',
        direction: 'minimize',
        description: 'mean validation loss over the domains',
      },
      {
        name: 'accuracy',
        direction: 'maximize',
        description: 'downstream accuracy, a sigmoid of val_loss',
      },
      ...(params.perSet
        ? this.domains.map(
            (d): MetricSpec => ({
              name: `val_${d}`,
              direction: 'minimize',
              description: `validation loss on ${d}`,
            }),
          )
        : []),
    ];
    this.costUnit = `100 steps of the ${this.target.scale} model (${params.cost === 'flops' ? '6 N D' : params.cost === 'table' ? 'per-size table' : `6 N D + ${params.overheadSteps} steps per run`})`;

    // Scaling constants: Hoffmann et al. (2022) fit, jittered per seed.
    const rs = rng.fork('scaling');
    const E = 1.69 * rs.uniformIn(0.9, 1.1);
    const A = 406.4 * rs.uniformIn(0.8, 1.2);
    const alpha = 0.34 * rs.uniformIn(0.9, 1.1);
    const B = 410.7 * rs.uniformIn(0.8, 1.2);
    const beta = 0.28 * rs.uniformIn(0.9, 1.1);
    const nStar = params.sizes[params.sizes.length - 1] as number;
    this.dStar = params.steps.max * params.tokensPerStep;
    const lStar = E + A / nStar ** alpha + B / this.dStar ** beta;
    const lo = 0.25;
    this.scaling = {
      E,
      A,
      alpha,
      B,
      beta,
      lo,
      hi: lo + rs.uniformIn(0.5, 0.65),
      kappa: 2.5 * rs.uniformIn(0.8, 1.2),
      tau: lStar + 0.2,
    };

    // Landscapes.
    const sample = new Float64Array(256 * k);
    const rsm = rng.fork('sample');
    for (let r = 0; r < 256; r++) sample.set(rsm.dirichlet(1, k), r * k);
    const wT = drawOptimum(rng.fork('target-optimum'), k, params.optimum);
    const L1 = plantWithSpread(rng.fork('target-plant'), wT, params.spread, sample);
    const Ln = endLandscape(rng.fork('size'), params.drift, params, L1, wT, sample);
    const LdRaw = endLandscape(rng.fork('steps'), params.stepDrift, params, L1, wT, sample);
    // Learning curves must fall: |∂ ln G/∂u_d| <= 0.6 β ln(z*/z_min) < the data term's slope.
    const Ld = {
      ...LdRaw,
      L: limitDifference(
        L1,
        LdRaw.L,
        k,
        0.6 * beta * Math.log(params.steps.max / params.steps.min),
      ),
    };
    this.planted = {
      target: wT,
      ...(Ln.planted !== undefined ? { smallSize: Ln.planted } : {}),
      ...(Ld.planted !== undefined ? { shortRun: Ld.planted } : {}),
    };
    this.t1 = L1.t;
    this.p1 = L1.p;
    const diff = (a: Float64Array, b: Float64Array): Float64Array =>
      a.map((x, i) => x - (b[i] as number));
    this.dtn = diff(Ln.L.t, L1.t);
    this.dpn = diff(Ln.L.p, L1.p);
    this.dtd = diff(Ld.L.t, L1.t);
    this.dpd = diff(Ld.L.p, L1.p);

    // Finite data: unique tokens per domain, shares ~ Dirichlet(2).
    if (params.unique !== undefined) {
      const share = rng.fork('unique').dirichlet(2, k);
      this.U = Float64Array.from(share, (s) => s * (params.unique as number));
      this.uniqueTokens = Array.from(this.U);
    } else this.U = undefined;

    // Scale coordinates and costs.
    const nMin = params.sizes[0] as number;
    this.un = Float64Array.from(params.sizes, (n) =>
      nStar > nMin ? Math.log(n / nMin) / Math.log(nStar / nMin) : 1,
    );
    this.zMin = params.steps.min;
    this.lnZ = Math.log(params.steps.max / params.steps.min);
    const table =
      params.costTable ?? params.sizes.map((n) => (n + 0.05 * nStar) / (nStar + 0.05 * nStar));
    this.perStep = Float64Array.from(params.sizes, (n, i) =>
      params.cost === 'table' ? (table[i] as number) : n / nStar,
    );
    this.overhead = Float64Array.from(this.perStep, (r) =>
      params.cost === 'overhead' ? (r * params.overheadSteps) / 100 : 0,
    );
    this.dots = new Float64Array(3 * k);
    this.repIdx = new Int32Array(k);
    this.repDelta = new Float64Array(k);
    this.fingerprint = `${createHash('sha256')
      .update(JSON.stringify([params, seed]))
      .digest('hex')
      .slice(0, 16)}-f${FAMILY_VERSION}`;
  }

  /** `dots[v] = t¹_v·w`, `dots[k+v] = Δtⁿ_v·w`, `dots[2k+v] = Δtᵈ_v·w` (once per mixture). */
  private prepare(w: ArrayLike<number>, dots: Float64Array): Float64Array {
    const k = this.k;
    for (let v = 0; v < k; v++) {
      const o = v * k;
      let a = 0;
      let b = 0;
      let c = 0;
      for (let j = 0; j < k; j++) {
        const x = w[j] as number;
        a += (this.t1[o + j] as number) * x;
        b += (this.dtn[o + j] as number) * x;
        c += (this.dtd[o + j] as number) * x;
      }
      dots[v] = a;
      dots[k + v] = b;
      dots[2 * k + v] = c;
    }
    return dots;
  }

  /**
   * `val_loss` at size index `s` after `steps` (no validation) from the
   * prepared dots of `w`; the per-set losses into `perSet` when given.
   */
  private loss(
    w: ArrayLike<number>,
    dots: Float64Array,
    s: number,
    steps: number,
    perSet?: Float64Array,
  ): number {
    const k = this.k;
    const { E, A, alpha, B, beta } = this.scaling;
    const N = this.params.sizes[s] as number;
    const un = 1 - (this.un[s] as number);
    const ud = 1 - Math.max(0, Math.min(1, Math.log(steps / this.zMin) / this.lnZ));
    const d = steps / this.params.steps.max;
    // Effective data (Muennighoff et al. 2023): delta[j] = x'_j - x_j for repeated domains.
    let Dp = d;
    let nRep = 0;
    if (this.U !== undefined) {
      const rstar = this.params.rstar;
      for (let j = 0; j < k; j++) {
        const xj = (w[j] as number) * d;
        const Uj = this.U[j] as number;
        if (xj > Uj) {
          const delta = Uj * (1 + rstar * (1 - Math.exp(-(xj / Uj - 1) / rstar))) - xj;
          this.repIdx[nRep] = j;
          this.repDelta[nRep] = delta;
          nRep++;
          Dp += delta;
        }
      }
    }
    let G = 0;
    for (let v = 0; v < k; v++) {
      let dot =
        (dots[v] as number) + un * (dots[k + v] as number) + ud * (dots[2 * k + v] as number);
      if (nRep > 0) {
        // t_v(u)·w' = (d t_v(u)·w + Σ_repeated t_vj(u) delta_j) / D'
        let corr = 0;
        for (let r = 0; r < nRep; r++) {
          const i = v * k + (this.repIdx[r] as number);
          const t =
            (this.t1[i] as number) + un * (this.dtn[i] as number) + ud * (this.dtd[i] as number);
          corr += t * (this.repDelta[r] as number);
        }
        dot = (d * dot + corr) / Dp;
      }
      const ev = Math.exp(
        (this.p1[v] as number) + un * (this.dpn[v] as number) + ud * (this.dpd[v] as number) + dot,
      );
      if (perSet !== undefined) perSet[v] = ev;
      G += ev;
    }
    const head = E + A / N ** alpha;
    const dataTerm = B / (Dp * this.dStar) ** beta;
    if (perSet !== undefined)
      for (let v = 0; v < k; v++) perSet[v] = head + dataTerm * k * (perSet[v] as number);
    return head + dataTerm * G;
  }

  private metricValue(
    o: number,
    w: ArrayLike<number>,
    dots: Float64Array,
    s: number,
    steps: number,
  ): number {
    if (o === 0) return this.loss(w, dots, s, steps);
    if (o === 1) {
      const { lo, hi, kappa, tau } = this.scaling;
      return lo + (hi - lo) / (1 + Math.exp(-kappa * (tau - this.loss(w, dots, s, steps))));
    }
    const per = new Float64Array(this.k);
    this.loss(w, dots, s, steps, per);
    return per[o - 2] as number;
  }

  evaluate(mixture: Mixture, scale: string, steps: number, metric: string): number {
    const q = checkQuery(this, mixture, scale, steps, metric);
    return this.metricValue(q.metric, mixture, this.prepare(mixture, this.dots), q.scale, steps);
  }

  evaluateAll(mixture: readonly number[], scale: string, steps: number): number[] {
    const q = checkQuery(this, mixture, scale, steps);
    const dots = this.prepare(mixture, this.dots);
    return this.metrics.map((_, o) => this.metricValue(o, mixture, dots, q.scale, steps));
  }

  curve(mixture: Mixture, scale: string, steps: number, metric: string): CurvePoint[] {
    const q = checkQuery(this, mixture, scale, steps, metric);
    const dots = this.prepare(mixture, this.dots);
    return loggedSteps(this.steps, steps).map((z) => ({
      step: z,
      value: this.metricValue(q.metric, mixture, dots, q.scale, z),
    }));
  }

  cost(scale: string, steps: number): number {
    const s = scaleIndex(this, scale);
    return ((this.perStep[s] as number) * steps) / 100 + (this.overhead[s] as number);
  }

  objective(metric: string, scale: string, steps: number): MixtureObjective {
    const o = metricIndex(this, metric);
    const s = scaleIndex(this, scale);
    const dots = new Float64Array(3 * this.k);
    return { value: (w) => this.metricValue(o, w, this.prepare(w, dots), s, steps) };
  }

  evaluateMany(mixtures: Float64Array, scale: string, steps: number, metric: string): Float64Array {
    const f = this.objective(metric, scale, steps);
    const n = Math.floor(mixtures.length / this.k);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++)
      out[r] = f.value(mixtures.subarray(r * this.k, r * this.k + this.k));
    return out;
  }

  referenceOptimum(metric: string): ReferenceOptimum {
    return referenceOptimum(this, metric, this.opts);
  }
}
