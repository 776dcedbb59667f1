/**
 * `mixopt report`: one self-contained HTML page (charts as inline SVG, no
 * network) for a study or a benchmark result, and optionally each chart as
 * a PNG for slides.
 *
 *   mixopt report [--study S] [--db mixopt.db] [--out report.html] [--png] [--trace-points N]
 *   mixopt report --bench results/dir [--out report.html] [--png]
 *
 * `mixopt bench ... --out DIR --html` writes the benchmark report directly
 * (see {@link writeBenchReport}).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import { type BenchSummary, readJsonFile, renderChart } from '../../bench/index.ts';
import { DataError, NotFoundError, type TrialRecord } from '../../core/index.ts';
import {
  type BuiltReport,
  buildBenchReport,
  buildStudyReport,
  predictionTrace,
  type StudyReportInput,
  safeId,
  svgToPng,
} from '../../report/index.ts';
import {
  historyFromStudy,
  metricCurves,
  recommendStudy,
  type Study,
  spentOn,
} from '../../study/index.ts';
import { createProgress, type Progress } from '../progress.ts';
import { intOpt, openStudy, type StudyOpts, studyOptions } from './study.ts';

/** Builds the report input of a study: trials, curves, spend, recommendation and the refitted trace. */
export function studyReportInput(
  study: Study,
  opts: { tracePoints?: number; progress?: Progress } = {},
): StudyReportInput {
  const config = study.config;
  const trials = study.trials();
  const points = study.points();
  const curves = metricCurves(config, points);
  const byId = new Map(trials.map((t) => [t.id, t]));
  const spent = new Map<number, number>();
  for (const t of trials) {
    const parentSteps = t.parent === undefined ? 0 : (byId.get(t.parent)?.steps ?? 0);
    spent.set(t.id, spentOn(t, curves.get(t.id) ?? [], parentSteps));
  }
  const finished = trials.filter(
    (t): t is TrialRecord & { finishedAt: number } =>
      (t.state === 'completed' || t.state === 'failed') && t.finishedAt !== undefined,
  );
  const total = Math.min(finished.length, opts.tracePoints ?? 16);
  let done = 0;
  const trace = predictionTrace({
    optimizer: () => study.optimizer(),
    historyAt: (time) => {
      const keep = finished.filter((t) => t.finishedAt <= time);
      const ids = new Set(keep.map((t) => t.id));
      const h = historyFromStudy(
        config,
        keep,
        points.filter((p) => ids.has(p.trial)),
      );
      done++;
      opts.progress?.update(
        done,
        total,
        `refitting the recommendation after ${keep.length} trial(s)`,
        `report: recommendation after ${keep.length} of ${finished.length} finished trial(s)`,
      );
      return h;
    },
    finishTimes: finished.map((t) => t.finishedAt),
    target: config.target,
    direction: config.metric.direction,
    maxPoints: total,
  });
  opts.progress?.end();
  const rec = recommendStudy(study);
  return {
    study: study.name,
    config,
    status: study.status(),
    trials,
    curves,
    spent,
    ...(rec !== undefined ? { recommendation: rec } : {}),
    trace,
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** Writes each chart of `report` as `<prefix><chart id>.png`; returns the paths. */
export async function writePngs(report: BuiltReport, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const c of report.charts) {
    const p = `${prefix}${safeId(c.id)}.png`;
    writeFileSync(p, await svgToPng(c.svg));
    out.push(p);
  }
  return out;
}

/** The benchmark report of a summary: the benchmark module renders the metric charts, the report module the page. */
export async function benchReport(
  summary: BenchSummary,
  meta: { wallSeconds?: number; workers?: number; seed?: number } | undefined,
  costUnit?: string,
): Promise<BuiltReport> {
  const metricCharts = [];
  for (const metric of summary.metrics)
    metricCharts.push({ metric, svg: await renderChart(summary, metric, costUnit) });
  return buildBenchReport({
    summary,
    metricCharts,
    ...(meta !== undefined ? { meta } : {}),
    ...(costUnit !== undefined ? { costUnit } : {}),
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });
}

/** For `mixopt bench --html/--png`: writes `report.html` and/or `<chart>.png` into `dir`. */
export async function writeBenchReport(
  result: {
    summary: BenchSummary;
    meta?: { wallSeconds?: number; workers?: number; seed?: number };
  },
  dir: string,
  opts: { html: boolean; png: boolean; costUnit?: string },
): Promise<string[]> {
  const report = await benchReport(result.summary, result.meta, opts.costUnit);
  const files: string[] = [];
  mkdirSync(dir, { recursive: true });
  if (opts.html) {
    const p = join(dir, 'report.html');
    writeFileSync(p, report.html);
    files.push(p);
  }
  if (opts.png) files.push(...(await writePngs(report, `${dir}/`)));
  return files;
}

/** Where a results folder keeps its summary, in the order they are looked for. */
const BENCH_SUMMARY_FILES = ['summary.json', 'summary.json.gz', 'bench.json', 'bench.json.gz'];

/**
 * Reads a benchmark summary from a results folder (`summary.json`,
 * `summary.json.gz`, `bench.json` or `bench.json.gz`, the first there is, as
 * `mixopt bench --out` writes them) or from one of those files.
 * @throws NotFoundError when there is none; DataError when it is malformed.
 */
export function readBenchSummary(path: string): {
  summary: BenchSummary;
  meta?: { wallSeconds?: number; workers?: number; seed?: number };
} {
  if (!existsSync(path)) throw new NotFoundError(`no benchmark results at '${path}'`, { path });
  const candidates = statSync(path).isDirectory()
    ? BENCH_SUMMARY_FILES.map((f) => join(path, f))
    : [path];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined)
    throw new NotFoundError(
      `'${path}' holds no ${BENCH_SUMMARY_FILES.join(', ')}; point --bench at the --out folder of mixopt bench`,
      { path },
    );
  let raw: { summary?: unknown; meta?: unknown };
  try {
    raw = readJsonFile(file) as typeof raw;
  } catch (err) {
    throw new DataError(`cannot read ${file}: ${(err as Error).message}`, { path: file });
  }
  const s = raw.summary as Partial<BenchSummary> | undefined;
  const ok =
    s !== undefined &&
    s !== null &&
    typeof s.testbed === 'string' &&
    Array.isArray(s.methods) &&
    Array.isArray(s.metrics) &&
    Array.isArray(s.grid) &&
    typeof s.curves === 'object' &&
    typeof s.speedups === 'object' &&
    typeof s.final === 'object' &&
    typeof s.finalRegret === 'object';
  if (!ok)
    throw new DataError(
      `${file} has no benchmark "summary" (with testbed, methods, metrics, grid, curves, speedups, final, finalRegret); write it with mixopt bench --out`,
      { path: file },
    );
  return {
    summary: s as BenchSummary,
    ...(typeof raw.meta === 'object' && raw.meta !== null
      ? { meta: raw.meta as { wallSeconds?: number; workers?: number; seed?: number } }
      : {}),
  };
}

