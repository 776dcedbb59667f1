/**
 * `mixopt transfer`: the scale-transfer (extrapolation) study. How well do
 * smaller models and partial runs predict the target? Fits the MFMS-GP on the
 * training side of each experiment's split and scores its predictions of
 * held-out final values (R², R² on logs, interval coverage).
 *
 *   mixopt transfer --testbed slimpajama-mlp --experiments all [--json]
 *   mixopt transfer --runs runs.csv --mapping mapping.json [--metrics a,b]
 *   mixopt transfer --replot results/transfer/slimpajama-mlp
 *   mixopt transfer --testbed runs.mapping.json --train 1M,60M --test 1B
 *
 * Outputs: a table on stdout (or the JSON summary with `--json`), and on
 * request `--csv PATH`, `--predictions PATH`, `--svg PATH` (R² bars),
 * `--rank-svg PATH` (Spearman ρ bars), `--calibration-svg PATH`, or all of
 * them with `--out DIR`. Progress on stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { DataError, type Testbed, ValidationError } from '../../core/index.ts';
import { openTestbed, readMappingFile, recordedSource } from '../../testbeds/index.ts';
import {
  ALL_EXPERIMENTS,
  type CustomScale,
  calibrationChartSpec,
  type ExperimentId,
  gbtPredictor,
  generateRunSet,
  loadRunSet,
  mfmsBoPredictor,
  predictionsCsv,
  type RunSet,
  r2ChartSpec,
  rankChartSpec,
  renderSvg,
  resultFromSummary,
  runTransfer,
  type SurrogateSpec,
  supportedExperiments,
  transferCsv,
  transferMarkdown,
  transferSummary,
  transferTable,
} from '../../transfer/index.ts';
import { reportFit } from '../shared/index.ts';

interface TransferCliOptions {
  testbed: string;
  dataDir?: string;
  cacheDir?: string;
  fit?: boolean;
  runs?: string;
  mapping?: string;
  experiments: string;
  metrics: string;
  seeds: number[];
  runSetSeed: number;
  runsPerScale?: Record<string, number>;
  noise?: number;
  noiseRelative?: boolean;
  halfTrain: 'final' | 'curve';
  testFraction: number;
  kernel: SurrogateSpec['kernel'];
  ard?: boolean;
  mean: SurrogateSpec['mean'];
  sizeEncoding: SurrogateSpec['sizeEncoding'];
  restarts: number;
  maxIter: number;
  maxFitPoints: number;
  maxPoints: number;
  predictor: 'gp' | 'gbt' | 'mfms';
  csv?: string;
  predictions?: string;
  svg?: string;
  rankSvg?: string;
  calibrationSvg?: string;
  train?: CustomScale[];
  test?: CustomScale;
  out?: string;
  paper?: boolean;
  json?: boolean;
  replot?: string;
  /** Whether --experiments was given (not the default). */
  experimentsGiven?: boolean;
}

function int(name: string, min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new ValidationError(`--${name} must be an integer >= ${min}, got '${v}'`, { value: v });
    }
    return n;
  };
}

function fraction(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0 && n < 1)) {
      throw new ValidationError(`--${name} must be a number in (0, 1), got '${v}'`, { value: v });
    }
    return n;
  };
}

