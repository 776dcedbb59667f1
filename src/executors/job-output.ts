/**
 * Reading what a job writes: its metric lines (JSON, one per line, on stdout
 * or in its metrics file) and the tail of its stderr.
 *
 * Jobs may print without limit (progress bars, framework logs), so nothing
 * here reads a whole file. {@link MetricLog} reads each file incrementally
 * from where the last read stopped, in chunks of at most `chunkBytes`, and
 * keeps only the points it found (one per metric and step) and the
 * unfinished last line (at most `maxLineBytes`; a longer line is skipped, it
 * cannot be a metric line). The driver's memory therefore stays flat however
 * much the job prints: a read costs O(new bytes) time and O(chunk) memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { MetricPoint } from '../core/index.ts';

/** A point, or why the line is a bad report (undefined when the line is not a metric line). */
type LineResult = { readonly point: MetricPoint } | { readonly bad: string } | undefined;

/** Parses one output line (already trimmed). */
function parseMetricLine(s: string, defaultMetric: string | null): LineResult {
  if (!s.startsWith('{')) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (o === null || typeof o !== 'object') return undefined;
  const r = o as { step?: unknown; value?: unknown; metric?: unknown };
  if (r.step === undefined || !('value' in r)) return undefined;
  const metric = typeof r.metric === 'string' ? r.metric : defaultMetric;
  if (metric === null) return undefined;
  const step = Number(r.step);
  const value = typeof r.value === 'number' ? r.value : Number.NaN;
  if (!Number.isSafeInteger(step) || step < 1) return { bad: `bad step in line ${s}` };
  if (!Number.isFinite(value)) return { bad: `non-finite ${metric} at step ${step} (line ${s})` };
  return { point: { step, metric, value } };
}

/** Parses metric JSON lines; returns the points and the first bad value, if any. */
export function parseMetricLines(
  text: string,
  defaultMetric: string | null,
): { points: MetricPoint[]; bad?: string } {
  const points: MetricPoint[] = [];
  for (const line of text.split('\n')) {
    const r = parseMetricLine(line.trim(), defaultMetric);
    if (r === undefined) continue;
    if ('bad' in r) return { points, bad: r.bad };
    points.push(r.point);
  }
  return { points };
}

/** The last `bytes` of a file, trimmed to whole lines ('' when it cannot be read). */
export function tailFile(path: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, bytes);
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, size - n);
    let s = buf.subarray(0, got).toString('utf8');
    if (n < size) s = s.slice(s.indexOf('\n') + 1);
    return s.trimEnd();
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` non-empty lines of `text`. */
export function lastLines(text: string, lines: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-lines);
}

/** Where the reading of one file stands. */
interface Cursor {
  dev: number;
  ino: number;
  offset: number;
  /** The unfinished last line (bytes after the last newline), unless it grew too long. */
  carry: Buffer;
  /** The unfinished line is longer than `maxLineBytes`: skip to the next newline. */
  skipping: boolean;
  /** `metric@step` -> point (the last value reported for that step wins). */
  readonly points: Map<string, MetricPoint>;
  bad?: string;
}

/** Options of {@link MetricLog}. */
export interface MetricLogOptions {
  /** Bytes read per `readSync` (default 1 MiB). */
  readonly chunkBytes?: number;
  /** A line longer than this is not a metric line and is skipped (default 64 KiB). */
  readonly maxLineBytes?: number;
}

/**
 * Incremental reader of a job's metric files. One instance per executor;
 * keyed by path, so polling the same job again reads only what is new. A
 * file that was replaced (another inode) or truncated is read again from the
 * start.
 */
export class MetricLog {
  private readonly cursors = new Map<string, Cursor>();
  private readonly chunk: number;
  private readonly maxLine: number;
  /** Bytes read from files so far (each byte once, unless a file was replaced). */
  bytesRead = 0;

  constructor(options: MetricLogOptions = {}) {
    this.chunk = options.chunkBytes ?? 1 << 20;
    this.maxLine = options.maxLineBytes ?? 64 << 10;
  }

  /**
   * Every point in `paths` (in file order, the files one after the other)
   * and the first bad report. `final`: the job has ended, so an unfinished
   * last line is complete and is parsed too.
   */
  read(
    paths: readonly string[],
    defaultMetric: string | null,
    final: boolean,
  ): { points: MetricPoint[]; bad?: string } {
    const points: MetricPoint[] = [];
    for (const path of paths) {
      const c = this.advance(path, defaultMetric);
      if (c === undefined) continue;
      points.push(...c.points.values());
      if (c.bad !== undefined) return { points, bad: c.bad };
      if (final && !c.skipping && c.carry.length > 0) {
        const r = parseMetricLine(c.carry.toString('utf8').trim(), defaultMetric);
        if (r !== undefined && 'bad' in r) return { points, bad: r.bad };
        if (r !== undefined && !c.points.has(`${r.point.metric}@${r.point.step}`))
          points.push(r.point);
      }
    }
    return { points };
  }

  /** Forgets what was read of `path` (its job folder was made again). */
  forget(path: string): void {
    this.cursors.delete(path);
  }

  private advance(path: string, defaultMetric: string | null): Cursor | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return this.cursors.get(path);
    }
    try {
      const st = fstatSync(fd);
      let c = this.cursors.get(path);
      if (c === undefined || c.dev !== st.dev || c.ino !== st.ino || st.size < c.offset) {
        c = {
          dev: st.dev,
          ino: st.ino,
          offset: 0,
          carry: Buffer.alloc(0),
          skipping: false,
          points: new Map(),
        };
        this.cursors.set(path, c);
      }
      if (c.bad !== undefined) return c;
      const buf = Buffer.allocUnsafe(this.chunk);
      while (c.offset < st.size) {
        const got = readSync(fd, buf, 0, Math.min(this.chunk, st.size - c.offset), c.offset);
        if (got <= 0) break;
        c.offset += got;
        this.bytesRead += got;
        this.consume(c, buf.subarray(0, got), defaultMetric);
        if (c.bad !== undefined) break;
      }
      return c;
    } finally {
      closeSync(fd);
    }
  }

  /** Splits `data` into lines, continuing the unfinished one. */
  private consume(c: Cursor, data: Buffer, defaultMetric: string | null): void {
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      if (c.skipping) c.skipping = false;
      else {
        const line =
          c.carry.length > 0
            ? Buffer.concat([c.carry, data.subarray(start, nl)])
            : data.subarray(start, nl);
        this.line(c, line, defaultMetric);
        if (c.bad !== undefined) return;
      }
      c.carry = Buffer.alloc(0);
      start = nl + 1;
    }
    if (c.skipping || start >= data.length) return;
    const rest = data.length - start;
    if (c.carry.length + rest > this.maxLine) {
      c.skipping = true;
      c.carry = Buffer.alloc(0);
    } else c.carry = Buffer.concat([c.carry, data.subarray(start)]);
  }

  private line(c: Cursor, line: Buffer, defaultMetric: string | null): void {
    if (line.length > this.maxLine) return;
    // Cheap filter before decoding: a metric line starts with '{' (after blanks).
    let i = 0;
    while (i < line.length && (line[i] === 32 || line[i] === 9 || line[i] === 13)) i++;
    if (line[i] !== 123) return;
    const r = parseMetricLine(line.toString('utf8').trim(), defaultMetric);
    if (r === undefined) return;
    if ('bad' in r) {
      c.bad = r.bad;
      return;
    }
    const key = `${r.point.metric}@${r.point.step}`;
    c.points.delete(key);
    c.points.set(key, r.point);
  }
}
