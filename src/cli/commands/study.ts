/**
 * `mixopt study`: create a study from a config file, list the studies of a
 * database, print the config JSON Schema. Also the shared helpers the other
 * study commands (ask, tell, heartbeat, status, recommend, export, run) use to
 * open a database and pick a study.
 *
 *   mixopt study create study.yaml [--db mixopt.db] [--json]
 *   mixopt study list [--db mixopt.db] [--json]
 *   mixopt study schema
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { leaseProblem, NotFoundError, ValidationError } from '../../core/index.ts';
import { loadStudyConfig, SqliteStudyStore, Study, studyJsonSchema } from '../../study/index.ts';

/** Options every study command takes. */
export interface StudyOpts {
  db: string;
  study?: string;
  json?: boolean;
}

/** The default database path. */
export const DEFAULT_DB = './mixopt.db';

/** Adds `--db` and `--study` to a command. */
export function studyOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'study database (SQLite file)', DEFAULT_DB)
    .option('--study <name>', 'study name (may be omitted when the database holds one study)');
}

/**
 * Opens an existing database and the chosen study: `read` (status, export,
 * recommend, report) opens it read-only and never changes the file; `write`
 * (ask, tell, heartbeat, run) refuses a file that is not a study database
 * before writing anything.
 * @throws NotFoundError when the database or the study does not exist.
 */
export function openStudy(o: StudyOpts, mode: 'read' | 'write' = 'write'): Study {
  if (!existsSync(o.db)) {
    throw new NotFoundError(
      `no study database at '${o.db}'; create one with 'mixopt study create study.yaml --db ${o.db}' or pass --db PATH`,
      { db: o.db },
    );
  }
  const store = SqliteStudyStore.open(o.db, { mode });
  try {
    return new Study(store, o.study);
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Parses a lease length option (seconds), echoing the bad value and the accepted range. */
export function leaseOpt(name: string, v: string): number {
  const x = v.trim() === '' ? Number.NaN : Number(v);
  const problem = leaseProblem(x);
  if (problem !== undefined)
    throw new ValidationError(`${name} ${problem}, got '${v}'`, { value: v });
  return x;
}

/** Parses a positive integer option, echoing the bad value. */
export function intOpt(name: string, v: string, min = 1): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(x) || x < min) {
    throw new ValidationError(`${name} must be an integer >= ${min}, got '${v}'`, { value: v });
  }
  return x;
}

/** Parses a number option (finite), echoing the bad value. */
export function numOpt(name: string, v: string): number {
  const x = v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(x)) {
    throw new ValidationError(`${name} must be a finite number, got '${v}'`, { value: v });
  }
  return x;
}

/** `{domain: weight}` for display. */
export function namedMixture(
  domains: readonly string[],
  w: readonly number[],
): Record<string, number> {
  const out: Record<string, number> = {};
  domains.forEach((d, i) => {
    out[d] = w[i] as number;
  });
  return out;
}

/** A mixture as `name=0.123 name=0.456`. */
export function mixtureText(domains: readonly string[], w: readonly number[]): string {
  return domains.map((d, i) => `${d}=${(w[i] as number).toFixed(3)}`).join(' ');
}

export function register(program: Command): void {
  const study = program.command('study').description('create and list persistent studies');

  study
    .command('create <config>')
    .description('create a study from a YAML or JSON config (see schema/study.schema.json)')
    .option('--db <path>', 'study database (SQLite file; created if missing)', DEFAULT_DB)
    .option('--json', 'machine-readable output')
    .action((file: string, o: { db: string; json?: boolean }) => {
      const config = loadStudyConfig(file);
      const store = SqliteStudyStore.open(o.db);
      try {
        Study.create(store, config);
      } finally {
        store.close();
      }
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ study: config.name, db: o.db, config })}\n`);
      } else {
        process.stdout.write(
          `created study '${config.name}' in ${o.db}: ${config.domains.length} domains, ${config.scales.length} scales, target ${config.target.scale} at ${config.target.steps} steps, optimiser ${config.optimizer.method}, metric ${config.metric.name} (${config.metric.direction})\n`,
        );
      }
    });

  study
    .command('list')
    .description('list the studies in a database')
    .option('--db <path>', 'study database', DEFAULT_DB)
    .option('--json', 'machine-readable output')
    .action((o: { db: string; json?: boolean }) => {
      if (!existsSync(o.db))
        throw new NotFoundError(`no study database at '${o.db}'`, { db: o.db });
      const store = SqliteStudyStore.open(o.db, { mode: 'read' });
      const names = store.studyNames();
      store.close();
      process.stdout.write(
        o.json ? `${JSON.stringify(names)}\n` : names.map((n) => `${n}\n`).join(''),
      );
    });

  study
    .command('schema')
    .description('print the JSON Schema of study config files')
    .action(() => {
      process.stdout.write(`${JSON.stringify(studyJsonSchema(), null, 2)}\n`);
    });
}
