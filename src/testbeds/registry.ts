/**
 * The testbed registry: built-in testbeds by name, recorded-runs testbeds
 * from mapping files, and user modules.
 *
 * - `slimpajama-mlp` — the paper's simulator (needs the data directory);
 * - `law` — built-in scaling-law testbed (no data file);
 * - family presets (`family-vertex`, ...) and ad-hoc family specs
 *   (`family:domains=10,optimum=interior,...`), see ./family-presets.ts;
 * - `admire-ift` — replay of `<data dir>/../runs/admire-ift-runs.csv` with the
 *   committed mapping `examples/recorded-runs/admire-mapping.json`;
 *   `admire-ift-fit` — the same runs, fitted (./fitted.ts).
 *
 * {@link listTestbeds} lists every one, with whether its data files are found.
 *
 * One way to name a testbed everywhere ({@link openTestbed}): a registered
 * name, a recorded-runs mapping file (`*.json`), or a module path whose
 * default export is a testbed or a factory. `fit: true` opens recorded runs
 * in the fitted mode.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  DataError,
  NotFoundError,
  type Testbed,
  ValidationError,
} from '../core/index.ts';
import {
  dataDirHelp,
  packageRoot,
  resolveDataDir,
  resolveRunsDir,
  type TestbedDirOptions,
} from './data-dir.ts';
import { isFamilyName, listFamilyPresets, openFamilyTestbed } from './family-presets.ts';
import { createFittedTestbed } from './fitted.ts';
import { createLawTestbed } from './law.ts';
import { loadRecordedRuns, parseRecordedMapping, type RecordedMapping } from './recorded-runs.ts';
import { createRecordedTestbed } from './replay.ts';
import { createSlimpajamaMlp } from './slimpajama-mlp.ts';

/** A registry entry as listed by {@link listTestbeds}. */
export interface TestbedListing {
  readonly name: string;
  readonly description: string;
  /** Whether it reads files from the data directory. */
  readonly needsData: boolean;
  /** Whether those files are found (always true for built-in testbeds). */
  readonly available: boolean;
  /** The file it reads (absolute), for testbeds that need data. */
  readonly dataFile?: string;
}

interface RecordedEntry {
  readonly name: string;
  readonly mapping: string;
  readonly csv: string;
  readonly fit: boolean;
}

/** Built-in recorded-runs testbeds: mapping file (package-relative) and CSV (runs-dir-relative). */
const RECORDED: readonly RecordedEntry[] = [
  {
    name: 'admire-ift',
    mapping: 'examples/recorded-runs/admire-mapping.json',
    csv: 'admire-ift-runs.csv',
    fit: false,
  },
  {
    name: 'admire-ift-fit',
    mapping: 'examples/recorded-runs/admire-mapping.json',
    csv: 'admire-ift-runs.csv',
    fit: true,
  },
];

/** Options of {@link openTestbed}: data and cache directories, and the fitted mode. */
export interface OpenTestbedOptions extends TestbedDirOptions {
  /** Open recorded runs as a fitted testbed (./fitted.ts) instead of a replay. */
  readonly fit?: boolean;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(
      `cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path`,
      {
        path,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(
      `${what} ${path} is not valid JSON (${(err as Error).message}); fix the file`,
      { path },
    );
  }
}

/**
 * Reads and validates a recorded-runs mapping file.
 * @throws DataError (exit 3) naming the file and every invalid field.
 */
export function readMappingFile(path: string): RecordedMapping {
  const raw = readJson(path, 'recorded-runs mapping');
  try {
    return parseRecordedMapping(raw, path);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new DataError(`${err.message}; fix the mapping file (see docs/testbeds.md)`, {
        path,
        issues: err.issues,
      });
    }
    throw err;
  }
}

/** Where a recorded-runs testbed's data lives. */
export interface RecordedSource {
  readonly mappingPath: string;
  readonly csvPath: string;
  readonly mapping: RecordedMapping;
  /** Whether it opens fitted (the registered `-fit` name, or `fit` in the mapping). */
  readonly fit: boolean;
  /** The name to give it (registered testbeds: the registered name). */
  readonly name?: string;
}

/**
 * The mapping and CSV of a recorded-runs testbed named by a registered name
 * or a mapping file; undefined for other testbeds (simulators, modules).
 * @throws DataError for an unreadable or invalid mapping file; ValidationError
 *   when the mapping names no CSV.
 */
