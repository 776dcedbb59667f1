/** Parsers of option values shared by the commands; each echoes the bad value. */
import { leaseProblem, ValidationError } from '../../core/index.ts';

/** Parses a lease length option (seconds), echoing the bad value and the accepted range. */
export function leaseOpt(name: string, v: string): number {
  const x = v.trim() === '' ? Number.NaN : Number(v);
  const problem = leaseProblem(x);
  if (problem !== undefined)
    throw new ValidationError(`${name} ${problem}, got '${v}'`, { value: v });
  return x;
}

/** Parses a positive integer option, echoing the bad value. */
export function intOpt(name: string, v: string, min = 1): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(x) || x < min) {
    throw new ValidationError(`${name} must be an integer >= ${min}, got '${v}'`, { value: v });
  }
  return x;
}

/** Parses a number option (finite), echoing the bad value. */
export function numOpt(name: string, v: string): number {
  const x = v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(x)) {
    throw new ValidationError(`${name} must be a finite number, got '${v}'`, { value: v });
  }
  return x;
}

/** Parses a positive integer option. */
export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) {
      throw new ValidationError(`--${name} must be a positive integer, got '${v}'`, { value: v });
    }
    return n;
  };
}

/** Parses a non-negative integer option. */
export function nonNegativeInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new ValidationError(`--${name} must be a non-negative integer, got '${v}'`, {
        value: v,
      });
    }
    return n;
  };
}

/** Parses a positive number option. */
export function positiveNumber(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) {
      throw new ValidationError(`--${name} must be a positive number, got '${v}'`, { value: v });
    }
    return n;
  };
}

/** A comma-separated list, trimmed, without empty items. */
export const parseList = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
