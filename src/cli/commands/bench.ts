/**
 * `mixopt bench`: methods x testbed x metrics x seeds under a budget; writes
 * the trajectories, the Markdown tables and one SVG chart per metric, prints
 * the speedup table (or, with `--json`, the summary) on stdout and progress on
 * stderr.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import {
  type BenchResult,
  type ClockOptions,
  defaultSuiteMethods,
  getSuite,
  isPeerMethod,
  prepareCase,
  readTrajectories,
  resolveTestbed,
  runBenchmark,
  runPeers,
  runSuite,
  scoreboardMarkdown,
  selectCases,
  speedupTable,
  summaryMarkdown,
  type TestbedRef,
  type Trajectory,
  validateClock,
  writeResults,
} from '../../bench/index.ts';
import { ValidationError } from '../../core/index.ts';
import { listOptimizers } from '../../optimizers/index.ts';
import { looksLikePath, parseNoiseSpec } from '../../testbeds/index.ts';
import {
  jsonSummary,
  NOISE_HELP,
  nonNegativeInt,
  parseList,
  positiveInt,
  positiveNumber,
  progressReporter,
  reportFit,
  writeBenchReport,
} from '../shared/index.ts';

/** Options shared by `bench` and `demo`. */
interface BenchCliOptions {
  testbed: string;
  testbedModule?: string;
  fit?: boolean;
  cacheDir?: string;
  methods?: string[];
  metrics: string;
  seeds: number;
  firstSeed?: number;
  budget?: number;
  out?: string;
  workers?: number;
  seed: number;
  batch?: number;
  json?: boolean;
  quiet?: boolean;
  dataDir?: string;
  include?: string[];
  gzip?: boolean;
  html?: boolean;
  png?: boolean;
  noise?: string;
  suite?: string;
  list?: boolean;
  cases?: string[];
  workersSim?: number;
  simJitter?: number;
  simOverhead?: string;
  optimizerModule?: string[];
  subject?: string;
}

/** The simulated clock of `--workers-sim`, `--sim-jitter` and `--sim-overhead` (undefined: sequential). */
export function clockOf(o: {
  workersSim?: number;
  simJitter?: number;
  simOverhead?: string;
}): ClockOptions | undefined {
  if (o.workersSim === undefined) {
    if (o.simJitter !== undefined || o.simOverhead !== undefined)
      throw new ValidationError('--sim-jitter and --sim-overhead need --workers-sim <q>');
    return undefined;
  }
  const overhead: Record<string, number> = {};
  for (const part of parseList(o.simOverhead ?? '')) {
    const [scale, v] = part.split('=');
    const t = Number(v);
    if (scale === undefined || scale === '' || v === undefined || !(t >= 0) || !Number.isFinite(t))
      throw new ValidationError(
        `--sim-overhead takes SCALE=TIME pairs, e.g. 20M=2,1B=10; got '${part}'`,
        { value: part },
      );
    overhead[scale] = t;
  }
  return validateClock({
    workers: o.workersSim,
    ...(o.simJitter !== undefined ? { jitter: o.simJitter } : {}),
    ...(Object.keys(overhead).length > 0 ? { overhead } : {}),
  });
}

function moduleUrl(p: string): string {
  return /^[a-z]+:/.test(p) ? p : pathToFileURL(isAbsolute(p) ? p : resolve(p)).href;
}

/**
 * `--optimizer-module`: URLs of modules that register optimisers (imported here
 * and in every worker), each checked to exist.
 * @throws ValidationError for a path that is not a file.
 */
export function optimizerModulesOf(o: { optimizerModule?: string[] }): string[] {
  return (o.optimizerModule ?? []).map((p) => {
    if (!/^[a-z]+:/.test(p) && !existsSync(resolve(p)))
      throw new ValidationError(
        `--optimizer-module: no file '${p}'; give the path of a module that calls registerOptimizer`,
        { value: p },
      );
    return moduleUrl(p);
  });
}

/**
 * The testbed reference of `--testbed` (a registered name, a mapping file or a
 * module path; paths made absolute for the workers) or `--testbed-module`
 * (a module path: its default export, or its export `testbed`).
 */
