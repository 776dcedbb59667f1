/**
 * The built-in `law` testbed: scaling laws in model size and steps with a
 * mixture law of cross-domain transfer. Needs no data file (its fitted
 * parameters ship in `law-params.json`, produced by `scripts/calibrate-law.py`).
 *
 * Notation (see docs/testbeds.md):
 * - `w` mixture over the 5 training domains j; `n = params / 1e9`; `d = steps / 19700`;
 * - validation sets v (commoncrawl, c4, wikipedia, stackexchange, github, arxiv, book);
 * - transfer `T_vj(n) = exp(a_vj + b_vj ln n)`: how much domain j helps set v at size n;
 * - returns to concentration `ρ_v(n) = exp(r0_v + r1_v ln n)` (ρ < 1: diminishing
 *   returns per domain, mixing pays; ρ > 1: increasing returns, the most useful
 *   domain wins, the optimum sits at a vertex);
 * - effective data `d S_v` with the CES aggregate
 *   `S_v(w, n) = (Σ_j T_vj(n) (w_j + ε)^ρ_v(n))^(1/ρ_v(n))`;
 * - `L_v = E_v + A_v n^-α_v + B_v (d S_v)^-β_v`;
 * - `L_train = δ + Σ_j w_j L_dom(j)` (loss on the training mixture itself);
 * - `acc_a = lo_a + (hi_a - lo_a) σ(κ_a (τ_a - Σ_v c_av L_v))`.
 *
 * Cost: `6 N tokens` relative to the 1B model, in units of 100 steps of 1B:
 * `cost(m, z) = (N_m / 1e9) z / 100` (tokens per step cancel).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type CurvePoint,
  DataError,
  type MetricSpec,
  type Mixture,
  type ReferenceOptimum,
  type Scale,
} from '../core/index.ts';
import type { TestbedDirOptions } from './data-dir.ts';
import { checkQuery, loggedSteps, metricIndex, scaleIndex } from './query.ts';
import { referenceOptimum } from './reference-optimum.ts';
import type { MixtureObjective, SimulatorTestbed } from './simulator.ts';
import { metricSpecsFromOutputs, SLIMPAJAMA_SCALES, SLIMPAJAMA_STEPS } from './slimpajama-mlp.ts';

/** Parameters of one validation-set law. */
export interface LawValidationParams {
  readonly E: number;
  readonly A: number;
  readonly alpha: number;
  readonly B: number;
  readonly beta: number;
  /** Returns to concentration: `ρ(n) = exp(r0 + r1 ln n)`. */
  readonly r0: number;
  readonly r1: number;
  /** Transfer intercepts, one per training domain. */
  readonly a: readonly number[];
  /** Transfer slopes in `ln n`, one per training domain. */
  readonly b: readonly number[];
}

/** Parameters of one accuracy law. */
export interface LawAccuracyParams {
  readonly lo: number;
  readonly hi: number;
  readonly kappa: number;
  readonly tau: number;
  /** Weights on the validation losses (sum 1), in `validationSets` order. */
  readonly c: readonly number[];
}

/** The whole parameter file. */
export interface LawParams {
  readonly version: number;
  readonly eps: number;
  readonly domains: readonly string[];
  readonly validationSets: readonly string[];
  readonly validation: Readonly<Record<string, LawValidationParams>>;
  readonly train: { readonly delta: number };
  readonly accuracy: Readonly<Record<string, LawAccuracyParams>>;
  /** Values computed by the calibration script, pinned by tests. */
  readonly checks?: readonly {
    mixture: number[];
    scale: string;
    steps: number;
    values: Record<string, number>;
  }[];
  readonly report?: Readonly<Record<string, { r2: number; rmse: number }>>;
}

/** Where the committed parameters live. */
export const LAW_PARAMS_URL = new URL('./law-params.json', import.meta.url);

const ACCURACIES = ['hellaswag', 'piqa', 'arc_easy'];

/**
 * Loads and checks the law parameters (default: the committed file).
 * @throws DataError naming the file and the broken field.
 */
