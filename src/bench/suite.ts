/**
 * Benchmark suites: a fixed list of cases (testbed, metric, optional
 * observation noise) × seeds, each run by the benchmark harness
 * (./run-benchmark.ts) with a list of methods, then scored
 * (./scoreboard.ts). `mixopt bench --suite dev|full` runs them.
 *
 * - `dev`: a few cases of every kind, few seeds; at most 15 minutes on 2
 *   cores (measured: BENCHMARKS.md, section *Suites*). For checking a change.
 * - `full`: every family preset, `law`, `slimpajama-mlp` (a few metrics),
 *   noisy variants and the fitted replay of recorded runs. For the record.
 *
 * Budget of a case: `budgetTargetRuns · c(m*, z*)`, a multiple of the cost of
 * one target run, so that a case on any testbed asks the same question ("what
 * do you know after the cost of B target runs?"). Seeds: the harness's
 * `seedFor(seed, s)`, the same for every case and method.
 *
 * A case whose testbed, metric or data is missing on this machine is skipped
 * with the reason (listed in the scoreboard), so the suite runs with whatever
 * exists. With an output folder the run is resumable: each case writes its
 * trajectories to `cases/<id>/bench.json.gz` when it ends, and a rerun keeps
 * the methods a stored case already has for the same seeds and budget,
 * running only the rest.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DataError, NotFoundError, type Testbed, ValidationError } from '../core/index.ts';
import { renderVegaLite } from '../report/vega-svg.ts';
import { listFamilyPresets, parseNoiseSpec } from '../testbeds/index.ts';
import { DEFAULT_PYTHON, isPeerMethod, optunaStatus, runPeers } from './peers.ts';
import { type BenchProgress, type BenchResult, runBenchmark, seedFor } from './run-benchmark.ts';
import {
  buildScoreboard,
  type CaseScore,
  type Scoreboard,
  scoreCase,
  uniformMixture,
} from './scoreboard.ts';
import { scoreboardChartSpec, scoreboardMarkdown } from './scoreboard-report.ts';
import type { ClockOptions } from './sim-clock.ts';
import { resolveTestbed, type TestbedRef } from './testbed-ref.ts';
import type { Trajectory } from './trajectory.ts';
import { readTrajectories, safeName, writeResults } from './write-results.ts';

/** One case of a suite. */
export interface SuiteCase {
  /** Unique, file-name-safe: `testbed/metric` (plus `+noise` for a noisy variant). */
  readonly id: string;
  /** A registered testbed name. */
  readonly testbed: string;
  /** A module exporting the testbed instead of the registered name (user testbeds, tests). */
  readonly module?: string;
  readonly metric: string;
  /** Observation noise spec (`--noise` syntax, docs/testbeds.md) replacing the testbed's own; absent: the testbed's own. */
  readonly noise?: string;
  /** Budget in target-run costs. */
  readonly budgetTargetRuns: number;
}

/** A suite: its cases and seeds. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  readonly seeds: number;
  readonly cases: readonly SuiteCase[];
}

/** Methods a suite runs by default (plus `optuna-tpe` where Optuna is installed: {@link defaultSuiteMethods}). */
export const SUITE_METHODS: readonly string[] = [
  'mfms-bo',
  'hyperband',
  'asha',
  'random',
  'bo',
  'mf-bo',
  'regmix',
];

/** Whether peer `method` runs on `clock` (sequential: every peer; a clock: optuna-tpe without jitter). */
function peerRunsOn(method: string, clock: ClockOptions | undefined): boolean {
  if (clock === undefined) return true;
  return method === 'optuna-tpe' && (clock.jitter ?? 0) === 0 && (clock.timePerCost ?? 1) === 1;
}

/** {@link SUITE_METHODS}, and the Optuna TPE peer when `python` can import optuna. */
export function defaultSuiteMethods(python: string = DEFAULT_PYTHON): string[] {
  return [...SUITE_METHODS, ...(optunaStatus(python).available ? ['optuna-tpe'] : [])];
}

