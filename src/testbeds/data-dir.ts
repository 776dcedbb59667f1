/**
 * Where testbed data and caches live.
 *
 * - data directory: option > env `MIXOPT_DATA` > `<package root>/../shared/testbeds`
 *   (read-only; never copied into the repository);
 * - cache directory: option > env `MIXOPT_CACHE` > `<package root>/.cache/` (gitignored).
 *
 * The package root is found from this module's URL, so it does not depend on
 * the working directory.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options shared by every testbed loader. */
export interface TestbedDirOptions {
  /** Directory holding `slimpajama-mlp.json` and friends. */
  readonly dataDir?: string;
  /** Directory for computed artefacts (reference optima). */
  readonly cacheDir?: string;
}

/** The package root: the folder holding `package.json` (two levels above `src/testbeds`). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/**
 * The testbed data directory: `opts.dataDir`, else `$MIXOPT_DATA`, else
 * `<package root>/../shared/testbeds`. Returned as an absolute path.
 */
export function resolveDataDir(opts: TestbedDirOptions = {}): string {
  const fromEnv = process.env.MIXOPT_DATA;
  if (opts.dataDir !== undefined && opts.dataDir !== '') return resolve(opts.dataDir);
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(packageRoot(), '..', 'shared', 'testbeds');
}

/**
 * The runs directory (recorded-runs CSVs): `<data dir>/../runs`.
 */
export function resolveRunsDir(opts: TestbedDirOptions = {}): string {
  return resolve(resolveDataDir(opts), '..', 'runs');
}

/** The cache directory: `opts.cacheDir`, else `$MIXOPT_CACHE`, else `<package root>/.cache`. */
export function resolveCacheDir(opts: TestbedDirOptions = {}): string {
  const fromEnv = process.env.MIXOPT_CACHE;
  if (opts.cacheDir !== undefined && opts.cacheDir !== '') return resolve(opts.cacheDir);
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(packageRoot(), '.cache');
}
