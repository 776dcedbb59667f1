/**
 * What a simulator testbed offers beyond the {@link Testbed} interface: fast,
 * unvalidated objective functions for the reference-optimum search, and a
 * fingerprint that keys the cache of optima.
 */
import type { Testbed } from '../core/index.ts';

/** A metric at a fixed fidelity as a function of the mixture (no validation; hot path). */
export interface MixtureObjective {
  /** Metric value at `w` (length k, on the simplex). */
  value(w: ArrayLike<number>): number;
  /** Value and gradient `d value / d w` (an unconstrained extension off the simplex) into `grad`. */
  valueAndGradient?(w: ArrayLike<number>, grad: Float64Array): number;
}

/** A testbed with a computable reference optimum. */
export interface SimulatorTestbed extends Testbed {
  /** Identifies the model (file hash or parameter hash + version) for caching. */
  readonly fingerprint: string;
  /** Every metric at once, in `metrics` order (validated). */
  evaluateAll(mixture: readonly number[], scale: string, steps: number): number[];
  /** The fast objective for one metric at one fidelity. */
  objective(metric: string, scale: string, steps: number): MixtureObjective;
  /**
   * Batch evaluation of one metric: `mixtures` is `n x k` row-major; returns
   * `n` values (no validation beyond shapes).
   */
  evaluateMany(mixtures: Float64Array, scale: string, steps: number, metric: string): Float64Array;
}

/** Whether a testbed offers the simulator extras. */
export function isSimulatorTestbed(tb: Testbed): tb is SimulatorTestbed {
  const t = tb as Partial<SimulatorTestbed>;
  return typeof t.objective === 'function' && typeof t.fingerprint === 'string';
}
