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
import {
  drawOptimum,
  endLandscape,
  limitDifference,
  plant,
  structureWithSpread,
} from './family-landscape.ts';
import { checkFamilyParams, type DriftKind, type FamilyParams, sizeName } from './family-params.ts';
import { withNoise } from './noise.ts';
import { checkQuery, loggedSteps, metricIndex, scaleIndex } from './query.ts';
import { referenceOptimum } from './reference-optimum.ts';
import type { MixtureObjective, SimulatorTestbed } from './simulator.ts';

/** Bump when the generator changes, so cached reference optima are recomputed. */
export const FAMILY_VERSION = 2;

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
  /**
   * How much of the short-run landscape's difference from the target's is
   * kept (1 = all; less when the cap that keeps learning curves falling
   * applied, and then the short-run optimum is not exactly `planted.shortRun`).
   */
  readonly stepDriftScale: number;
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
  readonly stepDriftScale: number;
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
  private readonly head: Float64Array;
  private readonly gridUd: Float64Array;
  private readonly gridData: Float64Array;
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
    const S = structureWithSpread(rng.fork('target-plant'), wT, params.spread, sample);
    const L1 = plant(S, wT);
    const end = (label: string, kind: DriftKind) =>
      endLandscape(rng.fork(label), kind, S, L1, wT, params.optimum, params.spread, sample);
    const Ln = end('size', params.drift);
    const LdRaw = end('steps', params.stepDrift);
    // Learning curves must fall: |∂ ln G/∂u_d| <= 0.6 β ln(z*/z_min) < the data term's slope.
    const capped = limitDifference(
      L1,
      LdRaw.L,
      k,
      0.6 * beta * Math.log(params.steps.max / params.steps.min),
    );
    const Ld = { ...LdRaw, L: capped.L };
    this.stepDriftScale = capped.factor;
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
    // Per-size head E + A/N^α, and per grid step (multiples of logEvery) 1 - u_d and B/D^β.
    this.head = Float64Array.from(params.sizes, (n) => E + A / n ** alpha);
    const nGrid = Math.floor(params.steps.max / params.steps.logEvery) + 1;
    this.gridUd = new Float64Array(nGrid);
    this.gridData = new Float64Array(nGrid);
    for (let i = 1; i < nGrid; i++) {
      const z = i * params.steps.logEvery;
      this.gridUd[i] = 1 - Math.max(0, Math.min(1, Math.log(z / this.zMin) / this.lnZ));
      this.gridData[i] = B / ((z / params.steps.max) * this.dStar) ** beta;
    }
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
    const { B, beta } = this.scaling;
    const un = 1 - (this.un[s] as number);
    // Step-dependent parts, from the per-grid-step tables when `steps` is a multiple of logEvery.
    const gi = steps / this.steps.logEvery;
    const onGrid = Number.isInteger(gi) && gi < this.gridUd.length;
    const ud = onGrid
      ? (this.gridUd[gi] as number)
      : 1 - Math.max(0, Math.min(1, Math.log(steps / this.zMin) / this.lnZ));
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
    const head = this.head[s] as number;
    const dataTerm =
      nRep === 0 && onGrid ? (this.gridData[gi] as number) : B / (Dp * this.dStar) ** beta;
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
