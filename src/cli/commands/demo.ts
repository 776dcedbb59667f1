/**
 * `mixopt demo` (`npm start`): the benchmark on the built-in `law` testbed
 * (no data files) with a few seeds and metrics and the available methods,
 * sized to finish in under 3 minutes on a 2-core machine: two metrics, two
 * seeds, and `mf-bo` left out by default (the slowest GP method, and not one
 * the headline compares; add it with `--methods`). Prints the speedups
 * over Hyperband and random search and writes the charts (default ./mixopt-demo/).
 */
import type { Command } from 'commander';
import { finalTable, runBenchmark, speedupTable, writeResults } from '../../bench/index.ts';
import { hasOptimizer } from '../../optimizers/index.ts';
import { jsonSummary, parseList, positiveInt, progressReporter } from '../shared/index.ts';

/** Methods the demo runs, in display order, when registered. */
export const DEMO_METHODS = ['mfms-bo', 'mfms-bo:paper', 'bo', 'hyperband', 'random'];
/** Metrics the demo runs: a validation loss and an accuracy whose ranking changes with scale. */
export const DEMO_METRICS = ['c4_cross_entropy', 'hellaswag_accuracy'];

interface DemoOptions {
  out: string;
  seeds: number;
  methods?: string[];
  metrics?: string[];
  workers?: number;
  json?: boolean;
  quiet?: boolean;
}

/** Adds `mixopt demo`. */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'quick benchmark on the built-in law testbed: speedups over hyperband and random, charts in ./mixopt-demo',
    )
    .option('--out <dir>', 'where to write the charts and tables', 'mixopt-demo')
    .option('--seeds <n>', 'seeds per method and metric', positiveInt('seeds'), 2)
    .option(
      '--methods <list>',
      `methods (default: those of ${DEMO_METHODS.join(', ')} that exist)`,
      parseList,
    )
    .option('--metrics <list>', `metrics (default ${DEMO_METRICS.join(', ')})`, parseList)
    .option('--workers <n>', 'worker threads (default: all cores)', positiveInt('workers'))
    .option('--json', 'print the summary as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (o: DemoOptions) => {
      const methods = o.methods ?? DEMO_METHODS.filter((m) => hasOptimizer(m));
      const progress = progressReporter(o.quiet === true);
      if (o.quiet !== true) {
        process.stderr.write(
          `mixopt demo: ${methods.join(', ')} on the law testbed, ${o.seeds} seeds, budget 1500 (about 7.6 full 1B runs)\n`,
        );
      }
      let result: Awaited<ReturnType<typeof runBenchmark>>;
      try {
        result = await runBenchmark({
          testbed: { name: 'law' },
          methods,
          metrics: o.metrics ?? DEMO_METRICS,
          seeds: o.seeds,
          ...(o.workers !== undefined ? { workers: o.workers } : {}),
          onProgress: progress.onProgress,
        });
      } finally {
        progress.end();
      }
      const files = await writeResults(result, o.out, {
        costUnit: 'cost (100 steps of the 1B model)',
      });
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify(jsonSummary(result, files))}\n`);
        return;
      }
      const s = result.summary;
      const baselines = ['hyperband', 'random'].filter((b) => s.methods.includes(b));
      const lines = [
        `Speedups on the law testbed (${s.seeds} seeds, budget ${s.budget}; docs/benchmarks.md: cost from which the mean curve stays at or better than the baseline's final value):`,
        '',
        speedupTable(s, s.methods, baselines),
        '',
        'Final target value of the recommended mixture (mean +- s.e.) and regret:',
        '',
        finalTable(s),
        '',
        `Wall time ${result.meta.wallSeconds.toFixed(1)} s on ${result.meta.workers} worker(s). Charts and tables: ${files.join(', ')}`,
      ];
      if (s.errors.length > 0)
        lines.push('', `${s.errors.length} job(s) failed: see ${o.out}/summary.md`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
