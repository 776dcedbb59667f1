/** Benchmark output shared by `mixopt bench`, `demo` and `report --bench`: progress, the JSON summary, the HTML report and PNGs. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BenchProgress,
  type BenchResult,
  type BenchSummary,
  readJsonFile,
  renderChart,
} from '../../bench/index.ts';
import { DataError, NotFoundError } from '../../core/index.ts';
import { type BuiltReport, buildBenchReport, safeId, svgToPng } from '../../report/index.ts';
import { createProgress } from '../progress.ts';

/**
 * A progress reporter on stderr (../progress.ts): a redrawn bar on a
 * terminal, one line per finished job otherwise; silent when `quiet`.
 */
export function progressReporter(quiet: boolean): {
  onProgress: (e: BenchProgress) => void;
  end: () => void;
} {
  const start = performance.now();
  const p = createProgress({ quiet });
  return {
    onProgress(e) {
      const el = (performance.now() - start) / 1000;
      const failed = e.error !== undefined ? ' (FAILED)' : '';
      const what = `${e.method} / ${e.metric} / seed ${e.seed}`;
      p.update(
        e.done,
        e.total,
        `${e.done}/${e.total} jobs  ${what}${failed !== '' ? p.paint(failed, 'red') : ''}`,
        `job ${e.done}/${e.total} done: ${what}${failed} in ${e.seconds.toFixed(2)} s (elapsed ${el.toFixed(1)} s)`,
      );
    },
    end() {
      p.end();
    },
  };
}

/** The `--json` form of a result: the summary without the per-grid curves, plus meta and files. */
export function jsonSummary(result: BenchResult, files: string[]): unknown {
  const { curves: _curves, grid: _grid, ...rest } = result.summary;
  return { ...rest, meta: result.meta, files };
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
