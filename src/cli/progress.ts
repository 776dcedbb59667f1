/**
 * Terminal progress on stderr for long work (benchmarks, `mixopt run`):
 * - when the stream is a terminal: one redrawn bar (`\r`), with event lines
 *   printed above it;
 * - otherwise (a pipe, a log file, CI): one plain line per event, no bar;
 * - `quiet`: nothing at all;
 * - colours only on a terminal and when `NO_COLOR` is unset (https://no-color.org).
 */

/** The stream progress is written to (stderr by default). */
export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Print nothing. */
  readonly quiet?: boolean;
  /** Default `process.stderr`. */
  readonly stream?: ProgressStream;
  /** Overrides the terminal check (tests). */
  readonly tty?: boolean;
  /** Progress already made before this process started (e.g. a resumed study's spend), left out of the time estimate. */
  readonly initial?: number;
  /** Environment read for `NO_COLOR` (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A progress display. */
export interface Progress {
  /** Whether a bar is drawn (a terminal, not quiet). */
  readonly tty: boolean;
  /** Whether colours are used. */
  readonly color: boolean;
  /** Updates the bar to `done / total` with a short status; on a non-terminal, prints `line` when given. */
  update(done: number, total: number, status: string, line?: string): void;
  /** Prints one event line (above the bar on a terminal). */
  log(line: string): void;
  /** Wraps `s` in a colour (red, green, yellow, dim) when colours are on. */
  paint(s: string, colour: 'red' | 'green' | 'yellow' | 'dim'): string;
  /** Ends the bar (a newline after it). */
  end(): void;
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2 } as const;
const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** Whether colours are on for `stream` (a terminal, `NO_COLOR` unset or empty). */
export function colourEnabled(
  tty: boolean,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const nc = env.NO_COLOR;
  return tty && (nc === undefined || nc === '');
}

/** Formats seconds as `42 s`, `3 min 05 s` or `1 h 02 min`. */
export function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  if (sec < 60) return `${sec.toFixed(0)} s`;
  if (sec < 3600)
    return `${Math.floor(sec / 60)} min ${String(Math.round(sec % 60)).padStart(2, '0')} s`;
  return `${Math.floor(sec / 3600)} h ${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')} min`;
}

/** A progress display on stderr (see the module comment). */
export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const quiet = opts.quiet === true;
  const tty = !quiet && (opts.tty ?? stream.isTTY === true);
  const color = colourEnabled(tty, opts.env ?? process.env);
  const start = performance.now();
  let bar = '';
  const paint = (s: string, c: keyof typeof CODES): string =>
    color ? `${ESC}[${CODES[c]}m${s}${ESC}[0m` : s;
  // A pseudo-terminal may report 0 columns: then assume 100.
  const width = (): number => Math.max(40, (stream.columns || 100) - 1);
  return {
    tty,
    color,
    paint,
    update(done, total, status, line) {
      if (quiet) return;
      if (!tty) {
        if (line !== undefined) stream.write(`${line}\n`);
        return;
      }
      const el = (performance.now() - start) / 1000;
      const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
      const w = 24;
      const fill = Math.round(w * frac);
      // Time left at this process's own rate (progress made before it started does not count).
      const own = done - (opts.initial ?? 0);
      const eta = own > 0 && frac < 1 ? ` eta ${fmtDuration((el / own) * (total - done))}` : '';
      const text = `[${paint('#'.repeat(fill), 'green')}${'.'.repeat(w - fill)}] ${(100 * frac).toFixed(0).padStart(3)}% ${fmtDuration(el)}${eta}  ${status}`;
      // Cut to the terminal width, counting visible characters only.
      const visible = text.replace(SGR, '');
      const cut =
        visible.length > width() ? text.slice(0, text.length - (visible.length - width())) : text;
      stream.write(`\r${cut}${color ? `${ESC}[0m` : ''}${ESC}[K`);
      bar = cut;
    },
    log(line) {
      if (quiet) return;
      if (tty && bar !== '') {
        stream.write(`\r${ESC}[K${line}\n${bar}${ESC}[K`);
        return;
      }
      stream.write(`${line}\n`);
    },
    end() {
      if (tty && bar !== '') stream.write('\n');
      bar = '';
    },
  };
}
