/**
 * Crash points for fault-injection tests: `MIXOPT_FAULT_KILL_AT=<point>[:<n>]`
 * makes this process kill itself with SIGKILL the n-th time (default the
 * first) it reaches `<point>`, as a power cut or the OOM killer would. Unset
 * (always, outside tests), a crash point does nothing.
 *
 * Points: `launch` (a job is started, its handle not yet stored), `tell`
 * (a job's new points were read, not yet told), `commit` (inside a store
 * transaction, just before it commits).
 */

const seen = new Map<string, number>();

/** Kills this process here when `MIXOPT_FAULT_KILL_AT` names `point` (see above). */
export function crashPoint(point: 'launch' | 'tell' | 'commit'): void {
  const want = process.env.MIXOPT_FAULT_KILL_AT;
  if (want === undefined || want === '') return;
  const [name, nth] = want.split(':');
  if (name !== point) return;
  const n = (seen.get(point) ?? 0) + 1;
  seen.set(point, n);
  if (n === Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL');
}
