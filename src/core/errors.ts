/**
 * Typed errors. Every error mixopt throws on purpose is a {@link MixoptError}
 * with a stable `code` (part of the public interface: scripts may switch on
 * it) and a message that echoes the bad value and says what to do.
 *
 * Only the CLI turns errors into exit codes: {@link exitCodeFor}.
 */

/** Stable error codes. Never rename one; add new ones at the end. */
export type ErrorCode =
  | 'E_INVALID_INPUT' // bad argument or option value (user error)
  | 'E_INVALID_CONFIG' // a config file failed validation
  | 'E_DATA' // a data file is missing or malformed
  | 'E_NUMERICS' // numerical failure (non-PD matrix, NaN) that retries could not fix
  | 'E_NOT_FOUND' // unknown testbed, study, trial, metric, ...
  | 'E_STATE' // operation not allowed in the current state (e.g. tell on a finished trial)
  | 'E_EXECUTOR' // an executor failed to launch/poll/cancel (not a failed training job)
  | 'E_UNSUPPORTED' // a feature/combination that is not available (e.g. peer not installed)
  | 'E_INTERNAL'; // a bug: an invariant broke

/** Base class: an error with a stable `code` and optional structured details (JSON). */
export class MixoptError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  /** JSON form used by `--json` outputs and the testbed server. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: { ...this.details } };
  }
}

/** A bad argument: names the value, what is accepted, and the fix. */
export class ValidationError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_INVALID_INPUT', message, details);
  }
}

/** One problem found while validating a config file. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `scales.2.params`. */
  readonly path: string;
  readonly message: string;
  readonly value?: unknown;
}

/** A config file failed validation; `issues` lists every problem, each with its path. */
export class ConfigError extends MixoptError {
  readonly issues: readonly ConfigIssue[];
  constructor(message: string, issues: readonly ConfigIssue[]) {
    super('E_INVALID_CONFIG', message, { issues });
    this.issues = issues;
  }
}

/** A data file is missing or malformed; names the path and how to fix it. */
export class DataError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_DATA', message, details);
  }
}

/** Numerical failure that jitter/retries could not fix (never a silent NaN). */
export class NumericsError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_NUMERICS', message, details);
  }
}

/** An unknown name: testbed, study, trial, metric, scale. */
export class NotFoundError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_NOT_FOUND', message, details);
  }
}

/** An operation not allowed in the current state. */
export class StateError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_STATE', message, details);
  }
}

/** An executor could not launch, poll or cancel (a failed *job* is a trial state instead). */
export class ExecutorError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_EXECUTOR', message, details);
  }
}

/** A feature or combination not available here. */
export class UnsupportedError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_UNSUPPORTED', message, details);
  }
}

/** An invariant broke: a bug in mixopt. */
export class InternalError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_INTERNAL', message, details);
  }
}

/**
 * The CLI's exit codes (documented in docs/cli.md; scripts may rely on them):
 * 0 success; 1 a state conflict or other failure; 2 invalid input; 3 data or
 * storage; 4 every trial (or benchmark job) failed, or too many in a row.
 * 130 is an interrupted `run` (Ctrl-C).
 */
export const EXIT_CODES = {
  ok: 0,
  state: 1,
  invalidInput: 2,
  dataOrStorage: 3,
  trialsFailed: 4,
  interrupted: 130,
} as const;

/**
 * Whether `err` is a storage failure from below mixopt: a SQLite error
 * (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...) or a file-system error (`ENOENT`,
 * `EACCES`, `ENOSPC`, ...). Returns its code, else undefined.
 */
export function storageErrorCode(err: unknown): string | undefined {
  if (err instanceof MixoptError || !(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_')) return code;
  const fs = ['ENOENT', 'EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EIO'];
  return fs.includes(code) ? code : undefined;
}

/**
 * Process exit code for an error ({@link EXIT_CODES}): 2 for user input (a bad
 * argument, config or unknown name, or a feature that is not available), 3
 * for data files and storage (also SQLite and file-system errors), 1 for
 * state conflicts (a finished trial, an exhausted budget) and anything else.
 * Exit 4 is set by the commands that run trials, not by an error.
 */
export function exitCodeFor(err: unknown): number {
  if (storageErrorCode(err) !== undefined) return EXIT_CODES.dataOrStorage;
  if (!(err instanceof MixoptError)) return EXIT_CODES.state;
  switch (err.code) {
    case 'E_INVALID_INPUT':
    case 'E_INVALID_CONFIG':
    case 'E_NOT_FOUND':
    case 'E_UNSUPPORTED':
      return EXIT_CODES.invalidInput;
    case 'E_DATA':
      return EXIT_CODES.dataOrStorage;
    default:
      return EXIT_CODES.state;
  }
}
