/**
 * The knobs of the family testbeds (./family.ts): their types, defaults and
 * checks, the ad-hoc spec parser (`family:domains=10,optimum=interior,...`)
 * and the named presets. Every term is defined in docs/testbeds.md,
 * "Testbed families".
 */
import { ValidationError } from '../core/index.ts';
import { type ObservationNoise, parseNoiseSpec } from './noise.ts';

/** Where the optimum of `val_loss` lies at the target. */
export type OptimumKind = 'vertex' | 'face' | 'interior';
/** How the optimum moves from the smallest size (or shortest run) to the target. */
export type DriftKind = 'fixed' | 'drift' | 'reverse';
/** How a run's cost is computed. */
export type CostModel = 'flops' | 'table' | 'overhead';

/** The knobs of one family member (all required once checked; see {@link checkFamilyParams}). */
export interface FamilyParams {
  /** Number of domains k (3..20). */
  readonly domains: number;
  readonly optimum: OptimumKind;
  /** Movement of the optimum with model size (smallest size -> target size). */
  readonly drift: DriftKind;
  /** Movement of the optimum with steps (shortest run -> target length). */
  readonly stepDrift: DriftKind;
  /** Mean relative excess of the mixture term over Dirichlet(1) mixtures at the target (0.06 = 6%). */
  readonly spread: number;
  /** Unique tokens of all domains together, as a multiple of the target run's tokens; absent = unlimited. */
  readonly unique?: number;
  /** Muennighoff et al.'s R*: how many repetitions are worth `1 - 1/e` of fresh data (default 15.4). */
  readonly rstar: number;
  /** Model sizes in parameters, ascending; the largest is the target size. */
  readonly sizes: readonly number[];
  /** Step range and logging interval; `max` is the target length. */
  readonly steps: { readonly min: number; readonly max: number; readonly logEvery: number };
  /** Tokens per optimiser step (batch x sequence length). */
  readonly tokensPerStep: number;
  readonly cost: CostModel;
  /** cost=table: per-step cost of each size relative to the target size (one per size, last = 1). */
  readonly costTable?: readonly number[];
  /** cost=overhead: every run also pays this many steps of its size (start-up, evaluation). */
  readonly overheadSteps: number;
  /** Also expose the per-validation-set losses `val_<domain>` as metrics. */
  readonly perSet: boolean;
  /** Observation noise (absent = noise-free). */
  readonly noise?: ObservationNoise;
}

/** The defaults of every optional knob. */
export const FAMILY_DEFAULTS: FamilyParams = {
  domains: 5,
  optimum: 'interior',
  drift: 'fixed',
  stepDrift: 'fixed',
  spread: 0.06,
  rstar: 15.4,
  sizes: [20e6, 60e6, 150e6, 300e6, 600e6, 1e9],
  steps: { min: 500, max: 20000, logEvery: 100 },
  tokensPerStep: 524288,
  cost: 'flops',
  overheadSteps: 500,
  perSet: false,
};

const OPTIMA: readonly OptimumKind[] = ['vertex', 'face', 'interior'];
const DRIFTS: readonly DriftKind[] = ['fixed', 'drift', 'reverse'];
const COSTS: readonly CostModel[] = ['flops', 'table', 'overhead'];

/**
 * Fills defaults and checks every knob.
 * @throws ValidationError naming the knob, its value and the accepted range.
 */
