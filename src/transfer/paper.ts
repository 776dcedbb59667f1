/**
 * The paper's held-out R² for the scale-transfer experiments (Yen et al.,
 * arXiv 2503.21023, as quoted in the issue): E1..E5 per metric, and E6..E8 as
 * one row (the paper's truncation study reports a single R² per setting).
 */
import type { ExperimentId } from './splits.ts';

/** Paper R² for E1..E5, by slimpajama-mlp metric name. `train_cross_entropy` has none. */
export const PAPER_R2_E1_E5: Readonly<
  Record<string, readonly [number, number, number, number, number]>
> = {
  wikipedia_cross_entropy: [0.75, 0.96, 0.94, 0.73, 0.88],
  arxiv_cross_entropy: [0.68, 0.92, 0.93, 0.59, 0.82],
  github_cross_entropy: [0.66, 0.95, 0.95, 0.62, 0.87],
  book_cross_entropy: [0.83, 0.97, 0.97, 0.79, 0.92],
  stackexchange_cross_entropy: [0.73, 0.95, 0.95, 0.68, 0.9],
  commoncrawl_cross_entropy: [0.84, 0.98, 0.98, 0.81, 0.94],
  c4_cross_entropy: [0.86, 0.99, 0.98, 0.82, 0.95],
  arc_easy_accuracy: [0.92, 0.94, 0.94, 0.88, 0.9],
  hellaswag_accuracy: [0.97, 0.98, 0.97, 0.94, 0.96],
  piqa_accuracy: [0.94, 0.96, 0.96, 0.9, 0.93],
};

/** Paper R² of the equal-compute truncation study (E6, E7, E8). */
export const PAPER_R2_E6_E8: Readonly<Record<'E6' | 'E7' | 'E8', number>> = {
  E6: 0.69,
  E7: 0.77,
  E8: 0.82,
};

/** The paper's R² for (experiment, metric), when it reports one. */
export function paperR2(experiment: ExperimentId, metric: string): number | undefined {
  if (experiment === 'custom') return undefined;
  if (experiment === 'E6' || experiment === 'E7' || experiment === 'E8') {
    return PAPER_R2_E6_E8[experiment];
  }
  const row = PAPER_R2_E1_E5[metric];
  return row?.[Number(experiment.slice(1)) - 1];
}
