/**
 * `mixopt export`: the study as CSV (one row per trial, or per curve point
 * with --points) or JSON (config, status, trials with their points).
 *
 *   mixopt export --format csv|json [--points] [--out FILE] [--study S] [--db mixopt.db]
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../core/index.ts';
import { exportJson, exportPointsCsv, exportTrialsCsv } from '../../study/index.ts';
import { openStudy, type StudyOpts, studyOptions } from '../shared/index.ts';

export function register(program: Command): void {
  studyOptions(
    program.command('export').description('export trials and learning curves as CSV or JSON'),
  )
    .option('--format <fmt>', 'csv or json', 'csv')
    .option('--points', 'CSV: one row per learning-curve point instead of per trial')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((o: StudyOpts & { format: string; points?: boolean; out?: string }) => {
      if (o.format !== 'csv' && o.format !== 'json')
        throw new ValidationError(`--format must be csv or json, got '${o.format}'`, {
          value: o.format,
        });
      const study = openStudy(o, 'read');
      const text =
        o.format === 'json'
          ? `${JSON.stringify(exportJson(study), null, 2)}\n`
          : o.points
            ? exportPointsCsv(study)
            : exportTrialsCsv(study);
      if (o.out !== undefined) writeFileSync(o.out, text);
      else process.stdout.write(text);
    });
}