export function checkFamilyParams(p: Partial<FamilyParams>, where = 'family'): FamilyParams {
  const q: FamilyParams = { ...FAMILY_DEFAULTS, ...p };
  const bad = (key: string, value: unknown, accepted: string): never => {
    throw new ValidationError(
      `${where}: ${key} = ${JSON.stringify(value)} is not accepted; ${accepted}`,
      { key, value },
    );
  };
  if (!Number.isInteger(q.domains) || q.domains < 3 || q.domains > 20)
    bad('domains', q.domains, 'an integer 3..20');
  if (!OPTIMA.includes(q.optimum)) bad('optimum', q.optimum, `one of ${OPTIMA.join(', ')}`);
  if (!DRIFTS.includes(q.drift)) bad('drift', q.drift, `one of ${DRIFTS.join(', ')}`);
  if (!DRIFTS.includes(q.stepDrift)) bad('stepDrift', q.stepDrift, `one of ${DRIFTS.join(', ')}`);
  if (!(q.spread > 0 && q.spread <= 1)) bad('spread', q.spread, 'a number in (0, 1], e.g. 0.06');
  if (q.unique !== undefined && !(q.unique > 0 && Number.isFinite(q.unique)))
    bad('unique', q.unique, 'a positive number (omit it for unlimited data)');
  if (!(q.rstar > 0 && Number.isFinite(q.rstar))) bad('rstar', q.rstar, 'a positive number');
  if (
    q.sizes.length < 1 ||
    !q.sizes.every(
      (s, i) => s >= 1e5 && Number.isFinite(s) && (i === 0 || s > (q.sizes[i - 1] as number)),
    )
  )
    bad('sizes', q.sizes, 'ascending parameter counts >= 1e5, e.g. 20M:60M:1B');
  const st = q.steps;
  if (
    !Number.isInteger(st.min) ||
    !Number.isInteger(st.max) ||
    !Number.isInteger(st.logEvery) ||
    st.min < 1 ||
    st.max <= st.min ||
    st.logEvery < 1 ||
    st.logEvery > st.max
  )
    bad('steps', st, 'integers min < max and 1 <= logEvery <= max, e.g. 500:20000:100');
  if (!(q.tokensPerStep >= 1 && Number.isFinite(q.tokensPerStep)))
    bad('tokensPerStep', q.tokensPerStep, 'a positive number');
  if (!COSTS.includes(q.cost)) bad('cost', q.cost, `one of ${COSTS.join(', ')}`);
  if (q.costTable !== undefined) {
    const t = q.costTable;
    if (
      t.length !== q.sizes.length ||
      !t.every((x, i) => x > 0 && Number.isFinite(x) && (i === 0 || x >= (t[i - 1] as number)))
    )
      bad('costTable', t, `${q.sizes.length} positive non-decreasing numbers, one per size`);
  }
  if (!(q.overheadSteps >= 0 && Number.isFinite(q.overheadSteps)))
    bad('overhead', q.overheadSteps, 'a non-negative number of steps');
  return q;
}

// ---------------------------------------------------------------------------
// Ad-hoc specs.

/** The keys an ad-hoc spec accepts, with a one-line meaning each. */
export const FAMILY_KEYS: Readonly<Record<string, string>> = {
  preset: 'start from a named preset (e.g. preset=family-vertex)',
  seed: 'generator seed (non-negative integer)',
  domains: 'number of domains, 3..20',
  optimum: 'vertex | face | interior',
  drift: 'optimum vs size: fixed | drift | reverse',
  stepDrift: 'optimum vs steps: fixed | drift | reverse',
  spread: 'mean relative excess of the mixture term at the target, e.g. 0.06 or 6%',
  unique: "unique tokens / target-run tokens (finite data), or 'inf'",
  rstar: "Muennighoff's R* (default 15.4)",
  sizes: 'colon-separated sizes, e.g. 20M:60M:150M:1B',
  steps: 'min:max or min:max:logEvery, e.g. 500:20000:100',
  tokensPerStep: 'tokens per step (default 524288)',
  cost: 'flops | table | overhead',
  costTable: 'colon-separated per-step cost of each size relative to the target',
  overhead: 'cost=overhead: extra steps every run pays (default 500)',
  perSet: 'true | false: also expose per-set losses val_<domain>',
  noise: "observation noise level, e.g. 0.5%, or 'off'",
  'noise.corr': 'noise correlation one doubling of steps apart, 0..1',
  'noise.small': 'noise multiplier at the smallest size and shortest run',
  'noise.seed': 'noise seed (default: the generator seed)',
};

/** A parsed ad-hoc spec: the knobs and the seed. */
export interface FamilySpec {
  readonly params: FamilyParams;
  readonly seed: number;
}