export function loadLawParams(path: string | URL = LAW_PARAMS_URL): LawParams {
  const where = String(path instanceof URL ? path.pathname : path);
  let p: LawParams;
  try {
    p = JSON.parse(readFileSync(path, 'utf8')) as LawParams;
  } catch (err) {
    throw new DataError(
      `cannot load law parameters ${where}: ${(err as Error).message}; regenerate with /usr/bin/python3 scripts/calibrate-law.py`,
      { path: where },
    );
  }
  function bad(what: string): never {
    throw new DataError(
      `malformed law parameters ${where}: ${what}; regenerate with /usr/bin/python3 scripts/calibrate-law.py`,
      { path: where },
    );
  }
  const fin = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  if (!Array.isArray(p.domains) || p.domains.length !== 5) bad("'domains' must list 5 domains");
  if (!Array.isArray(p.validationSets) || p.validationSets.length === 0)
    bad("'validationSets' missing");
  for (const v of p.validationSets) {
    const q = p.validation?.[v];
    if (q === undefined) bad(`no law for validation set '${v}'`);
    const ok =
      [q.E, q.A, q.alpha, q.B, q.beta, q.r0, q.r1].every(fin) &&
      q.a.length === 5 &&
      q.b.length === 5 &&
      [...q.a, ...q.b].every(fin);
    if (!ok) bad(`validation.${v} has a missing or non-finite parameter`);
  }
  for (const d of p.domains)
    if (!p.validationSets.includes(d)) bad(`domain '${d}' has no validation set`);
  if (!fin(p.train?.delta)) bad("'train.delta' missing");
  for (const a of ACCURACIES) {
    const q = p.accuracy?.[a];
    if (
      q === undefined ||
      ![q.lo, q.hi, q.kappa, q.tau].every(fin) ||
      q.c.length !== p.validationSets.length ||
      !q.c.every(fin)
    ) {
      bad(`accuracy.${a} missing or malformed`);
    }
  }
  if (!fin(p.eps)) bad("'eps' missing");
  return p;
}

/** Options for {@link createLawTestbed}. */
export interface LawOptions extends TestbedDirOptions {
  /** Parameters to use instead of the committed ones. */
  readonly params?: LawParams;
}

/** The metric names, in the same order as slimpajama-mlp. */
export const LAW_METRICS: readonly string[] = [
  'train_cross_entropy',
  'commoncrawl_cross_entropy',
  'c4_cross_entropy',
  'wikipedia_cross_entropy',
  'stackexchange_cross_entropy',
  'github_cross_entropy',
  'arxiv_cross_entropy',
  'book_cross_entropy',
  'hellaswag_accuracy',
  'piqa_accuracy',
  'arc_easy_accuracy',
];

/** Builds the `law` testbed (no file needed beyond the committed parameters). */
export function createLawTestbed(opts: LawOptions = {}): SimulatorTestbed {
  const params = opts.params ?? loadLawParams();
  return new LawTestbed(params, opts);
}

class LawTestbed implements SimulatorTestbed {
  readonly name = 'law';
  readonly description =
    'Built-in scaling-law testbed (no data file): per-domain laws in size and steps, cross-domain transfer that changes with scale; calibrated to slimpajama-mlp';
  readonly domains: readonly string[];
  readonly scales: readonly Scale[] = SLIMPAJAMA_SCALES.map((s) => ({
    name: s.name,
    params: s.params,
  }));
  readonly steps = SLIMPAJAMA_STEPS;
  readonly metrics: readonly MetricSpec[] = metricSpecsFromOutputs(LAW_METRICS);
  readonly target = { scale: '1B', steps: 19700 } as const;
  readonly costUnit = '100 steps of the 1B model (6 N tokens)';
  readonly fingerprint: string;
  private readonly vs: readonly LawValidationParams[];
  private readonly domainToVal: readonly number[];
  private readonly lossBuf: Float64Array;

  constructor(
    private readonly p: LawParams,
    private readonly dirs: TestbedDirOptions,
  ) {
    this.domains = p.domains;
    this.vs = p.validationSets.map((v) => p.validation[v] as LawValidationParams);
    this.domainToVal = p.domains.map((d) => p.validationSets.indexOf(d));
    this.lossBuf = new Float64Array(p.validationSets.length);
    this.fingerprint = `${createHash('sha256')
      .update(JSON.stringify([p.validation, p.train, p.accuracy, p.eps]))
      .digest('hex')
      .slice(0, 16)}-v1`;
  }

