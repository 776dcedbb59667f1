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
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import type { TrialRecord } from '../../core/index.ts';
import {
  type BuiltReport,
  buildStudyReport,
  predictionTrace,
  type StudyReportInput,
} from '../../report/index.ts';
import {
  historyFromStudy,
  metricCurves,
  recommendStudy,
  type Study,
  spentOn,
} from '../../study/index.ts';
import { createProgress, type Progress } from '../progress.ts';
import {
  benchReport,
  intOpt,
  openStudy,
  readBenchSummary,
  type StudyOpts,
  studyOptions,
  writePngs,
} from '../shared/index.ts';

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
