/**
 * Hyperband over training steps at the target scale (eta = 3), with random
 * mixtures and successive halving by *continuation*: a promoted configuration's
 * run is extended (`Proposal.continues`), so it is charged only the extra steps.
 * Brackets cycle `sMax, sMax-1, ..., 0, sMax, ...` while the budget lasts.
 * Schedule arithmetic: ./hyperband-schedule.ts.
 *
 * Stateless: a pure function of (seed, history). Configuration `c` of bracket
 * number `b` (counting from 0 across cycles) has the mixture drawn from
 * `new Rng(seed).fork('hyperband').fork(b).fork(c)`; each call replays the
 * schedule, recognising its configurations in the history by their (exact)
 * mixture at the target scale, and proposes the first slots not yet run.
 * When a rung still waits on pending runs, later brackets are opened instead
 * (so several workers can ask at once).
 *
 * Recommendation: the best configuration at the largest step count reached so
 * far by any target-scale run.
 */
import {
  activeRuns,
  type History,
  isBetter,
  type Mixture,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  type Recommendation,
  Rng,
  type RunRecord,
  ValidationError,
} from '../core/index.ts';
import { type HyperbandSchedule, hyperbandSchedule } from './hyperband-schedule.ts';
import { recommendBestObserved, valueAt } from './observed.ts';
import { sampleMixture } from './sample-mixture.ts';

const mixtureKey = (w: Mixture): string => w.join(',');

/** What the history says about one configuration (all its target-scale runs). */
interface ConfigRuns {
  readonly runs: RunRecord[];
}

function configValueAt(cfg: ConfigRuns | undefined, step: number): number | undefined {
  if (cfg === undefined) return undefined;
  for (const r of cfg.runs) {
    const v = valueAt(r, step);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The longest run of a configuration (the one a continuation extends). */
function head(cfg: ConfigRuns | undefined): RunRecord | undefined {
  let h: RunRecord | undefined;
  for (const r of cfg?.runs ?? []) if (h === undefined || r.steps > h.steps) h = r;
  return h;
}

/** Builds a Hyperband optimiser. Settings: `eta` (integer >= 2, default 3). */
export function createHyperband(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const etaSetting = ctx.settings?.['eta'] ?? 3;
  if (typeof etaSetting !== 'number') {
    throw new ValidationError(`hyperband setting eta must be a number, got ${String(etaSetting)}`);
  }
  const schedule: HyperbandSchedule = hyperbandSchedule({
    maxSteps: space.target.steps,
    minSteps: space.steps.min,
    logEvery: space.steps.logEvery,
    eta: etaSetting,
  });
  const root = new Rng(ctx.seed).fork('hyperband');
  const dir = space.metric.direction;
  const mixtures = new Map<string, number[]>();
  const mixtureOf = (b: number, c: number): number[] => {
    const k = `${b}/${c}`;
    let w = mixtures.get(k);
    if (w === undefined) {
      w = sampleMixture(root.fork(b).fork(c), space);
      mixtures.set(k, w);
    }
    return w;
  };

  function propose(history: History, n: number): Proposal[] {
    if (!Number.isInteger(n) || n < 1) {
      throw new ValidationError(`propose needs n >= 1 runs, got ${String(n)}`, { n });
    }
    const byKey = new Map<string, ConfigRuns>();
    for (const r of history.runs) {
      if (r.scale !== space.target.scale) continue;
      const k = mixtureKey(r.mixture);
      const cfg = byKey.get(k);
      if (cfg === undefined) byKey.set(k, { runs: [r] });
      else cfg.runs.push(r);
    }
    const out: Proposal[] = [];
    const nb = schedule.brackets.length;
    // Every bracket either lies wholly in the history or yields a proposal, so this ends.
    for (let b = 0; out.length < n && b <= history.runs.length + n + nb; b++) {
      const bracket = schedule.brackets[b % nb] as HyperbandSchedule['brackets'][number];
      const first = bracket.rungs[0] as { n: number };
      let set = Array.from({ length: first.n }, (_, c) => c);
      for (let i = 0; i < bracket.rungs.length && out.length < n; i++) {
        const steps = (bracket.rungs[i] as { steps: number }).steps;
        let blocked = false;
        for (const c of set) {
          const w = mixtureOf(b, c);
          const cfg = byKey.get(mixtureKey(w));
          const h = head(cfg);
          if (h === undefined || h.steps < steps) {
            if (out.length < n) {
              const cont = h !== undefined && h.state === 'completed' ? { continues: h.id } : {};
              out.push({ mixture: w, scale: space.target.scale, steps, ...cont });
            }
            blocked = true;
          } else if (
            configValueAt(cfg, steps) === undefined &&
            h.state !== 'failed' &&
            h.state !== 'stale'
          ) {
            blocked = true; // still running
          }
        }
        if (blocked || i + 1 === bracket.rungs.length) break;
        const keep = (bracket.rungs[i + 1] as { n: number }).n;
        const scored = set.map((c) => ({
          c,
          v: configValueAt(byKey.get(mixtureKey(mixtureOf(b, c))), steps),
        }));
        scored.sort((x, y) => {
          if (x.v === undefined || y.v === undefined) {
            return x.v === undefined ? (y.v === undefined ? x.c - y.c : 1) : -1;
          }
          if (isBetter(dir, x.v, y.v)) return -1;
          if (isBetter(dir, y.v, x.v)) return 1;
          return x.c - y.c;
        });
        set = scored.slice(0, keep).map((e) => e.c);
      }
    }
    return out;
  }

  function recommend(history: History): Recommendation | undefined {
    let level = -1;
    let best: RunRecord | undefined;
    let bestValue = 0;
    for (const r of activeRuns(history)) {
      if (r.scale !== space.target.scale) continue;
      for (const p of r.curve) {
        if (!Number.isFinite(p.value)) continue;
        if (
          p.step > level ||
          (p.step === level && best !== undefined && isBetter(dir, p.value, bestValue))
        ) {
          if (p.step > level) level = p.step;
          best = r;
          bestValue = p.value;
        }
      }
    }
    if (best === undefined) return recommendBestObserved(history, space);
    return {
      mixture: best.mixture,
      runId: best.id,
      basis: `best configuration at the largest budget reached (${level} steps)`,
    };
  }

  return { name: 'hyperband', propose, recommend };
}
