/**
 * Markdown tables of a benchmark summary: speedups (per metric and median)
 * and final values / regret.
 */
import type { BenchSummary } from './summary.ts';

const fmtX = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'not reached' : `${x.toFixed(2)}x`;
const fmt = (x: number | undefined, d = 4): string => (x === undefined ? '-' : x.toFixed(d));

/** The speedup table of `methods` over `baselines` (rows = metrics, then the median). */
export function speedupTable(
  s: BenchSummary,
  methods: readonly string[] = s.methods,
  baselines: readonly string[] = s.methods,
): string {
  const pairs: [string, string][] = [];
  for (const a of methods) for (const b of baselines) if (a !== b) pairs.push([a, b]);
  if (pairs.length === 0) return '';
  const head = `| metric | ${pairs.map(([a, b]) => `${a} vs ${b}`).join(' | ')} |`;
  const sep = `|---|${pairs.map(() => '---:').join('|')}|`;
  const rows = s.metrics.map(
    (m) =>
      `| ${m} | ${pairs.map(([a, b]) => fmtX(s.speedups[a]?.[b]?.perMetric[m])).join(' | ')} |`,
  );
  const med = `| **median** | ${pairs.map(([a, b]) => `**${fmtX(s.speedups[a]?.[b]?.median)}**`).join(' | ')} |`;
  return [head, sep, ...rows, med].join('\n');
}

/** Median-over-metrics speedups of every method (rows) over every baseline (columns). */
export function medianMatrix(s: BenchSummary): string {
  const head = `| method \\ baseline | ${s.methods.join(' | ')} |`;
  const sep = `|---|${s.methods.map(() => '---:').join('|')}|`;
  const rows = s.methods.map(
    (a) =>
      `| ${a} | ${s.methods.map((b) => (a === b ? '-' : fmtX(s.speedups[a]?.[b]?.median))).join(' | ')} |`,
  );
  return [head, sep, ...rows].join('\n');
}

/** The baselines the per-metric table compares against: hyperband and random when present. */
export function defaultBaselines(s: BenchSummary): string[] {
  const b = ['hyperband', 'random'].filter((m) => s.methods.includes(m));
  return b.length > 0 ? b : s.methods.slice(0, 1);
}

/** Final value (mean +- s.e.) and regret per method and metric. */
export function finalTable(s: BenchSummary): string {
  const head = `| metric | ${s.methods.join(' | ')} |`;
  const sep = `|---|${s.methods.map(() => '---:').join('|')}|`;
  const rows = s.metrics.map((m) => {
    const cells = s.methods.map((a) => {
      const f = s.final[a]?.[m];
      const r = s.finalRegret[a]?.[m];
      if (f === undefined) return '-';
      return r === undefined
        ? `${fmt(f.mean)} +- ${fmt(f.sem)}`
        : `${fmt(f.mean)} (regret ${fmt(r.mean)} +- ${fmt(r.sem)})`;
    });
    return `| ${m} | ${cells.join(' | ')} |`;
  });
  return [head, sep, ...rows].join('\n');
}

/** The full Markdown report of a summary. */
export function summaryMarkdown(
  s: BenchSummary,
  meta: { wallSeconds?: number; workers?: number; seed?: number } = {},
): string {
  const lines = [
    `# Benchmark: ${s.testbed}`,
    '',
    `Methods ${s.methods.join(', ')}; ${s.metrics.length} metric(s); ${s.seeds} seed(s); budget ${s.budget} cost units (horizon ${s.horizon} = budget + one confirmation run of ${s.targetCost})${meta.seed !== undefined ? `; root seed ${meta.seed}` : ''}${meta.wallSeconds !== undefined ? `; wall time ${meta.wallSeconds.toFixed(1)} s on ${meta.workers ?? 1} worker(s)` : ''}.`,
    '',
    "## Speedups (docs/benchmarks.md: cost from which the baseline's mean curve stays at or better than its final value, divided by the cost from which the method's does)",
    '',
    'Median over metrics, method (row) over baseline (column):',
    '',
    medianMatrix(s),
    '',
    `Per metric, over ${defaultBaselines(s).join(' and ')}:`,
    '',
    speedupTable(s, s.methods, defaultBaselines(s)),
    '',
    '## Final value of the recommended mixture at the target (mean +- s.e. over seeds)',
    '',
    finalTable(s),
    '',
    '## Runs per job',
    '',
    `| method | runs | spent |`,
    `|---|---:|---:|`,
    ...s.methods.map(
      (a) => `| ${a} | ${fmt(s.runs[a]?.meanRuns, 1)} | ${fmt(s.runs[a]?.meanSpent, 1)} |`,
    ),
  ];
  if (s.errors.length > 0) {
    lines.push('', '## Failed jobs', '');
    for (const e of s.errors)
      lines.push(`- ${e.method} / ${e.metric} / seed ${e.seed}: ${e.error}`);
  }
  if ((s.failedProposals ?? []).length > 0) {
    lines.push('', '## Failed proposals', '');
    for (const e of s.failedProposals)
      lines.push(
        `- ${e.method} / ${e.metric} / seed ${e.seed}: ${e.count} failed (charged nothing); first: ${e.first}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
