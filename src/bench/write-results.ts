/**
 * Writing a benchmark result to a folder:
 * - `bench.json`       `{ meta, summary, trajectories }` (the trajectory format: ./trajectory.ts);
 *                      with `gzip`, `bench.json.gz` instead, plus `summary.json.gz`: `{ meta,
 *                      summary }` alone, numbers to 7 significant digits (the summary a rerun
 *                      updates without recommitting the trajectories);
 * - `summary.md`       the Markdown tables;
 * - `<metric>.svg`     one chart per metric.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from '../core/index.ts';
import { renderChart } from './chart.ts';
import { summaryMarkdown } from './markdown.ts';
import type { BenchResult } from './run-benchmark.ts';
import type { Trajectory } from './trajectory.ts';

/** Options of {@link writeResults}. */
export interface WriteOptions {
  /** Compress the trajectories (`bench.json.gz`) and write the summary apart, compressed (`summary.json.gz`). */
  readonly gzip?: boolean;
  /** Label of the cost axis. */
  readonly costUnit?: string;
}

/** JSON replacer: finite numbers to 7 significant digits (the readable summary; exact values are in the trajectories). */
function round7(_key: string, v: unknown): unknown {
  return typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(7)) : v;
}

/** File-name-safe form of a metric name. */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Writes `result` under `dir` (created); returns the paths written. */
export async function writeResults(
  result: BenchResult,
  dir: string,
  opts: WriteOptions = {},
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const body = { meta: result.meta, summary: result.summary, trajectories: result.trajectories };
  if (opts.gzip === true) {
    const p = join(dir, 'bench.json.gz');
    writeFileSync(p, gzipSync(JSON.stringify(body)));
    written.push(p);
    const q = join(dir, 'summary.json.gz');
    const summary = `${JSON.stringify({ meta: result.meta, summary: result.summary }, round7)}\n`;
    writeFileSync(q, gzipSync(summary));
    written.push(q);
    // An uncompressed summary from an earlier run would be read first and be stale.
    rmSync(join(dir, 'summary.json'), { force: true });
  } else {
    const p = join(dir, 'bench.json');
    writeFileSync(p, `${JSON.stringify(body)}\n`);
    written.push(p);
  }
  const md = join(dir, 'summary.md');
  writeFileSync(md, summaryMarkdown(result.summary, result.meta));
  written.push(md);
  for (const metric of result.summary.metrics) {
    const p = join(dir, `${safeName(metric)}.svg`);
    writeFileSync(p, await renderChart(result.summary, metric, opts.costUnit));
    written.push(p);
  }
  return written;
}

/**
 * Parses a JSON file, gunzipping it first when its name ends in `.gz`.
 * @throws the read, gunzip or parse error as it comes (callers name the file).
 */
export function readJsonFile(path: string): unknown {
  const buf = readFileSync(path);
  return JSON.parse((path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'));
}

/**
 * Reads trajectories from a file written by {@link writeResults} or by
 * another tool (`{ "trajectories": [...] }`, optionally gzipped).
 * @throws DataError naming the file when it is unreadable or malformed.
 */
export function readTrajectories(path: string): Trajectory[] {
  let raw: unknown;
  try {
    raw = readJsonFile(path);
  } catch (err) {
    throw new DataError(`cannot read trajectories from ${path}: ${(err as Error).message}`, {
      path,
    });
  }
  const ts = (raw as { trajectories?: unknown }).trajectories;
  if (!Array.isArray(ts)) {
    throw new DataError(
      `${path} has no "trajectories" array; write {"trajectories": [...]} (format in src/bench/trajectory.ts)`,
      { path },
    );
  }
  for (const [i, t] of ts.entries()) {
    const ok =
      typeof t === 'object' &&
      t !== null &&
      typeof t.method === 'string' &&
      typeof t.metric === 'string' &&
      Number.isInteger(t.seed) &&
      (t.direction === 'minimize' || t.direction === 'maximize') &&
      typeof t.budget === 'number' &&
      typeof t.targetCost === 'number' &&
      Array.isArray(t.points) &&
      t.points.every(
        (p: { x?: unknown; value?: unknown }) =>
          typeof p.x === 'number' && typeof p.value === 'number' && Number.isFinite(p.value),
      );
    if (!ok) {
      throw new DataError(
        `${path}: trajectories[${i}] is malformed; each needs method, metric, seed, direction, budget, targetCost and points with numeric x and value`,
        { path, index: i },
      );
    }
  }
  return ts as Trajectory[];
}
