/** Testbed option help and messages shared by `mixopt testbed`, `bench` and `transfer`. */
import type { Testbed } from '../../core/index.ts';
import { formatFitQuality, isFittedTestbed } from '../../testbeds/index.ts';

/** The `--noise` option's help (shared by bench). */
export const NOISE_HELP =
  "observation noise for what methods see: a level like 0.5% (relative sd of a run's final value at the target), or sd=0.5%,corr=0.9,small=2,seed=0; 'off' removes a testbed's own noise (docs/testbeds.md)";

/**
 * For a fitted testbed: fits `metrics` (default all) and prints their
 * held-out fit quality on stderr; nothing for other testbeds.
 */
export function reportFit(tb: Testbed, metrics?: readonly string[]): void {
  if (!isFittedTestbed(tb)) return;
  process.stderr.write(`${formatFitQuality(tb.name, tb.target.scale, tb.fitQuality(metrics))}\n`);
}