  /** All validation losses L_v into `L`. */
  private losses(w: ArrayLike<number>, n: number, d: number, L: Float64Array): void {
    const lnN = Math.log(n);
    const eps = this.p.eps;
    for (let v = 0; v < this.vs.length; v++) {
      const q = this.vs[v] as LawValidationParams;
      const rho = Math.exp(q.r0 + q.r1 * lnN);
      let S = 0;
      for (let j = 0; j < 5; j++) {
        const T = Math.exp((q.a[j] as number) + (q.b[j] as number) * lnN);
        S += T * ((w[j] as number) + eps) ** rho;
      }
      S **= 1 / rho;
      L[v] = q.E + q.A * n ** -q.alpha + q.B * (d * S) ** -q.beta;
    }
  }

  /** Metric `o` (index into LAW_METRICS) from the losses. */
  private metricFrom(o: number, w: ArrayLike<number>, L: Float64Array): number {
    if (o === 0) {
      let s = this.p.train.delta;
      for (let j = 0; j < 5; j++)
        s += (w[j] as number) * (L[this.domainToVal[j] as number] as number);
      return s;
    }
    if (o <= this.vs.length) return L[o - 1] as number;
    const q = this.p.accuracy[ACCURACIES[o - 1 - this.vs.length] as string] as LawAccuracyParams;
    let s = 0;
    for (let v = 0; v < L.length; v++) s += (q.c[v] as number) * (L[v] as number);
    return q.lo + (q.hi - q.lo) / (1 + Math.exp(-q.kappa * (q.tau - s)));
  }

  private all(w: ArrayLike<number>, s: number, steps: number): number[] {
    this.losses(w, (this.scales[s] as Scale).params / 1e9, steps / 19700, this.lossBuf);
    return LAW_METRICS.map((_, o) => this.metricFrom(o, w, this.lossBuf));
  }

  evaluateAll(mixture: Mixture, scale: string, steps: number): number[] {
    const q = checkQuery(this, mixture, scale, steps);
    return this.all(mixture, q.scale, steps);
  }

  evaluate(mixture: Mixture, scale: string, steps: number, metric: string): number {
    const q = checkQuery(this, mixture, scale, steps, metric);
    this.losses(mixture, (this.scales[q.scale] as Scale).params / 1e9, steps / 19700, this.lossBuf);
    return this.metricFrom(q.metric, mixture, this.lossBuf);
  }

  curve(mixture: Mixture, scale: string, steps: number, metric: string): CurvePoint[] {
    const q = checkQuery(this, mixture, scale, steps, metric);
    const n = (this.scales[q.scale] as Scale).params / 1e9;
    return loggedSteps(this.steps, steps).map((z) => {
      this.losses(mixture, n, z / 19700, this.lossBuf);
      return { step: z, value: this.metricFrom(q.metric, mixture, this.lossBuf) };
    });
  }

  cost(scale: string, steps: number): number {
    return (((this.scales[scaleIndex(this, scale)] as Scale).params / 1e9) * steps) / 100;
  }

  objective(metric: string, scale: string, steps: number): MixtureObjective {
    const o = metricIndex(this, metric);
    const n = (this.scales[scaleIndex(this, scale)] as Scale).params / 1e9;
    const d = steps / 19700;
    const L = new Float64Array(this.vs.length);
    return {
      value: (w) => {
        this.losses(w, n, d, L);
        return this.metricFrom(o, w, L);
      },
    };
  }

  evaluateMany(mixtures: Float64Array, scale: string, steps: number, metric: string): Float64Array {
    const f = this.objective(metric, scale, steps);
    const n = Math.floor(mixtures.length / 5);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = f.value(mixtures.subarray(r * 5, r * 5 + 5));
    return out;
  }

  referenceOptimum(metric: string): ReferenceOptimum {
    return referenceOptimum(this, metric, this.dirs);
  }
}
