/**
 * The best-so-far trace of a study: after each finished trial (or a subset
 * of them), what the optimiser would recommend at the target and what it
 * predicts there, against the cost spent so far.
 *
 * Notation: trials finish at times `t_1 <= ... <= t_n`; `H(t)` is the history
 * of the trials finished by `t` (built by the caller, so that this module
 * needs no store); at each sampled `t_k`: `spent_k = H(t_k).spent`, the
 * recommendation `r_k = recommend(H(t_k))` with its prediction at the target
 * `mu_k` (90% interval `[lo_k, hi_k]`) when the optimiser has a surrogate,
 * and `best_k` the best observed value at the target fidelity so far.
 */
import type { Direction, Fidelity, History, Optimizer, Prediction } from '../core/index.ts';
import { isBetter } from '../core/index.ts';

/** One point of the trace. */
export interface TracePoint {
  /** Trials finished (completed or failed) by this point. */
  readonly trials: number;
  /** Cost spent by this point (units of 100 target steps). */
  readonly spent: number;
  /** The recommendation's predicted target value, when the optimiser predicts. */
  readonly predicted?: Prediction;
  /** Best value observed at the target fidelity so far. */
  readonly bestAtTarget?: number;
}

/** Options of {@link predictionTrace}. */
export interface TraceOptions {
  /** A fresh optimiser (the study's method, settings and seed). */
  readonly optimizer: () => Optimizer;
  /** The history of the trials finished by time `t` (ms since the epoch). */
  readonly historyAt: (t: number) => History;
  /** Finish times of the finished trials (any order). */
  readonly finishTimes: readonly number[];
  readonly target: Fidelity;
  readonly direction: Direction;
  /** At most this many recommendations are computed (evenly spread, the last included; default 16). */
  readonly maxPoints?: number;
}

/**
 * The trace at up to `maxPoints` finish times (see the module comment). The
 * best observed target value is exact at every sampled point; the
 * recommendation is refitted at each.
 */
export function predictionTrace(o: TraceOptions): TracePoint[] {
  const times = [...o.finishTimes].sort((a, b) => a - b);
  const n = times.length;
  if (n === 0) return [];
  const k = Math.max(1, Math.min(n, o.maxPoints ?? 16));
  const picks = new Set<number>();
  for (let j = 1; j <= k; j++) picks.add(Math.ceil((j * n) / k) - 1);
  const out: TracePoint[] = [];
  let lastT: number | undefined;
  for (const i of [...picks].sort((a, b) => a - b)) {
    const t = times[i] as number;
    if (t === lastT) continue; // one point per instant
    lastT = t;
    // Every trial finishing at the same instant belongs to this point.
    let finished = i + 1;
    while (finished < n && times[finished] === t) finished++;
    const h = o.historyAt(t);
    let best: number | undefined;
    for (const r of h.runs) {
      if (r.state !== 'completed' || r.scale !== o.target.scale) continue;
      for (const p of r.curve)
        if (
          p.step === o.target.steps &&
          (best === undefined || isBetter(o.direction, p.value, best))
        )
          best = p.value;
    }
    const rec = h.runs.some((r) => r.curve.length > 0) ? o.optimizer().recommend(h) : undefined;
    out.push({
      trials: finished,
      spent: h.spent,
      ...(rec?.predicted !== undefined ? { predicted: rec.predicted } : {}),
      ...(best !== undefined ? { bestAtTarget: best } : {}),
    });
  }
  return out;
}
