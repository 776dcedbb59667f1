/**
 * Asynchronous successive halving (ASHA; Li et al., "A System for Massively
 * Parallel Hyperparameter Tuning", MLSys 2020, Algorithm 2, with minimum
 * early-stopping rate 0): the rung ladder over model size and steps, and the
 * decision a free worker gets.
 *
 * Notation:
 * - `eta`  reduction factor (3): a rung keeps the best `1/eta` of its results.
 * - `c*`   cost of one target run `c(m*, z*)`.
 * - rung `k = 0..K` (0 the cheapest, `K` the target `(m*, z*)`), resource
 *          `C_k = c* / eta^(K-k)`, spent at fidelity `(m_k, z_k)`:
 *   - `m_k` the largest scale whose full-length run is affordable,
 *           `c(m, z*) <= C_k`; its `z_k = z*`;
 *   - when no scale is, the smallest scale `m_0` with `z_k` the most steps
 *           it affords, `max { z : c(m_0, z) <= C_k }` on the logging grid
 *           (multiples of `logEvery` in `min..z*`);
 *   - a level equal to the rung above is skipped; the ladder ends below the
 *     smallest admissible run (`c(m_0, min) > C_k`), or at `maxRungs` rungs
 *     (default 5, the five levels Hyperband has on slimpajama-mlp: without a
 *     cap, a ladder whose smallest runs cost 1/10,000 of a target run spends
 *     its budget on thousands of them, the minimum resource the ASHA paper
 *     leaves to the user).
 * - `n_k`  number of configurations with a result at rung `k`.
 *
 * A free worker gets: for `k = K-1, ..., 0`, the best configuration among
 * the top `floor(n_k / eta)` results of rung `k` that has not been promoted
 * yet (no run at rung `k+1`) is promoted to rung `k+1`; if no rung has one, a
 * new configuration starts at rung 0. Promotion within a scale continues the
 * run (charged only the extra steps); to a larger scale it is a new run of the
 * same mixture.
 */
import { type Direction, type Fidelity, isBetter, ValidationError } from '../core/index.ts';

/** What the ladder needs of a space. */
export interface AshaSpace {
  readonly scales: readonly { readonly name: string }[];
  readonly steps: { readonly min: number; readonly logEvery: number };
  readonly target: Fidelity;
  cost(scale: string, steps: number): number;
}

/**
 * The rung ladder, cheapest first, ending at the target (module comment).
 * @throws ValidationError unless `eta` is an integer >= 2 and `maxRungs` a positive integer.
 */
export function ashaLadder(space: AshaSpace, eta: number, maxRungs = 5): Fidelity[] {
  if (!Number.isInteger(eta) || eta < 2) {
    throw new ValidationError(`asha eta must be an integer >= 2, got ${String(eta)}`, { eta });
  }
  if (!Number.isInteger(maxRungs) || maxRungs < 1) {
    throw new ValidationError(`asha maxRungs must be a positive integer, got ${String(maxRungs)}`, {
      maxRungs,
    });
  }
  const { target, steps } = space;
  const top = space.cost(target.scale, target.steps);
  const targetIndex = space.scales.findIndex((s) => s.name === target.scale);
  const scales = space.scales.slice(0, targetIndex + 1).map((s) => s.name);
  const smallest = scales[0] as string;
  const grid: number[] = [];
  for (
    let z = Math.ceil(steps.min / steps.logEvery) * steps.logEvery;
    z < target.steps;
    z += steps.logEvery
  )
    grid.push(z);
  grid.push(target.steps);
  const ladder: Fidelity[] = [{ ...target }];
  for (let level = 1; ladder.length < maxRungs; level++) {
    const budget = top / eta ** level;
    let rung: Fidelity | undefined;
    for (let i = scales.length - 1; i >= 0 && rung === undefined; i--) {
      const m = scales[i] as string;
      if (space.cost(m, target.steps) <= budget) rung = { scale: m, steps: target.steps };
    }
    if (rung === undefined) {
      let z: number | undefined;
      for (const s of grid) if (space.cost(smallest, s) <= budget) z = s;
      if (z === undefined) break;
      rung = { scale: smallest, steps: z };
    }
    const above = ladder[0] as Fidelity;
    if (rung.scale !== above.scale || rung.steps !== above.steps) ladder.unshift(rung);
  }
  return ladder;
}

/** One configuration's standing at a rung. */
export interface RungResult {
  /** Configuration index (its order of arrival at rung 0). */
  readonly config: number;
  /** The metric at the rung's fidelity. */
  readonly value: number;
  /** Whether it already has a run (finished or not) at the next rung. */
  readonly promoted: boolean;
}

/** What a free worker does next. */
export type AshaDecision =
  | { readonly kind: 'promote'; readonly config: number; readonly from: number }
  | { readonly kind: 'grow' };

/**
 * The ASHA decision (module comment) from the results of each rung
 * (`rungs[k]`, rungs `0..K`; the top rung's results are never promoted).
 * Ties in value go to the lower configuration index.
 */
export function ashaDecision(
  rungs: readonly (readonly RungResult[])[],
  eta: number,
  direction: Direction,
): AshaDecision {
  for (let k = rungs.length - 2; k >= 0; k--) {
    const results = [...(rungs[k] as readonly RungResult[])];
    results.sort((a, b) =>
      isBetter(direction, a.value, b.value)
        ? -1
        : isBetter(direction, b.value, a.value)
          ? 1
          : a.config - b.config,
    );
    const top = results.slice(0, Math.floor(results.length / eta));
    const pick = top.find((r) => !r.promoted);
    if (pick !== undefined) return { kind: 'promote', config: pick.config, from: k };
  }
  return { kind: 'grow' };
}
