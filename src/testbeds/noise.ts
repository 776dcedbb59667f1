/**
 * Observation noise for any testbed: `withNoise(testbed, spec)` adds
 * `observe` (a noisy learning curve) and leaves `evaluate` / `curve` as the
 * noise-free truth.
 *
 * Notation:
 * - `f(z)` the true metric of a run after `z` steps; `y(z)` what is observed;
 * - `s` the relative standard deviation of the final value of a run at the
 *   target fidelity (`spec.sd`, e.g. 0.005 = 0.5%);
 * - `h(m, z) = small^((u_m + u_z) / 2)` the heteroscedastic factor, with
 *   `u_m = ln(N* / N_m) / ln(N* / N_min)` (0 at the target size, 1 at the
 *   smallest) and `u_z = ln(z* / z) / ln(z* / z_0)` clamped to [0, 1] (0 at the
 *   target length, 1 at the first logged step `z_0`); `h = 1` at the target;
 * - `e(z)` a standard Ornstein–Uhlenbeck process in `log2 z`: stationary
 *   N(0, 1), `corr(e(z1), e(z2)) = r^|log2(z2/z1)|` with `r = spec.corr` (the
 *   correlation of two points one doubling of steps apart: 1 = one offset per
 *   run, 0 = independent points);
 * - `y(z) = f(z) (1 + s h(m, z) e(z))`.
 *
 * Sample paths: `e` is generated on the fixed grid `g_i = i L` (`L` = the
 * testbed's `logEvery`), `e(g_1) = ξ_1`, `e(g_{i+1}) = φ_i e(g_i) +
 * sqrt(1 - φ_i²) ξ_{i+1}` with `φ_i = r^log2(g_{i+1}/g_i)`; a step between two
 * grid points is drawn from the OU bridge given its two neighbours (exact
 * conditional law, Markov property). The normals `ξ` are counter-based: a
 * hash of (noise seed, replicate, metric, size, mixture bits, index), so the
 * path of one replicate does not depend on how long the run is, and a
 * continuation (same replicate, more steps) sees the parent's values at every
 * step both curves log.
 */
import {
  type CurvePoint,
  fmix32,
  type Mixture,
  type Scale,
  type Testbed,
  ValidationError,
} from '../core/index.ts';
import { isSimulatorTestbed, type SimulatorTestbed } from './simulator.ts';

/** Observation noise settings (see the module comment). */
export interface ObservationNoise {
  /** Relative sd of a run's final value at the target fidelity (0.005 = 0.5%). */
  readonly sd: number;
  /** Correlation of the noise at two logged steps one doubling apart, in [0, 1]. */
  readonly corr: number;
  /** sd multiplier at the smallest size and shortest run (>= 1 grows noise for small/short runs). */
  readonly small: number;
  /** Noise seed (a non-negative integer). */
  readonly seed: number;
}

/** Defaults of the optional keys of a noise spec. */
export const NOISE_DEFAULTS: Readonly<Omit<ObservationNoise, 'sd'>> = {
  corr: 0.9,
  small: 2,
  seed: 0,
};

const NOISE_KEYS = ['sd', 'corr', 'small', 'seed'] as const;

function parseNumberOrPercent(key: string, v: string, where: string): number {
  const t = v.trim();
  const pct = t.endsWith('%');
  const x = Number(pct ? t.slice(0, -1) : t);
  if (t === '' || t === '%' || !Number.isFinite(x)) {
    throw new ValidationError(
      `${where}: ${key} = '${v}' is not a number; write e.g. ${key}=${key === 'sd' ? '0.5%' : '0.8'}`,
      { key, value: v },
    );
  }
  return pct ? x / 100 : x;
}

/**
 * Checks a noise spec's ranges and fills defaults.
 * @throws ValidationError naming the bad key and the accepted range.
 */
export function checkNoiseSpec(
  spec: Partial<ObservationNoise> & { sd: number },
  where = 'noise',
): ObservationNoise {
  const s: ObservationNoise = { ...NOISE_DEFAULTS, ...spec };
  const bad = (key: string, value: number, range: string): never => {
    throw new ValidationError(`${where}: ${key} = ${value} is out of range; accepted: ${range}`, {
      key,
      value,
    });
  };
  if (!(s.sd >= 0 && s.sd <= 0.5)) bad('sd', s.sd, '0 <= sd <= 0.5 (50%), e.g. sd=0.5%');
  if (!(s.corr >= 0 && s.corr <= 1)) bad('corr', s.corr, '0 <= corr <= 1');
  if (!(s.small >= 0 && s.small <= 100)) bad('small', s.small, '0 <= small <= 100');
  if (!Number.isSafeInteger(s.seed) || s.seed < 0) bad('seed', s.seed, 'a non-negative integer');
  return s;
}