export function recordedSource(
  nameOrPath: string,
  opts: TestbedDirOptions = {},
): RecordedSource | undefined {
  const rec = RECORDED.find((r) => r.name === nameOrPath);
  if (rec !== undefined) {
    const mappingPath = join(packageRoot(), rec.mapping);
    return {
      mappingPath,
      csvPath: join(resolveRunsDir(opts), rec.csv),
      mapping: readMappingFile(mappingPath),
      fit: rec.fit,
      name: rec.name,
    };
  }
  if (!looksLikePath(nameOrPath) || !nameOrPath.endsWith('.json')) return undefined;
  const mappingPath = resolve(nameOrPath);
  if (!existsSync(mappingPath))
    throw new NotFoundError(`mapping file ${mappingPath} does not exist; check the path`, {
      path: mappingPath,
    });
  const mapping = readMappingFile(mappingPath);
  if (mapping.csv === undefined) {
    throw new ValidationError(
      `mapping ${mappingPath} names no 'csv' file; add "csv": "runs.csv" to it`,
      { path: mappingPath },
    );
  }
  return {
    mappingPath,
    csvPath: isAbsolute(mapping.csv) ? mapping.csv : join(dirname(mappingPath), mapping.csv),
    mapping,
    fit: mapping.fit !== undefined && mapping.fit !== false,
  };
}

function openRecorded(src: RecordedSource, opts: OpenTestbedOptions): Testbed {
  const runs = loadRecordedRuns(src.csvPath, src.mapping);
  if (src.fit || opts.fit === true) {
    return createFittedTestbed(runs, {
      ...opts,
      ...(src.name !== undefined ? { name: src.fit ? src.name : `${src.name}-fit` } : {}),
    });
  }
  return createRecordedTestbed(runs, src.name !== undefined ? { name: src.name } : {});
}

/**
 * Loads a recorded-runs testbed from a mapping file. The CSV is `csvPath`
 * when given, else the mapping's `csv` resolved against the mapping file's folder.
 * @throws DataError | ValidationError
 */
export function loadRecordedTestbed(
  mappingPath: string,
  csvPath?: string,
  opts: OpenTestbedOptions = {},
): Testbed {
  const mapping = readMappingFile(mappingPath);
  const csv =
    csvPath ??
    (mapping.csv === undefined
      ? undefined
      : isAbsolute(mapping.csv)
        ? mapping.csv
        : join(dirname(mappingPath), mapping.csv));
  if (csv === undefined) {
    throw new ValidationError(
      `mapping ${mappingPath} names no 'csv' file; add "csv": "runs.csv" to it`,
      { path: mappingPath },
    );
  }
  return openRecorded(
    { mappingPath, csvPath: csv, mapping, fit: mapping.fit !== undefined && mapping.fit !== false },
    opts,
  );
}

/**
 * The testbeds known by name, each with whether its data files are found in
 * the data directory (see {@link resolveDataDir}).
 */
export function listTestbeds(opts: TestbedDirOptions = {}): TestbedListing[] {
  const mlp = join(resolveDataDir(opts), 'slimpajama-mlp.json');
  const out: TestbedListing[] = [
    {
      name: 'slimpajama-mlp',
      description:
        "The paper's simulator: an MLP trained on 472 SlimPajama pre-training runs (OLMo 20M..1B, 5 domains, 11 metrics)",
      needsData: true,
      available: existsSync(mlp),
      dataFile: mlp,
    },
    {
      name: 'law',
      description:
        'Built-in scaling-law testbed with cross-domain transfer (no data file; calibrated to slimpajama-mlp)',
      needsData: false,
      available: true,
    },
  ];
  // Testbed families (./family-presets.ts).
  for (const f of listFamilyPresets()) {
    out.push({
      name: f.name,
      description: `Family: ${f.description}`,
      needsData: false,
      available: true,
    });
  }
  for (const r of RECORDED) {
    const csv = join(resolveRunsDir(opts), r.csv);
    out.push({
      name: r.name,
      description: `${r.fit ? 'Fitted surrogate of' : 'Replay of'} recorded runs ${r.csv} (mapping ${r.mapping})`,
      needsData: true,
      available: existsSync(csv),
      dataFile: csv,
    });
  }
  return out;
}

/**
 * A testbed by name: `slimpajama-mlp`, `law`, or a recorded-runs one
 * (`fit: true` opens recorded runs fitted).
 * @throws NotFoundError for an unknown name (listing the known ones);
 *   DataError when its data file is missing or malformed; ValidationError for
 *   `fit` on a testbed that is not recorded runs.
 */