const c = (testbed: string, metric: string, budgetTargetRuns: number): SuiteCase => ({
  id: `${testbed}/${metric}`,
  testbed,
  metric,
  budgetTargetRuns,
});

/** A noisy variant of a case: id suffix `+noise`. */
const noisy = (k: SuiteCase, noise: string): SuiteCase => ({ ...k, id: `${k.id}+noise`, noise });

/** Seed-to-seed noise of published runs is about 0.5-1% of the loss: 0.5% at the target, 3x for the smallest and shortest runs. */
const PUBLISHED_NOISE = 'sd=0.5%,corr=0.9,small=3,seed=7';

/** Budget of every case, in target-run costs (1,500 units on slimpajama-mlp is 7.6). */
const BUDGET_TARGET_RUNS = 8;

/** The `dev` suite: one case of each kind, 3 seeds (its wall time: BENCHMARKS.md, section *Suites*). */
export const DEV_SUITE: Suite = {
  name: 'dev',
  description:
    'one case of each kind (vertex, face with drift, noisy interior, reversal, law, slimpajama-mlp, fitted recorded runs), 3 seeds: for checking a change',
  seeds: 3,
  cases: [
    c('law', 'c4_cross_entropy', BUDGET_TARGET_RUNS),
    c('law', 'hellaswag_accuracy', BUDGET_TARGET_RUNS),
    c('slimpajama-mlp', 'commoncrawl_cross_entropy', BUDGET_TARGET_RUNS),
    c('slimpajama-mlp', 'hellaswag_accuracy', BUDGET_TARGET_RUNS),
    c('family-vertex', 'val_loss', BUDGET_TARGET_RUNS),
    c('family-face-drift', 'val_loss', BUDGET_TARGET_RUNS),
    c('family-interior-noisy', 'val_loss', BUDGET_TARGET_RUNS),
    c('family-reverse', 'val_loss', BUDGET_TARGET_RUNS),
    c('admire-ift-fit', 'mmlu_cot', BUDGET_TARGET_RUNS),
  ],
};

/**
 * The `full` suite: every family preset of the testbed registry (loss and
 * accuracy), law and slimpajama-mlp (4 metrics each), noisy variants of law,
 * slimpajama-mlp and two noise-free presets, the fitted ADMIRE replay; 8 seeds.
 */
export const FULL_SUITE: Suite = {
  name: 'full',
  description:
    'every family preset (loss and accuracy), law and slimpajama-mlp (4 metrics each), noisy variants, the fitted ADMIRE replay; 8 seeds',
  seeds: 8,
  cases: [
    ...listFamilyPresets().flatMap((p) => [
      c(p.name, 'val_loss', BUDGET_TARGET_RUNS),
      c(p.name, 'accuracy', BUDGET_TARGET_RUNS),
    ]),
    ...['c4_cross_entropy', 'wikipedia_cross_entropy', 'hellaswag_accuracy', 'piqa_accuracy'].map(
      (m) => c('law', m, BUDGET_TARGET_RUNS),
    ),
    ...[
      'commoncrawl_cross_entropy',
      'wikipedia_cross_entropy',
      'hellaswag_accuracy',
      'arc_easy_accuracy',
    ].map((m) => c('slimpajama-mlp', m, BUDGET_TARGET_RUNS)),
    noisy(c('law', 'c4_cross_entropy', BUDGET_TARGET_RUNS), PUBLISHED_NOISE),
    noisy(c('slimpajama-mlp', 'commoncrawl_cross_entropy', BUDGET_TARGET_RUNS), PUBLISHED_NOISE),
    noisy(c('slimpajama-mlp', 'hellaswag_accuracy', BUDGET_TARGET_RUNS), PUBLISHED_NOISE),
    noisy(c('family-vertex', 'val_loss', BUDGET_TARGET_RUNS), PUBLISHED_NOISE),
    noisy(c('family-reverse', 'val_loss', BUDGET_TARGET_RUNS), PUBLISHED_NOISE),
    c('admire-ift-fit', 'mmlu_cot', BUDGET_TARGET_RUNS),
    c('admire-ift-fit', 'gsm8k', BUDGET_TARGET_RUNS),
  ],
};