function choice<T extends string>(name: string, allowed: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ValidationError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`, {
        value: v,
      });
    }
    return v as T;
  };
}

function seedList(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  return parts.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isSafeInteger(n) || n < 0) {
      throw new ValidationError(
        `--seeds takes comma-separated non-negative integers, e.g. --seeds 0,1,2; got '${v}'`,
        { value: v },
      );
    }
    return n;
  });
}

function countTable(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',')) {
    const [name, n] = part.split(':').map((s) => s.trim());
    const x = Number(n);
    if (name === undefined || name === '' || n === undefined || !Number.isInteger(x) || x < 0) {
      throw new ValidationError(
        `--runs-per-scale takes NAME:COUNT pairs, e.g. 20M:115,1B:68; got '${part}'`,
        { value: v },
      );
    }
    out[name] = x;
  }
  return out;
}

function nonNegative(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n >= 0) || !Number.isFinite(n)) {
      throw new ValidationError(`--${name} must be a number >= 0, got '${v}'`, { value: v });
    }
    return n;
  };
}

/**
 * Parses one size of a custom split: `SIZE`, `SIZE:FRACTION`, `SIZE@STEPS`
 * or `SIZE:FRACTION@STEPS` (e.g. `1B:0.5`, `60M@5000`).
 * @throws ValidationError naming the bad item and the accepted forms.
 */
export function parseCustomScale(item: string, flag: string): CustomScale {
  const m = /^([^:@\s]+)(?::([0-9.]+))?(?:@([0-9]+))?$/.exec(item.trim());
  const bad = (why: string): never => {
    throw new ValidationError(
      `${flag}: '${item}' ${why}; write SIZE, SIZE:FRACTION or SIZE@STEPS, e.g. ${flag} 1M,60M@5000,1B:0.5`,
      { value: item },
    );
  };
  if (m === null) return bad('is not a size');
  const fraction = m[2] === undefined ? undefined : Number(m[2]);
  if (fraction !== undefined && !(fraction > 0 && fraction <= 1))
    return bad('has a share outside (0, 1]');
  const maxSteps = m[3] === undefined ? undefined : Number(m[3]);
  if (maxSteps !== undefined && !(Number.isSafeInteger(maxSteps) && maxSteps > 0))
    return bad('has a step cap that is not a positive integer');
  return {
    scale: m[1] as string,
    ...(fraction !== undefined ? { fraction } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
  };
}

/** Parses `--train 1M,60M@5000,1B:0.5` (see {@link parseCustomScale}). */
export function parseTrainSizes(v: string): CustomScale[] {
  return v
    .split(',')
    .filter((x) => x.trim() !== '')
    .map((x) => parseCustomScale(x, '--train'));
}

/** Parses `--experiments all|E1,E3`. */
export function parseExperiments(v: string, supported: readonly ExperimentId[]): ExperimentId[] {
  if (v.trim() === 'all') return [...supported];
  const ids = v.split(',').map((s) => s.trim().toUpperCase());
  for (const id of ids) {
    if (!(ALL_EXPERIMENTS as readonly string[]).includes(id)) {
      throw new ValidationError(
        `--experiments: unknown experiment '${id}'; use 'all' or a list of ${ALL_EXPERIMENTS.join(', ')}`,
        { value: v },
      );
    }
  }
  return ids as ExperimentId[];
}

/** Writes `text` to `path`, gzipped when the name ends in `.gz`. */
function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

/** `--replot DIR`: redraw table, CSV and charts from DIR/summary.json without refitting. */
async function replot(dir: string, o: TransferCliOptions): Promise<void> {
  const path = join(dir, 'summary.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new DataError(
      `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); --replot needs a directory written by mixopt transfer --out DIR`,
      { path },
    );
  }
  const result = resultFromSummary(raw, path);
  const paper = o.paper ?? result.source.startsWith('testbed slimpajama-mlp');
  write(join(dir, 'results.csv'), transferCsv(result));
  write(join(dir, 'table.txt'), transferTable(result, { paper }));
  write(join(dir, 'table.md'), transferMarkdown(result, { paper }));
  write(join(dir, 'r2.svg'), await renderSvg(r2ChartSpec(result)));
  write(join(dir, 'rank.svg'), await renderSvg(rankChartSpec(result)));
  write(join(dir, 'calibration.svg'), await renderSvg(calibrationChartSpec(result)));
  process.stderr.write(
    `transfer: redrew results.csv, table.txt, table.md, r2.svg, rank.svg, calibration.svg in ${dir}\n`,
  );
  if (o.json === true) process.stdout.write(`${JSON.stringify(raw)}\n`);
  else process.stdout.write(transferTable(result, { paper }));
}

async function action(o: TransferCliOptions): Promise<void> {
  if (o.replot !== undefined) {
    await replot(o.replot, o);
    return;
  }
  const log = (s: string) => process.stderr.write(`${s}\n`);
  let runSet: RunSet;
  let testbed: Testbed | undefined;
  const dirs = {
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
    ...(o.fit === true ? { fit: true } : {}),
  };
  const recorded = o.runs === undefined ? recordedSource(o.testbed, dirs) : undefined;
  const metrics =
    o.metrics.trim() === 'all' ? undefined : o.metrics.split(',').map((s) => s.trim());
  if (o.runs !== undefined || o.mapping !== undefined) {
    if (o.runs === undefined || o.mapping === undefined) {
      throw new ValidationError(
        'the recorded-runs variant needs both --runs FILE (the CSV) and --mapping FILE (its column mapping JSON)',
      );
    }
    runSet = loadRunSet(o.runs, readMappingFile(o.mapping));
    log(`transfer: ${runSet.runs.length} recorded runs from ${o.runs}`);
  } else if (recorded !== undefined && !recorded.fit && o.fit !== true) {
    // Recorded runs (a mapping file or a registered replay): the study runs on the runs themselves.
    runSet = loadRunSet(recorded.csvPath, recorded.mapping);
    log(`transfer: ${runSet.runs.length} recorded runs from ${recorded.csvPath}`);
  } else {
    testbed = await openTestbed(o.testbed, dirs);
    reportFit(testbed, metrics);
    log(`transfer: generating the run set from ${testbed.name} (seed ${o.runSetSeed}) ...`);
    runSet = generateRunSet(testbed, {
      seed: o.runSetSeed,
      ...(metrics !== undefined ? { metrics } : {}),
      ...(o.runsPerScale !== undefined ? { runsPerScale: o.runsPerScale } : {}),
      ...(o.noise !== undefined
        ? { noise: { std: o.noise, relative: o.noiseRelative === true } }
        : {}),
    });
    log(
      `transfer: ${runSet.runs.length} runs, ${runSet.runs[0]?.steps.length ?? 0} logged points each`,
    );
  }
  if ((o.train === undefined) !== (o.test === undefined)) {
    throw new ValidationError(
      'a custom split needs both --train SIZES and --test SIZE, e.g. --train 1M,60M --test 1B',
    );
  }
  const custom =
    o.train !== undefined && o.test !== undefined ? { train: o.train, test: o.test } : undefined;
  // With --train/--test, the custom split alone unless --experiments asks for more.
  const experiments = [
    ...(custom !== undefined && o.experimentsGiven !== true
      ? []
      : parseExperiments(o.experiments, supportedExperiments(runSet))),
    ...(custom !== undefined ? (['custom'] as const) : []),
  ];
  const t0 = performance.now();
  const tb = testbed;
  const result = runTransfer(runSet, {
    experiments,
    ...(metrics !== undefined ? { metrics } : {}),
    seeds: o.seeds,
    split: {
      halfTrainPoints: o.halfTrain,
      testFraction: o.testFraction,
      ...(custom !== undefined ? { custom } : {}),
    },
    surrogate: {
      kernel: o.kernel,
      ardMixture: o.ard === true,
      mean: o.mean,
      sizeEncoding: o.sizeEncoding,
      restarts: o.restarts,
      maxIter: o.maxIter,
      maxFitPoints: o.maxFitPoints,
      maxPoints: o.maxPoints,
    },
    ...(o.predictor === 'gbt' ? { factory: gbtPredictor() } : {}),
    ...(o.predictor === 'mfms' ? { factory: mfmsBoPredictor() } : {}),
    ...(tb !== undefined ? { cost: (s: string, z: number) => tb.cost(s, z) } : {}),
    onProgress: (e) =>
      log(
        `[${e.done}/${e.total}] ${e.experiment} ${e.metric} seed ${e.seed}: R² ${e.r2.toFixed(3)} (${e.seconds.toFixed(1)}s, ${((performance.now() - t0) / 1000).toFixed(0)}s total)`,
      ),
  });
  const paper = o.paper ?? testbed?.name === 'slimpajama-mlp';
  const csv = transferCsv(result);
  const outFiles: [string | undefined, () => Promise<string> | string][] = [
    [o.csv ?? (o.out !== undefined ? join(o.out, 'results.csv') : undefined), () => csv],
    [
      o.predictions ?? (o.out !== undefined ? join(o.out, 'predictions.csv') : undefined),
      () => predictionsCsv(result),
    ],
    [
      o.svg ?? (o.out !== undefined ? join(o.out, 'r2.svg') : undefined),
      () => renderSvg(r2ChartSpec(result)),
    ],
    [
      o.rankSvg ?? (o.out !== undefined ? join(o.out, 'rank.svg') : undefined),
      () => renderSvg(rankChartSpec(result)),
    ],
    [
      o.calibrationSvg ?? (o.out !== undefined ? join(o.out, 'calibration.svg') : undefined),
      () => renderSvg(calibrationChartSpec(result)),
    ],
    [
      o.out !== undefined ? join(o.out, 'summary.json') : undefined,
      () => `${JSON.stringify(transferSummary(result), null, 2)}\n`,
    ],
    [
      o.out !== undefined ? join(o.out, 'table.txt') : undefined,
      () => transferTable(result, { paper }),
    ],
    [
      o.out !== undefined ? join(o.out, 'table.md') : undefined,
      () => transferMarkdown(result, { paper }),
    ],
  ];
  for (const [path, make] of outFiles) {
    if (path === undefined) continue;
    write(path, await make());
    log(`transfer: wrote ${path}`);
  }
  if (o.json === true) process.stdout.write(`${JSON.stringify(transferSummary(result))}\n`);
  else process.stdout.write(transferTable(result, { paper }));
}

/** Adds `mixopt transfer` to the program. */
export function register(program: Command): void {
  program
    .command('transfer')
    .description(
      'Scale-transfer study: how well do smaller models and partial runs predict held-out runs (E1..E8)?',
    )
    .option(
      '--testbed <name>',
      'testbed to generate the run set from (name, mapping file or module path); recorded runs are used as they are unless --fit',
      'slimpajama-mlp',
    )
    .option('--fit', 'open recorded runs as a fitted testbed and generate the run set from it')
    .option('--data-dir <dir>', 'directory of testbed data files')
    .option('--cache-dir <dir>', 'cache directory (fitted testbeds)')
    .option('--runs <file>', 'recorded runs (CSV) instead of a testbed')
    .option('--mapping <file>', 'column mapping (JSON) of --runs, as for recorded-runs testbeds')
    .option('--experiments <list>', "'all' or a list such as E1,E2,E6", 'all')
    .option(
      '--train <sizes>',
      'custom split: training sizes, each SIZE, SIZE:FRACTION (a share of its runs) or SIZE@STEPS (a step cap), e.g. 1M,60M@5000,1B:0.5',
      parseTrainSizes,
    )
    .option(
      '--test <size>',
      'custom split: the test size (its runs not used for training), or SIZE:FRACTION',
      (v: string) => parseCustomScale(v, '--test'),
    )
    .option('--metrics <list>', "'all' or a comma-separated list of metrics", 'all')
    .option('--seeds <list>', 'split seeds', seedList, [0, 1, 2])
    .option('--run-set-seed <n>', 'seed of the generated run set', int('run-set-seed', 0), 0)
    .option(
      '--runs-per-scale <pairs>',
      "runs per scale, e.g. 20M:115,1B:68 (default: the paper's)",
      countTable,
    )
    .option('--noise <std>', 'observation noise added to generated runs', nonNegative('noise'))
    .option('--noise-relative', 'make --noise a relative (multiplicative) error')
    .option(
      '--half-train <points>',
      'E1..E5 train on final values or whole curves: final|curve',
      choice('half-train', ['final', 'curve'] as const),
      'final',
    )
    .option(
      '--test-fraction <f>',
      'E6..E8 share of each size held out',
      fraction('test-fraction'),
      0.3,
    )
    .option(
      '--kernel <kind>',
      'kernel of each factor: rbf|matern52',
      choice('kernel', ['rbf', 'matern52'] as const),
      'rbf',
    )
    .option('--ard', 'one lengthscale per domain on the mixture factor')
    .option(
      '--mean <kind>',
      'prior mean: linear|constant|zero',
      choice('mean', ['linear', 'constant', 'zero'] as const),
      'linear',
    )
    .option(
      '--size-encoding <enc>',
      'model size input: log|linear',
      choice('size-encoding', ['log', 'linear'] as const),
      'log',
    )
    .option(
      '--predictor <kind>',
      "gp: the paper's MFMS-GP (default); gbt: RegMix's gradient-boosted trees on the same points; mfms: the surrogate mfms-bo proposes with, on the same points (docs/transfer.md)",
      choice('predictor', ['gp', 'gbt', 'mfms'] as const),
      'gp',
    )
    .option('--restarts <n>', 'L-BFGS-B starts per fit', int('restarts', 1), 3)
    .option('--max-iter <n>', 'L-BFGS-B iterations per start', int('max-iter', 1), 150)
    .option(
      '--max-fit-points <n>',
      'cap on points used to fit hyper-parameters',
      int('max-fit-points', 10),
      300,
    )
    .option('--max-points <n>', 'cap on points conditioned on', int('max-points', 10), 2000)
    .option('--csv <path>', 'write the results table as CSV')
    .option(
      '--predictions <path>',
      'write every held-out prediction as CSV (gzipped when the path ends in .gz)',
    )
    .option('--svg <path>', 'write the grouped R² bar chart (SVG)')
    .option('--rank-svg <path>', 'write the grouped Spearman ρ bar chart (SVG)')
    .option('--calibration-svg <path>', 'write the calibration chart (SVG)')
    .option(
      '--out <dir>',
      'write results.csv, predictions.csv, r2.svg, rank.svg, calibration.svg, summary.json, table.txt, table.md',
    )
    .option('--paper', "show the paper's R² beside ours (default on slimpajama-mlp)")
    .option('--replot <dir>', 'redraw table, CSV and charts from DIR/summary.json (no fitting)')
    .option('--json', 'print the JSON summary on stdout instead of the table')
    .action(async (o: TransferCliOptions, cmd: Command) => {
      o.experimentsGiven = cmd.getOptionValueSource('experiments') === 'cli';
      if (o.maxFitPoints > o.maxPoints) {
        throw new ValidationError(
          `--max-fit-points (${o.maxFitPoints}) must not exceed --max-points (${o.maxPoints})`,
        );
      }
      await action(o);
    });
}
