/** Shared helpers for the testbed tests: where the shared data is and whether it is present. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir, resolveRunsDir } from '../../src/testbeds/index.ts';

/** The default data directory (../shared/testbeds next to the package, or $MIXOPT_DATA). */
export const DATA_DIR = resolveDataDir();
export const HAVE_DATA = existsSync(join(DATA_DIR, 'slimpajama-mlp.json'));
export const ADMIRE_CSV = join(resolveRunsDir(), 'admire-ift-runs.csv');
export const HAVE_ADMIRE = existsSync(ADMIRE_CSV);

/** `skip` option for tests that need the shared data: a message when it is absent, else false. */
export const needsData: string | false = HAVE_DATA
  ? false
  : `skipped: ${DATA_DIR} is absent (slimpajama-mlp data not available on this machine)`;
export const needsAdmire: string | false = HAVE_ADMIRE ? false : `skipped: ${ADMIRE_CSV} is absent`;

/** A fresh temporary directory. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `mixopt-${label}-`));
}