/**
 * Parses a noise spec string:
 * - `off`, `none` or `0` -> undefined (no noise);
 * - `0.5%` or `0.005` -> `{ sd: 0.005 }` with the defaults;
 * - `sd=0.5%,corr=0.8,small=3,seed=1` (keys: sd, corr, small, seed; sd required).
 * @throws ValidationError naming the bad key or value and listing the valid keys.
 */
export function parseNoiseSpec(text: string, where = '--noise'): ObservationNoise | undefined {
  const t = text.trim();
  if (t === 'off' || t === 'none') return undefined;
  if (!t.includes('=')) {
    const sd = parseNumberOrPercent('sd', t, where);
    return sd === 0 ? undefined : checkNoiseSpec({ sd }, where);
  }
  const out: Record<string, number> = {};
  for (const part of t.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || !(NOISE_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(
        `${where}: unknown key '${key}' in '${text}'; valid keys: ${NOISE_KEYS.join(', ')} (e.g. sd=0.5%,corr=0.8,small=3,seed=1), or just a level like 0.5%`,
        { key, value: text },
      );
    }
    out[key] = parseNumberOrPercent(key, part.slice(eq + 1), where);
  }
  if (out.sd === undefined) {
    throw new ValidationError(`${where}: '${text}' sets no sd; add sd=LEVEL, e.g. sd=0.5%,${t}`, {
      value: text,
    });
  }
  if (out.sd === 0) return undefined;
  return checkNoiseSpec(out as Partial<ObservationNoise> & { sd: number }, where);
}

/** The spec as the string {@link parseNoiseSpec} reads back. */
export function formatNoiseSpec(s: ObservationNoise): string {
  return `sd=${+(s.sd * 100).toPrecision(6)}%,corr=${s.corr},small=${s.small},seed=${s.seed}`;
}

// ---------------------------------------------------------------------------
// Counter-based normals.

/** One murmur3_32 body step: mixes the 32-bit word `w` into the state `h`. */
function mixWord(h: number, w: number): number {
  let k = Math.imul(w >>> 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let x = (h ^ k) >>> 0;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) >>> 0;
}

