/**
 * The zod schema of {@link GPHyperparameters}, for hyper-parameters read back from JSON (an
 * optimiser's saved state): typed against the interface, so the two cannot drift apart. Fields
 * it does not know are kept as they are.
 */
import { z } from 'zod';
import type { GPHyperparameters } from './types.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((v) => v > 0, 'must be > 0');

/** Validates {@link GPHyperparameters} (lengthscales and variances positive, all finite). */
export const GPHyperparametersSchema: z.ZodType<GPHyperparameters> = z.looseObject({
  lengthscales: z.array(
    z.object({
      kind: z.enum(['rbf', 'matern52']),
      dims: z.array(z.number().int().min(0)),
      values: z.array(positive),
    }),
  ),
  outputScale: positive,
  noise: finite.refine((v) => v >= 0, 'must be >= 0'),
  mean: z.array(finite),
  standardization: z.object({ mean: finite, std: positive }).optional(),
});