/** The suites by name. */
export const SUITES: Readonly<Record<string, Suite>> = { dev: DEV_SUITE, full: FULL_SUITE };

/**
 * A suite by name.
 * @throws NotFoundError naming the known suites.
 */
export function getSuite(name: string): Suite {
  const s = SUITES[name];
  if (s === undefined) {
    throw new NotFoundError(
      `unknown suite '${name}'; known suites: ${Object.keys(SUITES).join(', ')}`,
      { suite: name },
    );
  }
  return s;
}

/** The testbed reference of a case (./testbed-ref.ts). */
export function caseRef(k: SuiteCase, dataDir?: string): TestbedRef {
  // A noisy case replaces the testbed's own noise ('off' removes it).
  const noise =
    k.noise !== undefined ? { noise: parseNoiseSpec(k.noise, `case ${k.id}`) ?? null } : {};
  if (k.module !== undefined) return { module: k.module, ...noise };
  return { name: k.testbed, ...(dataDir !== undefined ? { dataDir } : {}), ...noise };
}

/** A case made ready to run: its testbed, budget, reference and uniform value; or why it cannot run. */
export type PreparedCase =
  | {
      readonly case: SuiteCase;
      readonly ok: true;
      readonly testbed: Testbed;
      readonly budget: number;
      readonly reference: number;
      readonly uniformValue: number;
    }
  | { readonly case: SuiteCase; readonly ok: false; readonly reason: string };

/**
 * Opens a case's testbed and checks what the scoreboard needs (the metric,
 * a reference optimum); a missing testbed or data file is a reason, not an error.
 * @throws errors other than missing testbeds, data or metrics (bugs, numerics).
 */
export async function prepareCase(k: SuiteCase, dataDir?: string): Promise<PreparedCase> {
  const fail = (reason: string): PreparedCase => ({ case: k, ok: false, reason });
  let testbed: Testbed;
  try {
    testbed = await resolveTestbed(caseRef(k, dataDir));
  } catch (err) {
    // The first clause names what is missing; the rest lists alternatives.
    if (err instanceof NotFoundError || err instanceof DataError)
      return fail(err.message.split('; ')[0] ?? err.message);
    throw err;
  }
  if (!testbed.metrics.some((m) => m.name === k.metric)) {
    return fail(
      `testbed '${k.testbed}' has no metric '${k.metric}' (it has ${testbed.metrics.map((m) => m.name).join(', ')})`,
    );
  }
  const ref = testbed.referenceOptimum?.(k.metric);
  if (ref === undefined)
    return fail(`testbed '${k.testbed}' has no reference optimum for ${k.metric}`);
  const { target } = testbed;
  const budget = k.budgetTargetRuns * testbed.cost(target.scale, target.steps);
  const u = uniformMixture(testbed.domains.length);
  const uniformValue =
    testbed.candidates === undefined
      ? testbed.evaluate(u, target.scale, target.steps, k.metric)
      : Number.NaN;
  if (!Number.isFinite(uniformValue)) {
    return fail(`the uniform mixture has no value on '${k.testbed}' (a replay testbed?)`);
  }
  return { case: k, ok: true, testbed, budget, reference: ref.value, uniformValue };
}

/** Progress of a suite: a finished job of one case. */
export interface SuiteProgress extends BenchProgress {
  readonly caseId: string;
  /** 1-based index of the case, and the number of cases. */
  readonly caseIndex: number;
  readonly cases: number;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  readonly suite: Suite;
  /** Default {@link defaultSuiteMethods}; peer methods (optuna-tpe) run through src/bench/peers.ts. */
  readonly methods?: readonly string[];
  /** Seeds per case (default: the suite's). */
  readonly seeds?: number;
  /** Root seed (default 0). */
  readonly seed?: number;
  /** Worker threads per case (default: available cores). */
  readonly workers?: number;
  /** Simulated workers and run durations of every job (./sim-clock.ts); absent: sequential. */
  readonly clock?: ClockOptions;
  readonly dataDir?: string;
  /** Interpreter of the Optuna peer (default /usr/bin/python3). */
  readonly python?: string;
  /** Output folder: per-case results and the scoreboard; makes the run resumable. */
  readonly out?: string;
  /** Only these case ids (default: all). */
  readonly only?: readonly string[];
  /** Shown in the scoreboard as how it was produced. */
  readonly command?: string;
  /** Modules that register optimisers, imported in every worker (URLs or specifiers). */
  readonly modules?: readonly string[];
  /** The method whose targets the scoreboard checks (default mfms-bo). */
  readonly subject?: string;
  readonly onProgress?: (e: SuiteProgress) => void;
  /** Called once per case before it runs (or when it is skipped or resumed). */
  readonly onCase?: (e: {
    caseId: string;
    status: 'run' | 'resumed' | 'skipped';
    detail?: string;
  }) => void;
}

