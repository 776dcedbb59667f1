/**
 * The testbed registry: built-in testbeds by name, recorded-runs testbeds
 * from mapping files, and user modules.
 *
 * - `slimpajama-mlp` — the paper's simulator (needs the data directory);
 * - `law` — built-in scaling-law testbed (no data file);
 * - `admire-ift` — replay of `<data dir>/../runs/admire-ift-runs.csv` with the
 *   committed mapping `examples/recorded-runs/admire-mapping.json` (listed only
 *   when the CSV exists).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataError, NotFoundError, type Testbed, ValidationError } from '../core/index.ts';
import { packageRoot, resolveRunsDir, type TestbedDirOptions } from './data-dir.ts';
import { createLawTestbed } from './law.ts';
import { createRecordedTestbed, loadRecordedRuns, parseRecordedMapping } from './recorded-runs.ts';
import { createSlimpajamaMlp } from './slimpajama-mlp.ts';

/** A registry entry as listed by {@link listTestbeds}. */
export interface TestbedListing {
  readonly name: string;
  readonly description: string;
  /** Whether it reads files from the data directory. */
  readonly needsData: boolean;
}

interface RecordedEntry {
  readonly name: string;
  readonly mapping: string;
  readonly csv: string;
}

/** Built-in recorded-runs testbeds: mapping file (package-relative) and CSV (runs-dir-relative). */
const RECORDED: readonly RecordedEntry[] = [
  {
    name: 'admire-ift',
    mapping: 'examples/recorded-runs/admire-mapping.json',
    csv: 'admire-ift-runs.csv',
  },
];

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
 * Loads a recorded-runs testbed from a mapping file. The CSV is `csvPath`
 * when given, else the mapping's `csv` resolved against the mapping file's folder.
 * @throws DataError | ConfigError
 */
export function loadRecordedTestbed(mappingPath: string, csvPath?: string): Testbed {
  const mapping = parseRecordedMapping(readJson(mappingPath, 'recorded-runs mapping'), mappingPath);
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
  return createRecordedTestbed(loadRecordedRuns(csv, mapping));
}

/** The testbeds available by name (recorded ones only when their CSV exists). */
export function listTestbeds(opts: TestbedDirOptions = {}): TestbedListing[] {
  const out: TestbedListing[] = [
    {
      name: 'slimpajama-mlp',
      description:
        "The paper's simulator: an MLP trained on 472 SlimPajama pre-training runs (OLMo 20M..1B, 5 domains, 11 metrics)",
      needsData: true,
    },
    {
      name: 'law',
      description:
        'Built-in scaling-law testbed with cross-domain transfer (no data file; calibrated to slimpajama-mlp)',
      needsData: false,
    },
  ];
  for (const r of RECORDED) {
    if (existsSync(join(resolveRunsDir(opts), r.csv))) {
      out.push({
        name: r.name,
        description: `Replay of recorded runs ${r.csv} (mapping ${r.mapping})`,
        needsData: true,
      });
    }
  }
  return out;
}

/**
 * A testbed by name: `slimpajama-mlp`, `law`, or a recorded-runs one.
 * @throws NotFoundError for an unknown name (listing the known ones);
 *   DataError when its data file is missing or malformed.
 */
export function getTestbed(name: string, opts: TestbedDirOptions = {}): Testbed {
  if (name === 'slimpajama-mlp') return createSlimpajamaMlp(opts);
  if (name === 'law') return createLawTestbed(opts);
  const rec = RECORDED.find((r) => r.name === name);
  if (rec !== undefined) {
    return loadRecordedTestbed(
      join(packageRoot(), rec.mapping),
      join(resolveRunsDir(opts), rec.csv),
    );
  }
  throw new NotFoundError(
    `unknown testbed '${name}'; known testbeds: slimpajama-mlp, law, ${RECORDED.map((r) => r.name).join(', ')}; or pass a path to a module (./my-testbed.js) or a mapping file (runs.mapping.json)`,
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
 * Loads a user testbed module: its default export is a {@link Testbed} or a
 * (possibly async) factory `(opts) => Testbed`.
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
  let exp = mod.default;
  if (typeof exp === 'function') exp = await (exp as (o: TestbedDirOptions) => unknown)(opts);
  return assertTestbed(exp, `module ${abs} (default export)`);
}

/** Whether a testbed argument names a file rather than a registered testbed. */
export function looksLikePath(name: string): boolean {
  return /^(\.{0,2}\/|[A-Za-z]:\\)/.test(name) || /\.(m?[jt]s|c?js|json)$/.test(name);
}

/**
 * A testbed from a CLI-style argument: a registered name, a module path
 * (`./my-testbed.js`) or a recorded-runs mapping file (`*.json`).
 */
export async function openTestbed(
  nameOrPath: string,
  opts: TestbedDirOptions = {},
): Promise<Testbed> {
  if (!looksLikePath(nameOrPath)) return getTestbed(nameOrPath, opts);
  if (nameOrPath.endsWith('.json')) {
    const abs = resolve(nameOrPath);
    if (!existsSync(abs))
      throw new NotFoundError(`mapping file ${abs} does not exist; check the path`, { path: abs });
    return loadRecordedTestbed(abs);
  }
  return loadTestbedModule(nameOrPath, opts);
}
