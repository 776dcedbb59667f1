/**
 * Text table and CSV of a scale-transfer result. Pure functions returning
 * strings; the CLI decides where they go.
 */
import { CALIBRATION_LEVELS, type TransferResult } from './experiments.ts';
import { paperR2 } from './paper.ts';

/** Options of {@link transferTable}. */
export interface TableOptions {
  /** Show the paper's R² beside ours (`ours (paper)`), for slimpajama-mlp. */
  readonly paper?: boolean;
}

function fmt(x: number | undefined, digits = 2): string {
  return x === undefined ? '—' : x.toFixed(digits);
}

function pad(s: string, w: number, right = false): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/**
 * A fixed-width table: one row per metric, one column per experiment, cells
 * `R² ± std` (and `[paper]`), then blocks of 90%-interval coverage and of
 * the rank scores.
 */
export function transferTable(result: TransferResult, options: TableOptions = {}): string {
  const exps = result.experiments.map((e) => e.id);
  const lines: string[] = [];
  const mw = Math.max(6, ...result.metrics.map((m) => m.length));
  const cw = options.paper === true ? 18 : 12;
  const cell = (e: string, m: string) =>
    result.cells.find((c) => c.experiment === e && c.metric === m);
  lines.push(
    `held-out R² (mean ± std over seeds ${result.seeds.join(', ')})${options.paper === true ? ' [paper]' : ''}`,
  );
  lines.push(pad('metric', mw) + exps.map((e) => pad(e, cw, true)).join(''));
  for (const m of result.metrics) {
    let row = pad(m, mw);
    for (const e of exps) {
      const c = cell(e, m);
      let s = c === undefined ? '' : `${fmt(c.r2)}±${fmt(c.r2Std)}`;
      if (options.paper === true && c !== undefined) {
        const p = paperR2(c.experiment, m);
        s += p === undefined ? '       ' : ` [${p.toFixed(2)}]`;
      }
      row += pad(s, cw, true);
    }
    lines.push(row);
  }
  lines.push('');
  lines.push('R² on log values');
  for (const m of result.metrics) {
    lines.push(pad(m, mw) + exps.map((e) => pad(fmt(cell(e, m)?.r2Log), 12, true)).join(''));
  }
  lines.push('');
  lines.push('share of held-out values inside the 90% predictive interval (calibrated: 0.90)');
  for (const m of result.metrics) {
    lines.push(pad(m, mw) + exps.map((e) => pad(fmt(cell(e, m)?.coverage90), 12, true)).join(''));
  }
  for (const [title, f] of RANK_BLOCKS) {
    lines.push('');
    lines.push(title);
    for (const m of result.metrics) {
      const c = (e: string) => cell(e, m);
      lines.push(pad(m, mw) + exps.map((e) => pad(f(c(e)), 12, true)).join(''));
    }
  }
  lines.push('');
  lines.push('training sets (first seed)');
  for (const e of result.experiments) {
    const c = e.compute;
    lines.push(
      `  ${e.id}: ${e.description}; ${e.trainRuns} runs, ${c.points} points${knownSteps(c) ? `, ${c.steps} steps` : ''}${c.cost !== undefined ? `, ${c.cost.toFixed(1)} cost units` : ''}; ${e.testRuns} test runs`,
    );
  }
  return `${lines.join('\n')}\n`;
}

type Cell = TransferResult['cells'][number];

/** The rank blocks of the tables: title and cell text. */
const RANK_BLOCKS: readonly [string, (c: Cell | undefined) => string][] = [
  [
    'Spearman ρ, predicted vs true order of the test runs at the largest test size (mean ± std over seeds)',
    (c) =>
      c?.rank.spearman === undefined ? '—' : `${fmt(c.rank.spearman)}±${fmt(c.rank.spearmanStd)}`,
  ],
  ['Kendall τ_b (mean over seeds)', (c) => fmt(c?.rank.kendall)],
  [
    'top-1 / top-5 / top-10% overlap of the predicted and true best test runs (mean over seeds)',
    (c) =>
      c === undefined
        ? ''
        : `${fmt(c.rank.top1, 1)}/${fmt(c.rank.top5, 1)}/${fmt(c.rank.top10pct, 1)}`,
  ],
];

/**
 * Whether a split's step count means something: recorded final-value runs
 * carry a placeholder step (1 per run), so their total equals the run count.
 */
function knownSteps(c: { readonly runs: number; readonly steps: number }): boolean {
  return c.steps > c.runs;
}

