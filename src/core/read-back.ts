/**
 * State read back from disk (an optimiser's saved state, a job handle's meta) is checked against
 * its zod schema before use, with one error form: what is malformed, each bad field, the fix.
 */
import type { z } from 'zod';
import { DataError } from './errors.ts';
import type { JobHandle } from './executor.ts';

/**
 * `value` checked against `schema`, and returned as it is (not a parsed copy, so the reader
 * keeps exactly what was written).
 * @throws DataError `<subject> is malformed (<field>: <problem>; ...); <fix>`
 */
export function readBack<S extends z.ZodType>(
  schema: S,
  value: unknown,
  subject: string,
  fix: string,
  details?: Record<string, unknown>,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return value as z.output<S>;
  const what = r.error.issues
    .map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`)
    .join('; ');
  throw new DataError(`${subject} is malformed (${what}); ${fix}`, details);
}

/**
 * The meta of a stored job handle of `executor` ('local', 'Slurm', ...), checked against its
 * schema. `fix`: how to get rid of the job by hand.
 * @throws DataError naming the job and each bad field.
 */
export function readBackMeta<S extends z.ZodType>(
  schema: S,
  handle: JobHandle,
  executor: string,
  fix: string,
): z.output<S> {
  return readBack(
    schema,
    handle.meta,
    `the meta of the stored handle of ${executor} job ${handle.jobId}`,
    `it was not written by this version of the ${executor} executor: ${fix}`,
    { jobId: handle.jobId },
  );
}