export function getTestbed(name: string, opts: OpenTestbedOptions = {}): Testbed {
  const src = RECORDED.some((r) => r.name === name) ? recordedSource(name, opts) : undefined;
  if (src !== undefined) {
    if (!existsSync(src.csvPath)) {
      throw new DataError(
        `testbed '${name}' needs ${src.csvPath}, which is absent: recorded runs go in the 'runs' folder beside the testbed data folder. ${dataDirHelp(opts)}`,
        { path: src.csvPath },
      );
    }
    return openRecorded(src, opts);
  }
  if (opts.fit === true && (name === 'slimpajama-mlp' || name === 'law' || isFamilyName(name))) {
    throw new ValidationError(
      `--fit builds a testbed from recorded runs; '${name}' is a simulator already: drop --fit`,
      { name },
    );
  }
  if (name === 'slimpajama-mlp') return createSlimpajamaMlp(opts);
  if (name === 'law') return createLawTestbed(opts);
  if (isFamilyName(name)) return openFamilyTestbed(name, opts);
  throw new NotFoundError(
    `unknown testbed '${name}'; known testbeds: slimpajama-mlp, law, ${[...listFamilyPresets().map((f) => f.name), ...RECORDED.map((r) => r.name)].join(', ')}; or an ad-hoc family spec (family:domains=10,optimum=interior,drift=reverse,noise=0.5%,seed=3); or pass a path to a module (./my-testbed.js) or a mapping file (runs.mapping.json)`,
    { name },
  );
}

const REQUIRED = ['name', 'domains', 'scales', 'steps', 'metrics', 'target', 'costUnit'] as const;
const REQUIRED_FN = ['evaluate', 'curve', 'cost'] as const;

/** Checks that `x` has the members of a {@link Testbed}. @throws ValidationError naming what is missing. */
export function assertTestbed(x: unknown, where: string): Testbed {
  if (x === null || typeof x !== 'object') {
    throw new ValidationError(
      `${where} does not provide a testbed object (got ${x === null ? 'null' : typeof x})`,
      { where },
    );
  }
  const o = x as Record<string, unknown>;
  const missing = [
    ...REQUIRED.filter((k) => o[k] === undefined),
    ...REQUIRED_FN.filter((k) => typeof o[k] !== 'function'),
  ];
  if (missing.length > 0) {
    throw new ValidationError(
      `${where} is not a testbed: missing ${missing.join(', ')}; export default an object implementing the Testbed interface (see docs/testbeds.md) or a function returning one`,
      { where, missing },
    );
  }
  return x as Testbed;
}

/**
 * Loads a user testbed module: its default export (or, failing that, its
 * export `testbed`) is a {@link Testbed} or a (possibly async) factory
 * `(opts) => Testbed`.
 * @throws NotFoundError when the file does not exist; ValidationError when
 *   the export is not a testbed; DataError when importing it fails.
 */
export async function loadTestbedModule(
  path: string,
  opts: TestbedDirOptions = {},
): Promise<Testbed> {
  const abs = resolve(path);
  if (!existsSync(abs))
    throw new NotFoundError(`testbed module ${abs} does not exist; check the path`, { path: abs });
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (err) {
    throw new DataError(`cannot import testbed module ${abs}: ${(err as Error).message}`, {
      path: abs,
    });
  }
  const which = mod.default !== undefined ? 'default' : 'testbed';
  let exp = (mod as Record<string, unknown>)[which];
  if (exp === undefined) {
    throw new ValidationError(
      `module ${abs} has no default export (nor an export 'testbed'); add 'export default' of a testbed object or a function returning one (see docs/testbeds.md)`,
      { path: abs },
    );
  }
  if (typeof exp === 'function') exp = await (exp as (o: TestbedDirOptions) => unknown)(opts);
  return assertTestbed(
    exp,
    `module ${abs} (${which === 'default' ? 'default export' : "export 'testbed'"})`,
  );
}

/** Whether a testbed argument names a file rather than a registered testbed. */
export function looksLikePath(name: string): boolean {
  return /^(\.{0,2}\/|[A-Za-z]:\\)/.test(name) || /\.(m?[jt]s|c?js|json)$/.test(name);
}

/**
 * A testbed from a CLI-style argument: a registered name, a recorded-runs
 * mapping file (`*.json`), or a module path (`./my-testbed.mjs`, default
 * export a testbed or a factory). `opts.fit` opens recorded runs fitted.
 * @throws NotFoundError | DataError | ValidationError
 */
export async function openTestbed(
  nameOrPath: string,
  opts: OpenTestbedOptions = {},
): Promise<Testbed> {
  if (!looksLikePath(nameOrPath)) return getTestbed(nameOrPath, opts);
  const src = recordedSource(nameOrPath, opts);
  if (src !== undefined) return openRecorded(src, opts);
  if (opts.fit === true) {
    throw new ValidationError(
      `--fit builds a testbed from recorded runs (a mapping file or a registered recorded testbed); '${nameOrPath}' is a module: drop --fit`,
      { name: nameOrPath },
    );
  }
  return loadTestbedModule(nameOrPath, opts);
}
