/**
 * ASHA, asynchronous successive halving over model size and steps (rung
 * ladder and decision: ./asha-schedule.ts), with random mixtures.
 *
 * Stateless: a pure function of (seed, history). Configuration `i` has the
 * mixture drawn from `new Rng(seed).fork('asha').fork(i)`; each call
 * recognises the configurations in the history by their (exact) mixture, in
 * order, so that `i` counts the configurations started so far. A run that is
 * pending or running at a rung counts as promoted there (no second worker
 * trains it) but gives no result yet; a failed run gives none either. A
 * batch (`n > 1`) is a sequence of decisions, each counting the proposals
 * before it as running.
 *
 * Recommendation: the best configuration at the highest rung with a result
 * (ties: the earlier configuration); the same cost accounting as every method
 * (the confirmation run at the target is charged unless it is a target run).
 */
import {
  type History,
  type Mixture,
  type Optimizer,
  type OptimizerContext,
  type Proposal,
  type Recommendation,
  Rng,
  type RunRecord,
  ValidationError,
} from '../core/index.ts';
import { ashaDecision, ashaLadder, type RungResult } from './asha-schedule.ts';
import { checkBatch } from './gp-common.ts';
import { recommendBestObserved, valueAt } from './observed.ts';
import { sampleMixture } from './sample-mixture.ts';

const mixtureKey = (w: Mixture): string => w.join(',');

/** The runs of one configuration, as the history shows them. */
interface Config {
  readonly index: number;
  readonly mixture: Mixture;
  readonly runs: RunRecord[];
}

/** Builds an ASHA optimiser. Settings: `eta` (integer >= 2, default 3), `maxRungs` (default 5). */
export function createAsha(ctx: OptimizerContext): Optimizer {
  const { space } = ctx;
  const etaSetting = ctx.settings?.['eta'] ?? 3;
  if (typeof etaSetting !== 'number') {
    throw new ValidationError(`asha setting eta must be a number, got ${String(etaSetting)}`);
  }
  const eta = etaSetting;
  const maxRungs = ctx.settings?.['maxRungs'] ?? 5;
  if (typeof maxRungs !== 'number') {
    throw new ValidationError(`asha setting maxRungs must be a number, got ${String(maxRungs)}`);
  }
  const ladder = ashaLadder(space, eta, maxRungs);
  const root = new Rng(ctx.seed).fork('asha');
  const drawn: Mixture[] = [];
  const mixtureOf = (i: number): Mixture => {
    while (drawn.length <= i) drawn.push(sampleMixture(root.fork(drawn.length), space));
    return drawn[i] as Mixture;
  };
  const dir = space.metric.direction;

  /** The configurations started so far, with their runs. */
  function configs(history: History): Config[] {
    const byKey = new Map<string, RunRecord[]>();
    for (const r of history.runs) {
      const k = mixtureKey(r.mixture);
      byKey.set(k, [...(byKey.get(k) ?? []), r]);
    }
    const out: Config[] = [];
    for (let i = 0; ; i++) {
      const w = mixtureOf(i);
      const runs = byKey.get(mixtureKey(w));
      if (runs === undefined) return out;
      out.push({ index: i, mixture: w, runs });
    }
  }

  /** The configuration's value at rung `k`, if a completed run observed it. */
  function resultAt(c: Config, k: number): number | undefined {
    const f = ladder[k] as (typeof ladder)[number];
    for (const r of c.runs) {
      if (r.scale !== f.scale || r.state === 'failed') continue;
      const v = valueAt(r, f.steps);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Whether the configuration has a run (finished or not, not failed) reaching rung `k`. */
  function reaches(c: Config, k: number): boolean {
    const f = ladder[k] as (typeof ladder)[number];
    return c.runs.some((r) => r.scale === f.scale && r.steps >= f.steps && r.state !== 'failed');
  }

  function rungTable(cs: readonly Config[]): RungResult[][] {
    return ladder.map((_f, k) =>
      cs.flatMap((c) => {
        const value = resultAt(c, k);
        return value === undefined
          ? []
          : [{ config: c.index, value, promoted: k + 1 < ladder.length && reaches(c, k + 1) }];
      }),
    );
  }

  function propose(history: History, n: number): Proposal[] {
    checkBatch(n);
    const cs = configs(history);
    const out: Proposal[] = [];
    for (let j = 0; j < n; j++) {
      const d = ashaDecision(rungTable(cs), eta, dir);
      let p: Proposal;
      if (d.kind === 'grow') {
        const f = ladder[0] as (typeof ladder)[number];
        p = { mixture: mixtureOf(cs.length), scale: f.scale, steps: f.steps };
        cs.push({ index: cs.length, mixture: p.mixture, runs: [] });
      } else {
        const c = cs[d.config] as Config;
        const from = ladder[d.from] as (typeof ladder)[number];
        const to = ladder[d.from + 1] as (typeof ladder)[number];
        const parent =
          from.scale === to.scale
            ? c.runs.find(
                (r) => r.state === 'completed' && r.scale === from.scale && r.steps === from.steps,
              )
            : undefined;
        p = {
          mixture: c.mixture,
          scale: to.scale,
          steps: to.steps,
          ...(parent !== undefined ? { continues: parent.id } : {}),
        };
      }
      out.push(p);
      // Counted as running for the next decision of this batch.
      const { mixture, scale, steps } = p;
      const c = cs.find((x) => x.mixture === mixture) as Config;
      c.runs.push({
        id: `pending-${j}`,
        mixture,
        scale,
        steps,
        curve: [],
        state: 'pending',
        cost: 0,
      });
    }
    return out;
  }

  function recommend(history: History): Recommendation | undefined {
    const table = rungTable(configs(history));
    for (let k = ladder.length - 1; k >= 0; k--) {
      let best: RungResult | undefined;
      for (const r of table[k] as RungResult[]) {
        if (best === undefined || isBetterResult(r, best)) best = r;
      }
      if (best === undefined) continue;
      const f = ladder[k] as (typeof ladder)[number];
      const w = mixtureOf(best.config);
      const run = history.runs.find(
        (r) =>
          r.state === 'completed' &&
          mixtureKey(r.mixture) === mixtureKey(w) &&
          r.scale === f.scale &&
          r.steps === f.steps,
      );
      return {
        mixture: w,
        ...(run !== undefined ? { runId: run.id } : {}),
        basis: `best configuration at the highest rung reached (${f.scale}, ${f.steps} steps)`,
      };
    }
    // No rung result yet (only failed or stopped runs): the best observed run.
    return recommendBestObserved(history, space);
  }

  function isBetterResult(a: RungResult, b: RungResult): boolean {
    if (a.value === b.value) return a.config < b.config;
    return dir === 'minimize' ? a.value < b.value : a.value > b.value;
  }

  return { name: 'asha', propose, recommend };
}