/** A finished suite run. */
export interface SuiteResult {
  readonly scoreboard: Scoreboard;
  readonly cases: { readonly case: SuiteCase; readonly result: BenchResult }[];
  readonly meta: { readonly seed: number; readonly wallSeconds: number; readonly workers: number };
  /** Files written under `out`. */
  readonly files: string[];
}

/**
 * The cases of `suite` named in `only` (all of them when `only` is undefined), in suite order.
 * @throws NotFoundError for an id the suite does not have, listing its cases.
 */
export function selectCases(suite: Suite, only?: readonly string[]): SuiteCase[] {
  const known = suite.cases.map((k) => k.id);
  for (const id of only ?? []) {
    if (!known.includes(id)) {
      throw new NotFoundError(
        `suite '${suite.name}' has no case '${id}'; its cases: ${known.join(', ')}`,
      );
    }
  }
  return suite.cases.filter((k) => only === undefined || only.includes(k.id));
}

/** Stored trajectories of a case that match the request (same seeds, budget and clock, whole methods). */
function resumable(
  dir: string,
  methods: readonly string[],
  seeds: number,
  budget: number,
  seed: number,
  clock: ClockOptions | undefined,
): Trajectory[] {
  const path = join(dir, 'bench.json.gz');
  if (!existsSync(path)) return [];
  const ts = readTrajectories(path);
  const keep: Trajectory[] = [];
  for (const m of methods) {
    const mine = ts.filter(
      (t) =>
        t.method === m &&
        t.seed < seeds &&
        t.optimizerSeed === seedFor(seed, t.seed) &&
        Math.abs(t.budget - budget) <= 1e-9 * Math.max(1, budget) &&
        JSON.stringify(t.clock) === JSON.stringify(clock),
    );
    if (new Set(mine.map((t) => t.seed)).size === seeds) keep.push(...mine);
  }
  return keep;
}

/**
 * Runs a suite (see the module comment) and builds its scoreboard; with
 * `out`, writes `cases/<id>/` per case (./write-results.ts, gzipped),
 * `scoreboard.json`, `scoreboard.md` and `scoreboard.svg`.
 * @throws NotFoundError for an unknown method or case id; errors of the harness.
 */