function csvField(x: string | number | undefined | null): string {
  if (x === undefined || x === null) return '';
  const s = String(x);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One row per (experiment, metric): R², its std, R² on logs, coverage at
 * every calibration level, the rank scores (blank when undefined), the
 * paper's R² (blank when none) and the design.
 */
export function transferCsv(result: TransferResult): string {
  const head = [
    'experiment',
    'metric',
    'r2',
    'r2_std',
    'r2_log',
    'r2_log_std',
    'coverage90',
    ...CALIBRATION_LEVELS.map((q) => `coverage_${q}`),
    'spearman',
    'spearman_std',
    'kendall',
    'top1',
    'top5',
    'top10pct',
    'paper_r2',
    'seeds',
    'train_runs',
    'train_points',
    'train_steps',
    'train_cost',
    'test_runs',
    'description',
  ];
  const rows = [head.join(',')];
  for (const c of result.cells) {
    const info = result.experiments.find((e) => e.id === c.experiment);
    rows.push(
      [
        c.experiment,
        c.metric,
        c.r2,
        c.r2Std,
        c.r2Log,
        c.r2LogStd,
        c.coverage90,
        ...c.coverage,
        c.rank.spearman,
        c.rank.spearmanStd,
        c.rank.kendall,
        c.rank.top1,
        c.rank.top5,
        c.rank.top10pct,
        paperR2(c.experiment, c.metric),
        result.seeds.length,
        info?.trainRuns,
        info?.compute.points,
        info?.compute.steps,
        info?.compute.cost,
        info?.testRuns,
        info?.description,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/** Every held-out prediction: experiment, metric, seed, run, true value, mean, std. */
export function predictionsCsv(result: TransferResult): string {
  const rows = ['experiment,metric,seed,run,scale,value,mean,std'];
  for (const c of result.cells) {
    for (const s of c.seeds) {
      for (const p of s.predictions) {
        rows.push(
          [c.experiment, c.metric, s.seed, p.run, p.scale, p.value, p.mean, p.std]
            .map(csvField)
            .join(','),
        );
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

/**
 * Markdown tables: R² (mean ± std over seeds, with the paper's value in
 * brackets when `paper`), R² on log values, 90% coverage, the rank scores
 * (Spearman ρ, Kendall τ_b, top-k overlap), and the designs.
 */
export function transferMarkdown(result: TransferResult, options: TableOptions = {}): string {
  const exps = result.experiments.map((e) => e.id);
  const cell = (e: string, m: string) =>
    result.cells.find((c) => c.experiment === e && c.metric === m);
  const head = `| metric | ${exps.join(' | ')} |\n|---|${exps.map(() => '---:').join('|')}|`;
  const block = (title: string, f: (e: string, m: string) => string): string =>
    `${title}\n\n${head}\n${result.metrics.map((m) => `| ${m} | ${exps.map((e) => f(e, m)).join(' | ')} |`).join('\n')}\n`;
  const r2 = block(
    `**Held-out R²**, mean ± std over seeds ${result.seeds.join(', ')}${options.paper === true ? ' [paper]' : ''}`,
    (e, m) => {
      const c = cell(e, m);
      if (c === undefined) return '';
      const p = options.paper === true ? paperR2(c.experiment, m) : undefined;
      return `${fmt(c.r2)} ± ${fmt(c.r2Std)}${p !== undefined ? ` [${p.toFixed(2)}]` : ''}`;
    },
  );
  const r2Log = block('**R² on log values** (mean over seeds)', (e, m) => fmt(cell(e, m)?.r2Log));
  const cov = block(
    '**Share of held-out values inside the 90% predictive interval** (calibrated: 0.90)',
    (e, m) => fmt(cell(e, m)?.coverage90),
  );
  const ranks = RANK_BLOCKS.map(([title, f]) => block(`**${title}**`, (e, m) => f(cell(e, m))));
  const design = [
    '**Training sets** (first seed)',
    '',
    '| exp. | trained on | runs | points | steps | cost | test runs |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...result.experiments.map(
      (e) =>
        `| ${e.id} | ${e.description} | ${e.trainRuns} | ${e.compute.points} | ${knownSteps(e.compute) ? e.compute.steps : '—'} | ${e.compute.cost !== undefined ? e.compute.cost.toFixed(1) : '—'} | ${e.testRuns} |`,
    ),
    '',
  ].join('\n');
  return [r2, r2Log, cov, ...ranks, design].join('\n');
}
