/**
 * How the study commands open a database and pick a study: `--db` and `--study`, and how a
 * mixture is printed.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError } from '../../core/index.ts';
import { SqliteStudyStore, Study } from '../../study/index.ts';

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
