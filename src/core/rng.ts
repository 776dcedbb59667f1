/**
 * Seeded random numbers. Every random choice in mixopt flows from an `Rng`;
 * `Math.random` is never used.
 *
 * Engine: xoroshiro128+ (pure-rand), 128-bit state. Uniforms carry 53 random
 * bits. Independent sub-streams come from {@link Rng.fork}: a child stream is
 * seeded from a hash of the parent's *seed path* and a label, so it does not
 * depend on how many numbers the parent has drawn (adding a draw somewhere
 * never shifts another component's stream).
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import {
  type xoroshiro128plus,
  xoroshiro128plusFromState,
} from 'pure-rand/generator/xoroshiro128plus';
import { ValidationError } from './errors.ts';

type Engine = ReturnType<typeof xoroshiro128plus>;

/** Serializable state of an {@link Rng}: restore with {@link Rng.fromState}. */
export interface RngState {
  readonly key: readonly number[];
  readonly engine: readonly number[];
  /** Cached second Box–Muller normal, or null. */
  readonly spare: number | null;
}

/** 32-bit avalanche (murmur3 fmix32): a bijection of uint32 whose output bits each depend on every input bit. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash a label (string or integer) into a 32-bit word. */
function hashLabel(label: string | number): number {
  const s = typeof label === 'number' ? `#${label}` : `s${label}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Derive a 4-word xoroshiro state from a key path (never all zero). */
function stateFromKey(key: readonly number[]): number[] {
  let h = 0x9e3779b9;
  for (const k of key) h = fmix32((h ^ k) + 0x7f4a7c15);
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    h = fmix32(h + 0x9e3779b9 * (i + 1));
    out.push(h | 0);
  }
  if (!out.some((v) => v !== 0)) out[0] = 1;
  return out;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new ValidationError(
      `seed must be a safe integer, got ${String(seed)}; pass e.g. --seed 0`,
      {
        seed,
      },
    );
  }
}

/** A seeded random number generator with the draws mixopt needs. */
export class Rng {
  private engine: Engine;
  private spare: number | null = null;
  /** The seed path: the root seed followed by the hashed labels of each fork. */
  private readonly key: readonly number[];

  /** A generator from an integer seed. */
  constructor(seed: number);
  /** @internal */
  constructor(seed: number, key: readonly number[], engine: Engine);
  constructor(seed: number, key?: readonly number[], engine?: Engine) {
    if (key === undefined || engine === undefined) {
      checkSeed(seed);
      // Split a 53-bit seed into two 32-bit words so every safe integer is distinct.
      const hi = Math.floor(seed / 2 ** 32) | 0;
      const lo = seed >>> 0;
      this.key = [lo | 0, hi];
      this.engine = xoroshiro128plusFromState(stateFromKey(this.key));
    } else {
      this.key = key;
      this.engine = engine;
    }
  }

  /** Restore a generator saved with {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0, [...state.key], xoroshiro128plusFromState([...state.engine]));
    rng.spare = state.spare;
    return rng;
  }

  /** The full state, as JSON-serialisable data. */
  getState(): RngState {
    return { key: [...this.key], engine: [...this.engine.getState()], spare: this.spare };
  }

  /**
   * An independent sub-stream named by `label`. Depends only on this
   * generator's seed path and the label, not on how much it has drawn.
   */
  fork(label: string | number): Rng {
    const key = [...this.key, hashLabel(label)];
    return new Rng(0, key, xoroshiro128plusFromState(stateFromKey(key)));
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    const c = new Rng(0, this.key, this.engine.clone());
    c.spare = this.spare;
    return c;
  }

  /** Uniform on [0, 1), 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.engine);
  }

  /** Uniform on the open interval (0, 1): never returns 0. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform on [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new ValidationError(`Rng.int needs a positive integer bound, got ${String(n)}`);
    }
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal draw (Box–Muller, polar form; the second value is cached). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /**
   * Gamma(shape, 1) draw (Marsaglia & Tsang 2000; for shape < 1 the
   * boost `G(a) = G(a + 1) U^(1/a)`).
   * @throws ValidationError when `shape` is not positive and finite.
   */
  gamma(shape: number): number {
    if (!(shape > 0) || !Number.isFinite(shape)) {
      throw new ValidationError(`gamma shape must be positive and finite, got ${String(shape)}`);
    }
    if (shape < 1) {
      const g = this.gamma(shape + 1);
      return g * this.uniformOpen() ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * Dirichlet(alpha) draw: normalised gammas. `alpha` is a vector, or a
   * scalar concentration with the dimension `k` given.
   */
  dirichlet(alpha: readonly number[] | number, k?: number): number[] {
    const a =
      typeof alpha === 'number' ? new Array<number>(k ?? Number.NaN).fill(alpha) : alpha.slice();
    if (a.length === 0 || a.some((x) => !(x > 0))) {
      throw new ValidationError(
        `dirichlet needs k >= 1 positive concentrations, got ${JSON.stringify(alpha)} (k=${String(k)})`,
      );
    }
    const g = a.map((x) => this.gamma(x));
    let s = 0;
    for (const x of g) s += x;
    if (!(s > 0)) {
      // Every gamma underflowed (tiny alpha): put all mass on one uniformly chosen vertex.
      const out = new Array<number>(a.length).fill(0);
      out[this.int(a.length)] = 1;
      return out;
    }
    return g.map((x) => x / s);
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }

  /** A uniformly chosen element. */
  choice<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new ValidationError('Rng.choice of an empty list');
    return xs[this.int(xs.length)] as T;
  }
}
