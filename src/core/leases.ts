/**
 * Lease lengths. A lease is how long a worker holds a trial without a tell or
 * a heartbeat; after it the trial is `stale` and handed out again. A lease
 * must end at a time the store can write and compare (so not `1e300`
 * seconds), and must be long enough for a worker to report at all (so not 0
 * or negative: such a lease would expire at once and burn an attempt).
 */
import { ValidationError } from './errors.ts';

/** The shortest lease, in seconds. */
export const LEASE_SECONDS_MIN = 1;
/** The longest lease, in seconds (365 days; a longer run keeps its lease with heartbeats). */
export const LEASE_SECONDS_MAX = 365 * 86_400;

/** Why `seconds` is not a valid lease length, or undefined when it is. */
export function leaseProblem(seconds: number): string | undefined {
  if (
    typeof seconds !== 'number' ||
    !Number.isFinite(seconds) ||
    seconds < LEASE_SECONDS_MIN ||
    seconds > LEASE_SECONDS_MAX
  )
    return `must be a number of seconds between ${LEASE_SECONDS_MIN} and ${LEASE_SECONDS_MAX} (365 days)`;
  return undefined;
}

/** @throws ValidationError naming `what` and the accepted range, when `seconds` is not a valid lease. */
export function checkLeaseSeconds(seconds: number, what = 'the lease'): void {
  const p = leaseProblem(seconds);
  if (p !== undefined)
    throw new ValidationError(`${what} ${p}, got ${String(seconds)}`, { value: String(seconds) });
}
