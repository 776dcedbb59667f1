/**
 * Where testbed data and caches live.
 *
 * Data files (`slimpajama-mlp.json`, recorded-run CSVs) are not part of the
 * package: the `slimpajama-mlp` files derive from the paper authors' released
 * simulator, which carries no licence to redistribute. They are looked up, in
 * this order:
 *
 * 1. `opts.dataDir` (the CLI's `--data-dir DIR`);
 * 2. `$MIXOPT_DATA`;
 * 3. the per-user data folder, `$XDG_DATA_HOME/mixopt/testbeds` (default
 *    `~/.local/share/mixopt/testbeds`), when it exists;
 * 4. in a development checkout (the package root holds `src/`), the
 *    `../shared/testbeds` folder beside the checkout, when it exists.
 *
 * An explicit folder (1, 2) is used whether or not it exists, so that a typo
 * is reported rather than skipped; when neither 3 nor 4 exists, the per-user
 * folder is returned, and the missing-file errors say to put the files there.
 *
 * The cache (reference optima): `opts.cacheDir` > `$MIXOPT_CACHE` > in a
 * development checkout `<package root>/.cache/` (gitignored) > the per-user
 * cache folder `$XDG_CACHE_HOME/mixopt` (default `~/.cache/mixopt`).
 *
 * The package root is found from this module's URL, so none of this depends
 * on the working directory.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options shared by every testbed loader. */
export interface TestbedDirOptions {
  /** Directory holding `slimpajama-mlp.json` and friends. */
  readonly dataDir?: string;
  /** Directory for computed artefacts (reference optima). */
  readonly cacheDir?: string;
}

/** The package root: the folder holding `package.json` (two levels above `src/testbeds` or `dist/testbeds`). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Whether this package is a development checkout (its root holds `src/`; an installed package does not). */
export function isDevCheckout(): boolean {
  return existsSync(join(packageRoot(), 'src'));
}

/** Where a data folder candidate comes from, in lookup order. */
export type DataDirSource = 'option' | 'env' | 'user' | 'checkout';

/** One folder of the lookup, with whether it exists. */
export interface DataDirCandidate {
  readonly source: DataDirSource;
  readonly path: string;
  readonly exists: boolean;
}

/** What each source is called in messages. */
export const DATA_DIR_SOURCE_LABEL: Readonly<Record<DataDirSource, string>> = {
  option: '--data-dir',
  env: '$MIXOPT_DATA',
  user: 'per-user data folder',
  checkout: 'development checkout',
};

/** The per-user data folder: `$XDG_DATA_HOME/mixopt/testbeds`, default `~/.local/share/mixopt/testbeds`. */
export function userDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME;
  const base = xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'share');
  return resolve(base, 'mixopt', 'testbeds');
}

/**
 * The folders the data lookup considers, in order (see the module comment).
 * An explicit option or `$MIXOPT_DATA` is the only candidate when given.
 */
export function dataDirCandidates(opts: TestbedDirOptions = {}): DataDirCandidate[] {
  const at = (source: DataDirSource, path: string): DataDirCandidate => ({
    source,
    path: resolve(path),
    exists: existsSync(path),
  });
  if (opts.dataDir !== undefined && opts.dataDir !== '') return [at('option', opts.dataDir)];
  const fromEnv = process.env.MIXOPT_DATA;
  if (fromEnv !== undefined && fromEnv !== '') return [at('env', fromEnv)];
  const out = [at('user', userDataDir())];
  if (isDevCheckout()) out.push(at('checkout', join(packageRoot(), '..', 'shared', 'testbeds')));
  return out;
}

/**
 * The testbed data directory (absolute): `opts.dataDir`, else `$MIXOPT_DATA`,
 * else the first of the per-user folder and the development checkout's
 * `../shared/testbeds` that exists, else the per-user folder.
 */
export function resolveDataDir(opts: TestbedDirOptions = {}): string {
  const c = dataDirCandidates(opts);
  return (c.find((x) => x.exists) ?? (c[0] as DataDirCandidate)).path;
}

/**
 * Says where testbed data files come from and where to put them, for errors
 * about a missing file: the folders searched and how to choose another.
 */
export function dataDirHelp(opts: TestbedDirOptions = {}): string {
  const searched = dataDirCandidates(opts)
    .map((c) => `${c.path} (${DATA_DIR_SOURCE_LABEL[c.source]}${c.exists ? '' : ', absent'})`)
    .join(', ');
  return `mixopt does not ship testbed data: copy the files into ${userDataDir()}, or pass --data-dir DIR / set MIXOPT_DATA=DIR (the slimpajama-mlp files derive from the simulator released with Yen et al., arXiv 2503.21023, which mixopt may not redistribute; docs/testbeds.md says how to get them). Looked in: ${searched}`;
}

/**
 * The runs directory (recorded-runs CSVs): `<data dir>/../runs`.
 */
export function resolveRunsDir(opts: TestbedDirOptions = {}): string {
  return resolve(resolveDataDir(opts), '..', 'runs');
}

/**
 * The cache directory: `opts.cacheDir`, else `$MIXOPT_CACHE`, else
 * `<package root>/.cache` in a development checkout, else the per-user cache
 * folder `$XDG_CACHE_HOME/mixopt` (default `~/.cache/mixopt`).
 */
export function resolveCacheDir(opts: TestbedDirOptions = {}): string {
  const fromEnv = process.env.MIXOPT_CACHE;
  if (opts.cacheDir !== undefined && opts.cacheDir !== '') return resolve(opts.cacheDir);
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  if (isDevCheckout()) return resolve(packageRoot(), '.cache');
  const xdg = process.env.XDG_CACHE_HOME;
  return resolve(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'mixopt');
}