export function testbedRefOf(o: {
  testbed: string;
  testbedModule?: string;
  dataDir?: string;
  cacheDir?: string;
  fit?: boolean;
  noise?: string;
}): TestbedRef {
  // --noise: parsed here (exit 2 on a bad spec); 'off' = null removes a testbed's own noise.
  const noise = o.noise !== undefined ? { noise: parseNoiseSpec(o.noise) ?? null } : {};
  if (o.testbedModule !== undefined) {
    if (o.fit === true)
      throw new ValidationError('--fit applies to recorded runs, not to --testbed-module');
    return { module: moduleUrl(o.testbedModule), ...noise };
  }
  return {
    name: looksLikePath(o.testbed) ? resolve(o.testbed) : o.testbed,
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
    ...(o.fit === true ? { fit: true } : {}),
    ...noise,
  };
}

/**
 * Exit status of a finished benchmark: 0 when every job ran to the end, 4 when
 * every job failed, 1 when some did (their errors are in the summary).
 */
export function benchExitCode(result: BenchResult): number {
  const n = result.trajectories.length;
  const failed = result.summary.errors.length;
  if (failed === 0) return 0;
  return failed >= n ? 4 : 1;
}

/** Options that a suite fixes itself (so giving them with --suite is a mistake). */
const SUITE_FIXED = [
  'testbed',
  'testbedModule',
  'fit',
  'noise',
  'metrics',
  'budget',
  'firstSeed',
  'batch',
  'include',
  'gzip',
  'html',
  'png',
] as const;