/** Parses `20M`, `1.3B`, `350000` into a parameter count. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMB]?)$/i.exec(s.trim());
  if (m === null) return Number.NaN;
  const mult = { '': 1, K: 1e3, M: 1e6, B: 1e9 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Number(m[1]) * mult;
}

/** A size as a ladder name: 2e7 -> `20M`, 1e9 -> `1B`, 1.3e9 -> `1.3B`. */
export function sizeName(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toPrecision(4)}B`;
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(4)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(4)}K`;
  return String(n);
}

/** The `key=value` pairs of a family spec's body. @throws ValidationError for an unknown or repeated key. */
function specPairs(where: string, body: string): Map<string, string> {
  const pairs = body === '' ? [] : body.split(',');
  const kv = new Map<string, string>();
  for (const part of pairs) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || !(key in FAMILY_KEYS)) {
      throw new ValidationError(
        `${where}: unknown key '${key}'${eq < 0 ? ' (expected key=value)' : ''}; valid keys: ${Object.keys(FAMILY_KEYS).join(', ')}`,
        { key },
      );
    }
    if (kv.has(key)) throw new ValidationError(`${where}: key '${key}' is given twice`, { key });
    kv.set(key, part.slice(eq + 1).trim());
  }
  return kv;
}

/** Value readers of one spec, whose errors name the spec. */
interface SpecReader {
  readonly where: string;
  /** A number, `5%` meaning 0.05. */
  num(key: string, v: string): number;
  oneOf<T extends string>(key: string, v: string, options: readonly T[]): T;
}

function specReader(where: string): SpecReader {
  return {
    where,
    num(key, v) {
      const pct = v.endsWith('%');
      const x = Number(pct ? v.slice(0, -1) : v);
      if (v === '' || !Number.isFinite(x))
        throw new ValidationError(
          `${where}: ${key} = '${v}' is not a number (${FAMILY_KEYS[key]})`,
          {
            key,
            value: v,
          },
        );
      return pct ? x / 100 : x;
    },
    oneOf<T extends string>(key: string, v: string, options: readonly T[]): T {
      if (!(options as readonly string[]).includes(v))
        throw new ValidationError(`${where}: ${key} = '${v}' is not one of ${options.join(', ')}`, {
          key,
          value: v,
        });
      return v as T;
    },
  };
}

type MutableFamilyParams = { -readonly [K in keyof FamilyParams]?: FamilyParams[K] };

/** Sets the family parameter `key` (any key but preset, seed and the noise keys). */
function applySpecKey(r: SpecReader, out: MutableFamilyParams, key: string, v: string): void {
  switch (key) {
    case 'domains':
      out.domains = r.num(key, v);
      break;
    case 'optimum':
      out.optimum = r.oneOf(key, v, OPTIMA);
      break;
    case 'drift':
      out.drift = r.oneOf(key, v, DRIFTS);
      break;
    case 'stepDrift':
      out.stepDrift = r.oneOf(key, v, DRIFTS);
      break;
    case 'spread':
      out.spread = r.num(key, v);
      break;
    case 'unique':
      if (v === 'inf' || v === 'none') delete out.unique;
      else out.unique = r.num(key, v);
      break;
    case 'rstar':
      out.rstar = r.num(key, v);
      break;
    case 'sizes':
      out.sizes = v.split(':').map((s) => {
        const n = parseSize(s);
        if (!Number.isFinite(n))
          throw new ValidationError(
            `${r.where}: sizes entry '${s}' is not a size; write e.g. sizes=20M:60M:1B`,
            { key, value: v },
          );
        return n;
      });
      break;
    case 'steps': {
      const parts = v.split(':').map((s) => r.num(key, s));
      if (parts.length < 2 || parts.length > 3)
        throw new ValidationError(
          `${r.where}: steps = '${v}' must be min:max or min:max:logEvery`,
          { key, value: v },
        );
      out.steps = {
        min: parts[0] as number,
        max: parts[1] as number,
        logEvery: parts[2] ?? FAMILY_DEFAULTS.steps.logEvery,
      };
      break;
    }
    case 'tokensPerStep':
      out.tokensPerStep = r.num(key, v);
      break;
    case 'cost':
      out.cost = r.oneOf(key, v, COSTS);
      break;
    case 'costTable':
      out.costTable = v.split(':').map((s) => r.num(key, s));
      break;
    case 'overhead':
      out.overheadSteps = r.num(key, v);
      break;
    case 'perSet':
      out.perSet = r.oneOf(key, v, ['true', 'false'] as const) === 'true';
      break;
  }
}

