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
  | 'E_BUDGET' // budget exhausted or exceeded
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

/** The budget is exhausted or would be exceeded. */
export class BudgetError extends MixoptError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_BUDGET', message, details);
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
 * Process exit code for an error: 2 for user input (bad argument, config,
 * unknown name), 3 for data files, 4 for numerics, 1 otherwise.
 */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof MixoptError)) return 1;
  switch (err.code) {
    case 'E_INVALID_INPUT':
    case 'E_INVALID_CONFIG':
    case 'E_NOT_FOUND':
      return 2;
    case 'E_DATA':
      return 3;
    case 'E_NUMERICS':
      return 4;
    default:
      return 1;
  }
}

/** Throws a {@link ValidationError} unless `x` is a finite number. */
export function assertFinite(x: number, what: string): void {
  if (!Number.isFinite(x)) {
    throw new ValidationError(`${what} must be a finite number, got ${String(x)}`, {
      value: String(x),
    });
  }
}
