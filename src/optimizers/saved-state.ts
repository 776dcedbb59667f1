/**
 * An optimiser's saved state read back (`Optimizer.loadState`): the study store keeps it as
 * JSON between asks, so it is checked against the optimiser's schema before use.
 */
import { z } from 'zod';
import { readBack } from '../core/index.ts';
import { GPHyperparametersSchema } from '../gp/index.ts';

/**
 * `state` checked against `schema`, returned as it is (the optimiser keeps exactly what it saved).
 * @throws DataError naming the optimiser and each bad field, when it does not match.
 */
export function parseSavedState<S extends z.ZodType>(
  schema: S,
  state: unknown,
  method: string,
): z.output<S> {
  return readBack(
    schema,
    state,
    `the saved state of optimiser '${method}'`,
    'the study database is damaged or was written by another version of mixopt: start a new study from the same config',
    { method },
  );
}

/**
 * The saved state of `mfms-bo`: the last fitted hyper-parameters, the history length they were
 * fitted at (-1: none) and the stable rule's incumbent mixture.
 */
export const MfmsStateSchema = z
  .object({
    hyper: GPHyperparametersSchema.nullable().optional(),
    fittedAt: z.number().int().min(-1).optional(),
    /** `runNoise: 'auto'`: run offsets switched on. */
    runNoiseOn: z.boolean().optional(),
    recommended: z.array(z.number().min(0)).nullable().optional(),
  })
  .nullable()
  .optional();

/** The saved state of `mfms-bo:paper`: its hyper-parameters and the iterations that shrank them. */
export const MfmsPaperStateSchema = z
  .object({
    hyper: GPHyperparametersSchema.nullable().optional(),
    shrinkAt: z.array(z.number().int().min(0)).optional(),
  })
  .nullable()
  .optional();

/** The saved state of the GP optimisers that keep only their last hyper-parameters (bo, mf-bo). */
export const HyperStateSchema = z
  .object({ hyper: GPHyperparametersSchema.nullable().optional() })
  .nullable()
  .optional();