/**
 * The observation noise of a spec: `noise=` and `noise.*` keys over the base's noise (its
 * correlation, small-size factor and seed kept unless given); undefined removes the noise.
 */
function specNoise(
  r: SpecReader,
  base: FamilySpec,
  noiseLevel: string | undefined,
  noiseKeys: readonly string[],
  seed: number,
): ObservationNoise | undefined {
  const where = r.where;
  const prev = base.params.noise;
  const level = noiseLevel ?? (prev !== undefined ? String(prev.sd) : undefined);
  if (level === undefined)
    throw new ValidationError(
      `${where}: ${noiseKeys.map((k) => `noise.${k.split('=')[0]}`).join(', ')} given without a noise level; add noise=0.5% (for example)`,
    );
  const keep =
    prev !== undefined && noiseLevel === undefined
      ? [`corr=${prev.corr}`, `small=${prev.small}`, `seed=${prev.seed}`]
      : [];
  const merged = new Map<string, string>();
  for (const kvs of [...keep, ...noiseKeys]) {
    const [k, val] = kvs.split('=') as [string, string];
    merged.set(k, val);
  }
  if (!merged.has('seed')) merged.set('seed', String(seed));
  return parseNoiseSpec(
    level === 'off' || level === 'none'
      ? level
      : [`sd=${level}`, ...[...merged].map(([k, val]) => `${k}=${val}`)].join(','),
    `${where}: noise`,
  );
}

/**
 * Parses an ad-hoc family spec: `family:` followed by comma-separated
 * `key=value` pairs (keys: {@link FAMILY_KEYS}); unknown keys and bad
 * values are errors. `presets` resolves `preset=NAME`.
 * @throws ValidationError naming the bad key or value and listing the valid keys.
 */
export function parseFamilySpec(
  text: string,
  presets: (name: string) => FamilySpec | undefined,
): FamilySpec {
  const where = `testbed '${text}'`;
  const body = text.startsWith('family:') ? text.slice('family:'.length) : text;
  const kv = specPairs(where, body);
  const r = specReader(where);
  let base: FamilySpec = { params: FAMILY_DEFAULTS, seed: 0 };
  const presetName = kv.get('preset');
  if (presetName !== undefined) {
    const p = presets(presetName);
    if (p === undefined)
      throw new ValidationError(`${where}: preset '${presetName}' is not a family preset`, {
        key: 'preset',
        value: presetName,
      });
    base = p;
  }
  const out: MutableFamilyParams = { ...base.params };
  let seed = base.seed;
  let noiseLevel: string | undefined;
  const noiseKeys: string[] = [];
  for (const [key, v] of kv) {
    if (key === 'preset') continue;
    if (key === 'seed') {
      const s = r.num(key, v);
      if (!Number.isSafeInteger(s) || s < 0)
        throw new ValidationError(`${where}: seed = '${v}' must be a non-negative integer`, {
          key,
          value: v,
        });
      seed = s;
    } else if (key === 'noise') noiseLevel = v;
    else if (key.startsWith('noise.')) noiseKeys.push(`${key.slice('noise.'.length)}=${v}`);
    else applySpecKey(r, out, key, v);
  }
  if (noiseLevel !== undefined || noiseKeys.length > 0) {
    const spec = specNoise(r, base, noiseLevel, noiseKeys, seed);
    if (spec === undefined) delete out.noise;
    else out.noise = spec;
  }
  return { params: checkFamilyParams(out, where), seed };
}
