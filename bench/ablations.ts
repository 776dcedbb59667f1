/**
 * MFMS-BO ablations: the default `mfms-bo` against variants that each toggle
 * one choice back (bench/ablation-variants.ts), plus `mfms-bo:paper`,
 * `hyperband` and `random` for reference, through the benchmark harness.
 *
 * Reported per method: final regret at the budget (mean over seeds and metrics,
 * and per metric), the regret at a quarter of the budget, and the median
 * speedup (docs/benchmarks.md) over `hyperband`, `random` and `mfms-bo:paper`, plus the
 * job seconds per method.
 *
 * Run: node --import tsx bench/ablations.ts [--testbed law] [--metrics a,b|all]
 *      [--seeds 3] [--budget 1500] [--workers 2] [--variants no-refit,best-raw,...]
 *      [--baselines mfms-bo:paper,hyperband,random]
 *      [--out bench/results/ablations-law.json]
 * The table is printed; BENCHMARKS.md "## MFMS-BO ablations" quotes it with a reading.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchSummary, runBenchmark } from '../src/bench/index.ts';
import { ABLATIONS } from './ablation-variants.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const testbed = arg('testbed', 'law');
const metricsArg = arg(
  'metrics',
  'c4_cross_entropy,wikipedia_cross_entropy,arxiv_cross_entropy,hellaswag_accuracy',
);
const seeds = Number(arg('seeds', '3'));
const budget = Number(arg('budget', '1500'));
const workers = Number(arg('workers', '2'));
const variants = arg('variants', Object.keys(ABLATIONS).join(',')).split(',');
const out = arg('out', `bench/results/ablations-${testbed}.json`);

const variantModule = pathToFileURL(
  new URL('./ablation-variants.ts', import.meta.url).pathname,
).href;
await import(variantModule);

const baselines = arg('baselines', 'mfms-bo:paper,hyperband,random').split(',');
const methods = ['mfms-bo', ...variants.map((v) => `mfms-bo:abl-${v}`), ...baselines];
const t0 = performance.now();
const result = await runBenchmark({
  testbed: { name: testbed },
  methods,
  metrics: metricsArg === 'all' ? 'all' : metricsArg.split(','),
  seeds,
  budget,
  workers,
  modules: [variantModule],
  onProgress: (e) =>
    process.stderr.write(
      `\r${e.done}/${e.total} ${e.method} ${e.metric} seed ${e.seed} ${e.seconds.toFixed(1)}s${e.error ? ` ERROR ${e.error}` : ''}      `,
    ),
});
const wall = (performance.now() - t0) / 1000;
process.stderr.write('\n');
const s: BenchSummary = result.summary;

/** Mean regret over seeds at cost `x` on the mean curve, averaged over metrics. */
function regretAt(method: string, frac: number): number {
  let total = 0;
  let n = 0;
  for (const metric of s.metrics) {
    const c = s.curves[method]?.[metric];
    const ref = s.reference[metric];
    if (c === undefined || ref === undefined) continue;
    const i = Math.min(s.grid.length - 1, Math.round(frac * (s.grid.length - 1)));
    const v = c.mean[i];
    if (v === undefined || v === null || !Number.isFinite(v)) continue;
    total += s.directions[metric] === 'minimize' ? v - ref : ref - v;
    n++;
  }
  return n > 0 ? total / n : Number.NaN;
}

const fmt = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/r' : x.toFixed(d);
const fmtE = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : 'n/a');

const lines: string[] = [];
lines.push(
  `Testbed \`${testbed}\`, metrics ${s.metrics.map((m) => `\`${m}\``).join(', ')}; ${seeds} seeds; budget ${budget} units; wall ${wall.toFixed(0)} s on ${result.meta.workers} worker(s).`,
);
lines.push('');
lines.push(
  '| method | what changes | regret @ 25% budget | final regret (mean over metrics) | speedup vs hyperband | vs random | vs mfms-bo:paper | runs | job s |',
);
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const m of methods) {
  const v = m.startsWith('mfms-bo:abl-') ? ABLATIONS[m.slice('mfms-bo:abl-'.length)] : undefined;
  const what =
    m === 'mfms-bo'
      ? '(default)'
      : v !== undefined
        ? v.what
        : m === 'mfms-bo:paper'
          ? 'the paper'
          : 'baseline';
  const fr = s.metrics.map((metric) => s.finalRegret[m]?.[metric]?.mean ?? Number.NaN);
  const finalMean = fr.reduce((a, b) => a + b, 0) / fr.length;
  const sp = (b: string) => (m === b ? '—' : fmt(s.speedups[m]?.[b]?.median));
  lines.push(
    `| \`${m}\` | ${what} | ${fmtE(regretAt(m, 0.25))} | ${fmtE(finalMean)} | ${sp('hyperband')} | ${sp('random')} | ${sp('mfms-bo:paper')} | ${fmt(s.runs[m]?.meanRuns, 0)} | ${fmt(result.meta.jobSeconds[m], 0)} |`,
  );
}
lines.push('');
lines.push('Final regret per metric (mean ± sem over seeds):');
lines.push('');
lines.push(`| method | ${s.metrics.join(' | ')} |`);
lines.push(`|---|${s.metrics.map(() => '---').join('|')}|`);
for (const m of methods) {
  const cells = s.metrics.map((metric) => {
    const r = s.finalRegret[m]?.[metric];
    return r === undefined ? 'n/a' : `${fmtE(r.mean)} ± ${fmtE(r.sem)}`;
  });
  lines.push(`| \`${m}\` | ${cells.join(' | ')} |`);
}
if (s.errors.length > 0) {
  lines.push('');
  lines.push(
    `Errors: ${s.errors.map((e) => `${e.method}/${e.metric}/${e.seed}: ${e.error}`).join('; ')}`,
  );
}
const table = lines.join('\n');
process.stdout.write(`${table}\n`);

mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      testbed,
      seeds,
      budget,
      methods,
      wallSeconds: wall,
      // The mean curves are left out (large); the harness's own output keeps them.
      summary: { ...s, curves: undefined, grid: undefined },
      table,
    },
    null,
    1,
  )}\n`,
);
process.stderr.write(`wrote ${out}\n`);
