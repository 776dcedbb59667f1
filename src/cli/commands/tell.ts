/**
 * `mixopt tell`: report a trial's learning-curve point, its end, or its failure.
 *
 *   mixopt tell --trial T --step 6000 --value 2.31 [--metric M]   (may repeat)
 *   mixopt tell --trial T --final            (optionally with --step/--value in the same call)
 *   mixopt tell --trial T --failed "OOM on node 3"
 *
 * A rejected report (unknown or finished trial, step beyond the trial's
 * length, NaN or infinite value) changes nothing and exits non-zero.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../core/index.ts';
import { intOpt, openStudy, type StudyOpts, studyOptions } from '../shared/index.ts';

interface TellOpts extends StudyOpts {
  trial: string;
  step?: string;
  value?: string;
  metric?: string;
  final?: boolean;
  failed?: string;
  owner?: string;
}

export function register(program: Command): void {
  studyOptions(
    program.command('tell').description("report a trial's metric, its completion or its failure"),
  )
    .requiredOption('--trial <id>', 'trial id (from mixopt ask)')
    .option('--step <n>', 'training step of the value')
    .option('--value <x>', 'metric value at --step')
    .option('--metric <name>', 'metric name (default: the study metric)')
    .option('--final', 'the trial is complete')
    .option('--failed <message>', 'the trial failed, with this message')
    .option('--owner <name>', 'worker name (renews its lease)')
    .option('--json', 'machine-readable output')
    .action((o: TellOpts) => {
      const point = o.step !== undefined || o.value !== undefined;
      if (point && (o.step === undefined || o.value === undefined))
        throw new ValidationError('give both --step and --value (e.g. --step 6000 --value 2.31)');
      if (o.failed !== undefined && (o.final || point))
        throw new ValidationError('--failed cannot be combined with --final, --step or --value');
      if (o.failed !== undefined && o.failed.trim() === '')
        throw new ValidationError(
          `--failed needs a message saying what went wrong, got '${o.failed}' (e.g. --failed "OOM on node 3")`,
        );
      if (!point && !o.final && o.failed === undefined)
        throw new ValidationError(
          'nothing to tell: give --step and --value, --final, or --failed "message"',
        );
      const step = Number(o.step);
      const value = o.value?.trim() === '' ? Number.NaN : Number(o.value);
      if (point) {
        if (!Number.isSafeInteger(step))
          throw new ValidationError(`--step must be an integer, got '${o.step}'`, {
            value: o.step,
          });
        if (!Number.isFinite(value))
          throw new ValidationError(
            `--value: ${Number.isNaN(value) ? 'not a number' : 'not a finite number'}: '${o.value}'; give the metric's value at --step, e.g. --value 2.31`,
            { value: o.value },
          );
      }
      const study = openStudy(o);
      const trial = intOpt('--trial', o.trial);
      let t = study.trial(trial);
      if (point) {
        // With --final: one transaction, so a refused completion stores nothing.
        t = study.tell(
          trial,
          { step, value, ...(o.metric !== undefined ? { metric: o.metric } : {}) },
          o.owner,
          { final: o.final === true },
        );
      } else if (o.final) t = study.finish(trial, o.owner);
      if (o.failed !== undefined) t = study.fail(trial, o.failed, o.owner);
      if (o.json)
        process.stdout.write(
          `${JSON.stringify({ trial: t.id, state: t.state, attempts: t.attempts, error: t.error ?? null })}\n`,
        );
      else
        process.stdout.write(
          `trial ${t.id}: ${t.state}${t.error !== undefined && o.failed !== undefined ? ` (${t.error})` : ''}\n`,
        );
    });
}