export async function runSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const t0 = performance.now();
  const methods = [...(opts.methods ?? defaultSuiteMethods(opts.python))];
  if (methods.length === 0) throw new ValidationError('a suite needs at least one method');
  const seeds = opts.seeds ?? opts.suite.seeds;
  const seed = opts.seed ?? 0;
  const cases = selectCases(opts.suite, opts.only);
  const scored: CaseScore[] = [];
  const results: { case: SuiteCase; result: BenchResult }[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const files: string[] = [];
  const workers = opts.workers ?? availableParallelism();
  for (const [ci, k] of cases.entries()) {
    const p = await prepareCase(k, opts.dataDir);
    if (!p.ok) {
      skipped.push({ id: k.id, reason: p.reason });
      opts.onCase?.({ caseId: k.id, status: 'skipped', detail: p.reason });
      continue;
    }
    const dir = opts.out === undefined ? undefined : join(opts.out, 'cases', safeName(k.id));
    const stored =
      dir === undefined ? [] : resumable(dir, methods, seeds, p.budget, seed, opts.clock);
    const storedMethods = new Set(stored.map((t) => t.method));
    const todo = methods.filter((m) => !storedMethods.has(m));
    opts.onCase?.({
      caseId: k.id,
      status: todo.length === 0 ? 'resumed' : 'run',
      ...(storedMethods.size > 0 ? { detail: `kept ${[...storedMethods].join(', ')}` } : {}),
    });
    const progress = (e: BenchProgress): void =>
      opts.onProgress?.({ ...e, caseId: k.id, caseIndex: ci + 1, cases: cases.length });
    const common = {
      testbed: caseRef(k, opts.dataDir),
      metrics: [k.metric],
      seeds,
      seed,
      budget: p.budget,
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      onProgress: progress,
    };
    const include = [...stored];
    // With a simulated clock only optuna-tpe runs (on the clock, with the constant liar), and
    // only on a clock without jitter; the other peers are left out.
    const peers = todo.filter((m) => isPeerMethod(m) && peerRunsOn(m, opts.clock));
    const left = todo.filter((m) => isPeerMethod(m) && !peerRunsOn(m, opts.clock));
    if (left.length > 0)
      opts.onCase?.({
        caseId: k.id,
        status: 'run',
        detail: `${left.join(', ')} skipped (the Optuna driver runs only optuna-tpe on simulated workers, without jitter)`,
      });
    if (peers.length > 0) {
      const r = await runPeers({
        ...common,
        methods: peers,
        ...(opts.python !== undefined ? { python: opts.python } : {}),
        ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
      });
      if (r.skipped !== undefined)
        opts.onCase?.({ caseId: k.id, status: 'run', detail: r.skipped });
      include.push(...r.trajectories);
    }
    const own = todo.filter((m) => !isPeerMethod(m));
    const result = await runBenchmark({
      ...common,
      methods: own,
      include,
      ...(opts.modules !== undefined ? { modules: opts.modules } : {}),
      ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    });
    results.push({ case: k, result });
    // Methods in the requested order, whichever ran now and whichever were kept.
    const ordered = methods.flatMap((m) => result.trajectories.filter((t) => t.method === m));
    scored.push(
      scoreCase(ordered, {
        id: k.id,
        testbed: k.testbed,
        metric: k.metric,
        ...(k.noise !== undefined ? { noise: k.noise } : {}),
        reference: p.reference,
        uniformValue: p.uniformValue,
        summary: result.summary,
      }),
    );
    if (dir !== undefined && todo.length > 0) {
      files.push(
        ...(await writeResults(result, dir, { gzip: true, costUnit: p.testbed.costUnit })),
      );
    }
  }
  const scoreboard = buildScoreboard(scored, {
    suite: opts.suite.name,
    seeds,
    skipped,
    ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (opts.out !== undefined) {
    files.push(
      ...(await writeScoreboard(scoreboard, opts.out, {
        ...(opts.command !== undefined ? { command: opts.command } : {}),
        wallSeconds,
        workers,
      })),
    );
  }
  return { scoreboard, cases: results, meta: { seed, wallSeconds, workers }, files };
}

/** JSON replacer: finite numbers to 7 significant digits; +-∞ as strings (JSON has no infinity). */
function readable(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (Number.isFinite(v)) return Number(v.toPrecision(7));
  return Number.isNaN(v) ? null : v > 0 ? 'inf' : '-inf';
}

/** Writes `scoreboard.json`, `scoreboard.md` and `scoreboard.svg` under `dir`; returns the paths. */
export async function writeScoreboard(
  s: Scoreboard,
  dir: string,
  meta: { command?: string; wallSeconds?: number; workers?: number } = {},
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'scoreboard.json');
  writeFileSync(json, `${JSON.stringify({ meta, scoreboard: s }, readable, 1)}\n`);
  const md = join(dir, 'scoreboard.md');
  writeFileSync(md, scoreboardMarkdown(s, meta));
  const svg = join(dir, 'scoreboard.svg');
  writeFileSync(svg, await renderVegaLite(scoreboardChartSpec(s)));
  return [json, md, svg];
}
