/**
 * What a Slurm job handle's `meta` holds, as a zod schema: the handle is stored as JSON on the
 * trial (and in the job directory's handle.json), so it is checked when it is read back.
 */
import { z } from 'zod';
import { type JobHandle, readBackMeta } from '../core/index.ts';

/** The schema of {@link SlurmJobMeta} (plain JSON). */
export const SlurmJobMetaSchema = z.object({
  /** The trial's job directory. */
  dir: z.string().min(1),
  stdout: z.string().min(1),
  stderr: z.string().min(1),
  /** The Slurm job name (`mixopt-<study>-t<trial>...`). */
  name: z.string(),
  /** For an array task: the array's job id and the task index; else null. */
  arrayJobId: z.string().nullable(),
  taskId: z.number().int().min(0).nullable(),
  submittedAt: z.number(),
  /** The metric a line without `metric` belongs to (single-metric studies). */
  defaultMetric: z.string().nullable(),
});

/** What a Slurm handle's `meta` holds. */
export type SlurmJobMeta = Readonly<z.infer<typeof SlurmJobMetaSchema>>;

/**
 * The meta of a Slurm job handle read back from a study or a handle.json, checked.
 * @throws DataError naming the job, the bad fields and what to do, when it is not a Slurm meta.
 */
export function slurmJobMeta(handle: JobHandle): SlurmJobMeta {
  return readBackMeta(
    SlurmJobMetaSchema,
    handle,
    'Slurm',
    `cancel the job by hand (scancel ${handle.jobId}) and fail the trial (mixopt tell --trial ID --failed MESSAGE)`,
  );
}