function hashString(h: number, s: string): number {
  let x = mixWord(h, s.length);
  for (let i = 0; i < s.length; i++) x = mixWord(x, s.charCodeAt(i));
  return x;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A 32-bit key of (seed, replicate, metric, scale, mixture bits). */
export function noiseKey(
  seed: number,
  replicate: number,
  metric: string,
  scale: string,
  mixture: Mixture,
): number {
  let h = mixWord(mixWord(0x243f6a88, seed >>> 0), Math.floor(seed / 2 ** 32) >>> 0);
  h = mixWord(h, replicate >>> 0);
  h = mixWord(h, Math.floor(replicate / 2 ** 32) >>> 0);
  h = hashString(h, metric);
  h = hashString(h, scale);
  for (let i = 0; i < mixture.length; i++) {
    f64[0] = mixture[i] as number;
    h = mixWord(mixWord(h, u32[0] as number), u32[1] as number);
  }
  return fmix32(h);
}

/**
 * A standard normal determined by `(key, a, b)`: Box–Muller on two uniforms,
 * each the murmur3 finaliser of the key with `a`, `b` and a lane mixed in.
 */
export function hashNormal(key: number, a: number, b: number): number {
  const h = mixWord(mixWord(key, a), b);
  const u1 = (fmix32(mixWord(h, 1)) + 0.5) / 4294967296;
  const u2 = (fmix32(mixWord(h, 2)) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * `φ_i = corr^log2((i+1)/i)` for `i = 1..n-1`: the AR(1) coefficient from
 * grid point `i` to `i + 1` (index 0 unused), precomputed for speed.
 */
export function ouCoefficients(corr: number, n: number): Float64Array {
  const phi = new Float64Array(Math.max(1, n));
  for (let i = 1; i < n; i++)
    phi[i] = corr >= 1 ? 1 : corr <= 0 ? 0 : corr ** Math.log2((i + 1) / i);
  return phi;
}

/**
 * The OU path `e(z)` of one key at the given steps (ascending), on the grid
 * of spacing `L` (see the module comment).
 */
export function noisePath(
  key: number,
  corr: number,
  L: number,
  steps: readonly number[],
  phi: Float64Array = ouCoefficients(corr, 0),
): Float64Array {
  const out = new Float64Array(steps.length);
  const rho = (dz: number): number => (corr >= 1 ? 1 : corr <= 0 ? 0 : corr ** dz);
  // grid[i] = e(g_i), generated on demand by the recursion (grid[0] unused).
  let grid = new Float64Array(16);
  let gi = 0;
  const gridValue = (i: number): number => {
    if (i >= grid.length) {
      const g = new Float64Array(Math.max(2 * grid.length, i + 1));
      g.set(grid);
      grid = g;
    }
    while (gi < i) {
      const next = gi + 1;
      const xi = hashNormal(key, next, 0);
      if (gi === 0) grid[next] = xi;
      else {
        const f = gi < phi.length ? (phi[gi] as number) : rho(Math.log2(next / gi));
        grid[next] = f * (grid[gi] as number) + Math.sqrt(Math.max(0, 1 - f * f)) * xi;
      }
      gi = next;
    }
    return grid[i] as number;
  };
  for (let p = 0; p < steps.length; p++) {
    const z = steps[p] as number;
    const i = Math.floor(z / L);
    if (i >= 1 && i * L === z) {
      out[p] = gridValue(i);
      continue;
    }
    // Off the grid: the OU bridge between g_i (when i >= 1) and g_{i+1}.
    const xi = hashNormal(key, z >>> 0, 1);
    const right = gridValue(i + 1);
    const r2 = rho(Math.log2(((i + 1) * L) / z));
    if (i < 1) {
      out[p] = r2 * right + Math.sqrt(Math.max(0, 1 - r2 * r2)) * xi;
      continue;
    }
    const left = gridValue(i);
    const r1 = rho(Math.log2(z / (i * L)));
    const r12 = r1 * r2;
    const den = 1 - r12 * r12;
    if (den < 1e-12) {
      out[p] = left;
      continue;
    }
    const a = (r1 - r2 * r12) / den;
    const b = (r2 - r1 * r12) / den;
    const v = 1 - (r1 * a + r2 * b);
    out[p] = a * left + b * right + Math.sqrt(Math.max(0, v)) * xi;
  }
  return out;
}

/**
 * The noise replicate of run `index` of a job (or server session) with seed
 * `seed`: a 32-bit hash of the two, so the runs of one job differ and the
 * same seed reproduces them.
 */
export function replicateFor(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.floor(seed / 2 ** 32);
  h = Math.imul(h ^ (h >>> 13) ^ (index >>> 0), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// ---------------------------------------------------------------------------
// The wrapper.

/** A testbed wrapped by {@link withNoise}. */
export interface NoisyTestbed extends Testbed {
  /** The noise-free testbed it wraps. */
  readonly inner: Testbed;
  readonly noise: ObservationNoise;
  observe: NonNullable<Testbed['observe']>;
}

/** Whether `tb` was wrapped by {@link withNoise}. */
export function isNoisyTestbed(tb: Testbed): tb is NoisyTestbed {
  const t = tb as Partial<NoisyTestbed>;
  return typeof t.observe === 'function' && t.noise !== undefined && t.inner !== undefined;
}

/** The noise a testbed adds, or undefined when it is noise-free. */
export function noiseOf(tb: Testbed): ObservationNoise | undefined {
  return isNoisyTestbed(tb) ? tb.noise : undefined;
}

/**
 * The heteroscedastic factor `h(m, z)` of the module comment, as a function
 * with its constants precomputed.
 */
export function heteroscedasticFactor(
  tb: Testbed,
  small: number,
): (scale: string, step: number) => number {
  if (small === 1) return () => 1;
  const target = tb.scales.find((s) => s.name === tb.target.scale);
  const nMin = Math.min(...tb.scales.map((s: Scale) => s.params));
  const clamp = (x: number): number => Math.max(0, Math.min(x, 1));
  const hm = new Map(
    tb.scales.map((s) => {
      const um =
        target !== undefined && target.params > nMin
          ? Math.log(target.params / s.params) / Math.log(target.params / nMin)
          : 0;
      return [s.name, small ** (clamp(um) / 2)];
    }),
  );
  const z0 = Math.max(tb.steps.min, tb.steps.logEvery);
  const zs = tb.target.steps;
  const lz = zs > z0 ? Math.log(zs / z0) : 0;
  const hz = (step: number): number =>
    small ** ((lz > 0 ? clamp(Math.log(zs / step) / lz) : 0) / 2);
  // The step part on the logging grid, precomputed.
  const L = tb.steps.logEvery;
  const grid = Float64Array.from({ length: Math.floor(tb.steps.max / L) + 1 }, (_, i) =>
    i === 0 ? 1 : hz(i * L),
  );
  return (scale, step) => {
    const i = step / L;
    const h = Number.isInteger(i) && i > 0 && i < grid.length ? (grid[i] as number) : hz(step);
    return (hm.get(scale) ?? 1) * h;
  };
}

/**
 * Wraps `testbed` with observation noise `spec` (see the module comment):
 * `observe` returns `y(z) = f(z) (1 + s h(m, z) e(z))` at the steps of
 * `curve`; everything else (truth, cost, reference optimum, simulator extras)
 * is the inner testbed's. Wrapping a wrapped testbed replaces its noise;
 * `spec` undefined returns the noise-free testbed.
 * @throws ValidationError for an out-of-range spec.
 */
export function withNoise(testbed: Testbed, spec: ObservationNoise | undefined): Testbed {
  const inner = isNoisyTestbed(testbed) ? testbed.inner : testbed;
  if (spec === undefined || spec.sd === 0) return inner;
  const noise = checkNoiseSpec(spec);
  const L = inner.steps.logEvery;
  const het = heteroscedasticFactor(inner, noise.small);
  const phi = ouCoefficients(noise.corr, Math.floor(inner.steps.max / L) + 2);
  const observe = (
    mixture: Mixture,
    scale: string,
    steps: number,
    metric: string,
    replicate: number,
  ): CurvePoint[] => {
    if (!Number.isSafeInteger(replicate) || replicate < 0) {
      throw new ValidationError(
        `replicate must be a non-negative integer, got ${String(replicate)}`,
        { replicate },
      );
    }
    const truth = inner.curve(mixture, scale, steps, metric);
    const key = noiseKey(noise.seed, replicate, metric, scale, mixture);
    const e = noisePath(
      key,
      noise.corr,
      L,
      truth.map((p) => p.step),
      phi,
    );
    return truth.map((p, i) => ({
      step: p.step,
      value: p.value * (1 + noise.sd * het(scale, p.step) * (e[i] as number)),
    }));
  };
  const base: NoisyTestbed = {
    name: inner.name,
    description: `${inner.description} [observation noise ${formatNoiseSpec(noise)}]`,
    domains: inner.domains,
    scales: inner.scales,
    steps: inner.steps,
    metrics: inner.metrics,
    target: inner.target,
    costUnit: inner.costUnit,
    ...(inner.candidates !== undefined ? { candidates: inner.candidates } : {}),
    inner,
    noise,
    evaluate: (w, m, z, metric) => inner.evaluate(w, m, z, metric),
    curve: (w, m, z, metric) => inner.curve(w, m, z, metric),
    cost: (m, z) => inner.cost(m, z),
    ...(inner.referenceOptimum !== undefined
      ? { referenceOptimum: (metric: string) => inner.referenceOptimum?.(metric) }
      : {}),
    observe,
  };
  if (!isSimulatorTestbed(inner)) return base;
  const sim: SimulatorTestbed = inner;
  const extras: Pick<
    SimulatorTestbed,
    'fingerprint' | 'evaluateAll' | 'objective' | 'evaluateMany'
  > = {
    fingerprint: sim.fingerprint,
    evaluateAll: (w, m, z) => sim.evaluateAll(w, m, z),
    objective: (metric, m, z) => sim.objective(metric, m, z),
    evaluateMany: (ws, m, z, metric) => sim.evaluateMany(ws, m, z, metric),
  };
  return { ...base, ...extras };
}