/** `mixopt bench --suite NAME`: runs (or with --list, prints) a suite and its scoreboard. */
async function suiteAction(o: BenchCliOptions, cmd: Command): Promise<void> {
  const suite = getSuite(o.suite as string);
  const given = SUITE_FIXED.filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (given.length > 0) {
    throw new ValidationError(
      `--suite fixes the testbeds, metrics and budgets itself; drop ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
    );
  }
  const seeds = cmd.getOptionValueSource('seeds') === 'cli' ? o.seeds : suite.seeds;
  const modules = optimizerModulesOf(o);
  for (const m of modules) await import(m);
  const methods = o.methods ?? defaultSuiteMethods();
  if (o.subject !== undefined && !methods.includes(o.subject))
    throw new ValidationError(
      `--subject '${o.subject}' is not among the methods (${methods.join(', ')}); add it to --methods`,
      { value: o.subject },
    );
  if (o.list === true) {
    const rows: unknown[] = [];
    const lines = [
      `suite ${suite.name}: ${suite.description}`,
      `${suite.cases.length} cases x ${seeds} seeds; methods ${methods.join(', ')}`,
      '',
      '| case | testbed | metric | noise | budget (target runs) | status |',
      '|---|---|---|---|---:|---|',
    ];
    for (const k of selectCases(suite, o.cases)) {
      const p = await prepareCase(k, o.dataDir);
      const status = p.ok ? `ready (budget ${p.budget.toFixed(1)} units)` : `skipped: ${p.reason}`;
      lines.push(
        `| ${k.id} | ${k.testbed} | ${k.metric} | ${k.noise ?? '-'} | ${k.budgetTargetRuns} | ${status} |`,
      );
      rows.push({ ...k, ready: p.ok, ...(p.ok ? { budget: p.budget } : { reason: p.reason }) });
    }
    process.stdout.write(
      o.json === true
        ? `${JSON.stringify({ suite: suite.name, seeds, cases: rows })}\n`
        : `${lines.join('\n')}\n`,
    );
    return;
  }
  const clock = clockOf(o);
  const progress = progressReporter(o.quiet === true);
  const command = `mixopt bench --suite ${suite.name}${clock !== undefined ? ` --workers-sim ${clock.workers}` : ''}${o.methods !== undefined ? ` --methods ${o.methods.join(',')}` : ''}${o.cases !== undefined ? ` --cases ${o.cases.join(',')}` : ''}${o.optimizerModule !== undefined ? ` --optimizer-module ${o.optimizerModule.join(',')}` : ''}${o.subject !== undefined ? ` --subject ${o.subject}` : ''}${seeds !== suite.seeds ? ` --seeds ${seeds}` : ''}${o.seed !== 0 ? ` --seed ${o.seed}` : ''}${o.workers !== undefined ? ` --workers ${o.workers}` : ''}${o.out !== undefined ? ` --out ${o.out}` : ''}`;
  let result: Awaited<ReturnType<typeof runSuite>>;
  try {
    result = await runSuite({
      suite,
      ...(o.methods !== undefined ? { methods: o.methods } : {}),
      seeds,
      seed: o.seed,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(clock !== undefined ? { clock } : {}),
      ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
      ...(o.out !== undefined ? { out: o.out } : {}),
      ...(o.cases !== undefined ? { only: o.cases } : {}),
      ...(modules.length > 0 ? { modules } : {}),
      ...(o.subject !== undefined ? { subject: o.subject } : {}),
      command,
      onProgress: (e) =>
        progress.onProgress({
          ...e,
          method: `[${e.caseIndex}/${e.cases} ${e.caseId}] ${e.method}`,
        }),
      onCase: (e) => {
        if (o.quiet !== true && e.status !== 'run')
          process.stderr.write(
            `${e.caseId}: ${e.status}${e.detail !== undefined ? ` (${e.detail})` : ''}\n`,
          );
      },
    });
  } finally {
    progress.end();
  }
  const failed = result.scoreboard.cases.flatMap((c) =>
    Object.values(c.methods).map((m) => m.failed),
  );
  const nFailed = failed.reduce((a, b) => a + b, 0);
  if (nFailed > 0) {
    // Same convention as a single benchmark: 1 when some jobs failed (they are in the scoreboard).
    process.exitCode = 1;
    process.stderr.write(
      `mixopt bench --suite: ${nFailed} job(s) failed (see "Failed jobs" in the scoreboard)\n`,
    );
  }
  if (o.json === true) {
    process.stdout.write(
      `${JSON.stringify({ scoreboard: result.scoreboard, meta: result.meta, files: result.files }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : String(v)) : v))}\n`,
    );
    return;
  }
  process.stdout.write(scoreboardMarkdown(result.scoreboard, { command, ...result.meta }));
  if (result.files.length > 0)
    process.stdout.write(`\nwrote ${result.files.length} files under ${o.out}\n`);
}

async function benchAction(o: BenchCliOptions): Promise<void> {
  if (o.subject !== undefined)
    throw new ValidationError('--subject needs --suite (it names the method the targets check)');
  const testbed = testbedRefOf(o);
  const modules = optimizerModulesOf(o);
  for (const m of modules) await import(m);
  // Built once here: a fitted testbed prints its held-out fit quality (and
  // caches its fits for the workers); a bad name or file fails before any job.
  const tb = await resolveTestbed(testbed);
  reportFit(tb, o.metrics === 'all' ? undefined : parseList(o.metrics));
  if ((o.html === true || o.png === true) && o.out === undefined)
    throw new ValidationError(
      `--${o.html === true ? 'html' : 'png'} writes into the results folder: add --out DIR`,
    );
  const include: Trajectory[] = (o.include ?? []).flatMap((p) => readTrajectories(p));
  const methods = o.methods ?? listOptimizers().map((e) => e.name);
  const progress = progressReporter(o.quiet === true);
  // Peers (optuna-tpe, optuna-hyperband) run through the Optuna driver (src/bench/peers.ts).
  const peerMethods = methods.filter(isPeerMethod);
  // With --workers-sim, optuna-tpe runs on the same simulated workers in the driver (constant
  // liar); runPeers refuses optuna-hyperband and --sim-jitter there.
  const clock = clockOf(o);
  let result: BenchResult;
  try {
    if (peerMethods.length > 0) {
      const peers = await runPeers({
        testbed,
        methods: peerMethods,
        metrics: o.metrics === 'all' ? 'all' : parseList(o.metrics),
        seeds: o.seeds,
        seed: o.seed,
        ...(o.firstSeed !== undefined ? { firstSeed: o.firstSeed } : {}),
        ...(o.budget !== undefined ? { budget: o.budget } : {}),
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        ...(clock !== undefined ? { clock } : {}),
        onProgress: progress.onProgress,
      });
      if (peers.skipped !== undefined) process.stderr.write(`${peers.skipped}\n`);
      include.push(...peers.trajectories);
    }
    result = await runBenchmark({
      testbed,
      methods: methods.filter((m) => !isPeerMethod(m)),
      metrics: o.metrics === 'all' ? 'all' : parseList(o.metrics),
      seeds: o.seeds,
      seed: o.seed,
      ...(o.firstSeed !== undefined ? { firstSeed: o.firstSeed } : {}),
      ...(o.budget !== undefined ? { budget: o.budget } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.batch !== undefined ? { batch: o.batch } : {}),
      ...(clock !== undefined ? { clock } : {}),
      ...(modules.length > 0 ? { modules } : {}),
      include,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.end();
  }
  const files =
    o.out !== undefined ? await writeResults(result, o.out, { gzip: o.gzip === true }) : [];
  if (o.out !== undefined && (o.html === true || o.png === true))
    files.push(
      ...(await writeBenchReport(result, o.out, { html: o.html === true, png: o.png === true })),
    );
  const code = benchExitCode(result);
  if (code !== 0) {
    process.exitCode = code;
    process.stderr.write(
      `mixopt bench: ${result.summary.errors.length} of ${result.trajectories.length} jobs failed (see "Failed jobs" in the summary)\n`,
    );
  }
  if (o.json === true) {
    process.stdout.write(`${JSON.stringify(jsonSummary(result, files))}\n`);
    return;
  }
  process.stdout.write(summaryMarkdown(result.summary, result.meta));
  if (files.length > 0) process.stdout.write(`\nwrote ${files.join(', ')}\n`);
}

/** Adds `mixopt bench`. */
export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmark optimisers on a testbed: trajectories, speedups (docs/benchmarks.md), Markdown and SVG charts',
    )
    .option(
      '--testbed <name>',
      'registered testbed name, recorded-runs mapping file (.json) or module path (./my-testbed.mjs)',
      'slimpajama-mlp',
    )
    .option(
      '--testbed-module <path>',
      'a module whose default export (or export `testbed`) is the testbed; same as --testbed PATH',
    )
    .option('--fit', 'open recorded runs as a fitted testbed (a surrogate over the runs)')
    .option('--cache-dir <dir>', 'cache directory (fitted testbeds, reference optima)')
    .option(
      '--methods <list>',
      'comma-separated optimiser names (default: every registered one)',
      parseList,
    )
    .option('--metrics <list>', "comma-separated metric names, or 'all'", 'all')
    .option('--seeds <n>', 'seeds per method and metric', positiveInt('seeds'), 5)
    .option(
      '--first-seed <i>',
      'index of the first seed (run a suite in chunks, then merge with bench/merge.ts)',
      nonNegativeInt('first-seed'),
    )
    .option(
      '--budget <units>',
      'budget in cost units (default 1500 on slimpajama-mlp)',
      positiveNumber('budget'),
    )
    .option('--out <dir>', 'write bench.json, summary.md and <metric>.svg here')
    .option(
      '--workers <n>',
      'worker threads (default: all cores; 1 = none)',
      positiveInt('workers'),
    )
    .option('--seed <s>', 'root seed', nonNegativeInt('seed'), 0)
    .option('--batch <n>', 'runs proposed per round', positiveInt('batch'))
    .option(
      '--workers-sim <q>',
      'simulate q asynchronous workers (GPUs): a run takes time in proportion to its cost, the method is asked when a worker frees; records wall-clock times (docs/benchmarks.md). Not --workers, the threads that run the jobs',
      positiveInt('workers-sim'),
    )
    .option(
      '--sim-jitter <j>',
      "with --workers-sim: each run's duration varies by a factor uniform in [1-j, 1+j] (0 <= j < 1, seeded)",
      (v: string) => {
        const n = Number(v);
        if (!(n >= 0 && n < 1))
          throw new ValidationError(`--sim-jitter must be a number in [0, 1), got '${v}'`, {
            value: v,
          });
        return n;
      },
    )
    .option(
      '--sim-overhead <pairs>',
      'with --workers-sim: start-up time per scale before training, e.g. 20M=2,1B=10 (time units: cost units)',
    )
    .option(
      '--optimizer-module <paths>',
      'comma-separated modules that register optimisers (registerOptimizer; imported in every worker), so --methods can name them',
      parseList,
    )
    .option(
      '--subject <method>',
      'with --suite: the method whose targets the scoreboard checks (default mfms-bo)',
    )
    .option('--include <files...>', 'merge trajectories from these JSON files (other tools)')
    .option(
      '--gzip',
      'write the trajectories and the summary gzipped (bench.json.gz + summary.json.gz)',
    )
    .option('--data-dir <dir>', 'testbed data directory (default ../shared/testbeds)')
    .option('--noise <spec>', NOISE_HELP)
    .option('--html', 'also write report.html (self-contained HTML report) into --out')
    .option('--png', 'also write each chart as a PNG into --out (for slides)')
    .option(
      '--suite <name>',
      'run a benchmark suite (dev: at most 15 min on 2 cores; full) and write its scoreboard (docs/benchmarks.md)',
    )
    .option('--list', "with --suite: print the suite's cases and whether each can run here")
    .option(
      '--cases <ids>',
      'with --suite: run only these cases (comma-separated ids, as --list prints them)',
      parseList,
    )
    .option('--json', 'print the summary as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (o: BenchCliOptions, cmd: Command) => {
      if (o.suite !== undefined) await suiteAction(o, cmd);
      else if (o.list === true) throw new ValidationError('--list needs --suite dev|full');
      else await benchAction(o);
    });
}

export { benchAction, speedupTable };