interface ReportOpts extends StudyOpts {
  bench?: string;
  out: string;
  png?: boolean;
  tracePoints: string;
  quiet?: boolean;
}

/** Adds `mixopt report`. */
export function register(program: Command): void {
  studyOptions(
    program
      .command('report')
      .description(
        'self-contained HTML report (inline SVG charts, no network) of a study, or of benchmark results with --bench',
      ),
  )
    .option('--bench <dir>', 'report on benchmark results (the --out folder of mixopt bench)')
    .option('--out <file>', 'HTML file to write', 'report.html')
    .option('--png', 'also write each chart as <out>-<chart>.png (for slides)')
    .option(
      '--trace-points <n>',
      'refit the recommendation at this many points for the best-so-far chart',
      '16',
    )
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the files written as JSON')
    .action(async (o: ReportOpts) => {
      let report: BuiltReport;
      if (o.bench !== undefined) {
        const r = readBenchSummary(o.bench);
        report = await benchReport(r.summary, r.meta);
      } else {
        const study = openStudy(o, 'read');
        const progress = createProgress({ quiet: o.quiet === true });
        report = await buildStudyReport(
          studyReportInput(study, {
            tracePoints: intOpt('--trace-points', o.tracePoints),
            progress,
          }),
        );
      }
      const dir = dirname(o.out);
      mkdirSync(dir, { recursive: true });
      writeFileSync(o.out, report.html);
      const files = [o.out];
      if (o.png === true) {
        const stem = basename(o.out, extname(o.out));
        files.push(...(await writePngs(report, join(dir, `${stem}-`))));
      }
      if (o.json === true) {
        process.stdout.write(
          `${JSON.stringify({ files, charts: report.charts.map((c) => c.id) })}\n`,
        );
        return;
      }
      process.stdout.write(
        `wrote ${files.join(', ')} (${report.charts.length} charts: ${report.charts.map((c) => c.id).join(', ')})\n`,
      );
    });
}
