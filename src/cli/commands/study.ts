/**
 * `mixopt study`: create a study from a config file, list the studies of a
 * database, print the config JSON Schema. (How every study command opens a
 * database and picks a study is in ../shared/study.ts.)
 *
 *   mixopt study create study.yaml [--db mixopt.db] [--json]
 *   mixopt study list [--db mixopt.db] [--json]
 *   mixopt study schema
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError } from '../../core/index.ts';
import { loadStudyConfig, SqliteStudyStore, Study, studyJsonSchema } from '../../study/index.ts';
import { DEFAULT_DB } from '../shared/index.ts';

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
