/**
 * `mixopt run`: drive a study (ask -> execute -> tell) with the executor of
 * its config until the budget is spent. Ctrl-C stops it: running jobs are
 * left to finish (default; the next `mixopt run` re-attaches to them) or
 * cancelled (`--on-interrupt cancel`; their trials are run again later).
 * Resume with the same command.
 *
 *   mixopt run [--study S] [--db mixopt.db] [--parallel N] [--budget B] [--max-trials N]
 *              [--on-interrupt leave|cancel] [--poll-ms MS] [--json]
 */
import type { Command } from 'commander';
import { EXIT_CODES, ValidationError } from '../../core/index.ts';
import { createExecutor, lastLines } from '../../executors/index.ts';
import { runStudy } from '../../study/index.ts';
import { createProgress } from '../progress.ts';
import {
  intOpt,
  mixtureText,
  numOpt,
  openStudy,
  type StudyOpts,
  studyOptions,
} from '../shared/index.ts';

/**
 * A failure text on one line: its first line, then the last lines of the
 * stderr tail it carries (the cause is usually there: "not found", a Python
 * exception, an OOM message).
 */
export function causeText(error: string): string {
  const [head = '', ...rest] = error.split('\n');
  const tail = lastLines(rest.join('\n'), 3);
  return tail.length === 0 ? head : `${head} ${tail.join(' | ')}`;
}

interface RunOpts extends StudyOpts {
  parallel: string;
  budget?: string;
  maxTrials?: string;
  onInterrupt: string;
  pollMs: string;
  slurm: string[];
  quiet?: boolean;
}

export function register(program: Command): void {
  studyOptions(
    program
      .command('run')
      .description("run the study's trials with its executor until the budget is spent"),
  )
    .option('--parallel <n>', 'jobs at once', '1')
    .option(
      '--budget <units>',
      "budget in cost units (100 target steps); default: the study's budget",
    )
    .option('--max-trials <n>', 'stop after launching this many new trials')
    .option(
      '--on-interrupt <action>',
      'on Ctrl-C: leave running jobs to finish, or cancel them',
      'leave',
    )
    .option('--poll-ms <ms>', 'milliseconds between polls', '200')
    .option(
      '--slurm <key=value>',
      "run on Slurm, overriding the config's executor settings (repeatable): template=, partition=, account=, time=, gpus=, array=true, extra=--qos=high, ... (docs/executors.md)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--quiet', 'no progress lines on stderr')
    .option('--json', 'print the summary as JSON')
    .action(async (o: RunOpts) => {
      if (o.onInterrupt !== 'leave' && o.onInterrupt !== 'cancel')
        throw new ValidationError(`--on-interrupt must be leave or cancel, got '${o.onInterrupt}'`);
      const study = openStudy(o);
      const executor = createExecutor(study.config.executor, {
        study: study.name,
        db: o.db,
        slurm: o.slurm,
      });
      const domains = study.config.domains.map((d) => d.name);
      const ctl = new AbortController();
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts > 1) {
          process.stderr.write(`mixopt: second ${sig}, exiting now (told results are safe)\n`);
          process.exit(130);
        }
        process.stderr.write(
          `mixopt: ${sig}: stopping (${o.onInterrupt === 'cancel' ? 'cancelling' : 'leaving'} running jobs); press again to exit at once\n`,
        );
        ctl.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // On a terminal: a bar of spend vs budget with the event lines above it; otherwise one line per event.
      const budget = o.budget !== undefined ? numOpt('--budget', o.budget) : study.config.budget;
      const progress = createProgress({
        quiet: o.quiet === true,
        ...(budget !== undefined ? { initial: study.status().spent } : {}),
      });
      const log = (s: string) => progress.log(s);
      let launched = 0;
      const redraw = () => {
        if (!progress.tty) return;
        const s = study.status();
        const c = s.counts;
        progress.update(
          budget !== undefined ? s.spent : c.completed + c.failed,
          budget ?? Math.max(1, launched),
          `spent ${s.spent.toFixed(1)}${budget !== undefined ? ` of ${budget}` : ''} units; ${c.completed} completed, ${c.failed > 0 ? progress.paint(`${c.failed} failed`, 'red') : '0 failed'}, ${c.running} running`,
        );
      };
      try {
        const summary = await runStudy(study, {
          executor,
          parallel: intOpt('--parallel', o.parallel),
          ...(o.budget !== undefined ? { budget: numOpt('--budget', o.budget) } : {}),
          ...(o.maxTrials !== undefined ? { maxTrials: intOpt('--max-trials', o.maxTrials) } : {}),
          pollIntervalMs: intOpt('--poll-ms', o.pollMs, 0),
          onInterrupt: o.onInterrupt,
          signal: ctl.signal,
          onEvent: (e) => {
            if (e.type === 'launch') launched++;
            switch (e.type) {
              case 'launch':
                log(
                  `trial ${e.trial.id}: launched (job ${e.job}) ${e.trial.scale} x ${e.trial.steps} steps; ${mixtureText(domains, e.trial.mixture)}`,
                );
                break;
              case 'adopt':
                log(
                  `trial ${e.trial}: re-attached${e.job !== undefined ? ` to job ${e.job}` : ' (never launched; launching now)'}`,
                );
                break;
              case 'complete':
                log(`trial ${e.trial}: completed`);
                break;
              case 'early-stop':
                log(
                  `trial ${e.trial}: stopped early by the optimiser (job cancelled); ${e.state === 'completed' ? `kept as completed at step ${e.steps}` : 'failed: it had reported no step'}`,
                );
                break;
              case 'fail':
                log(
                  `trial ${e.trial}: ${e.state === 'failed' ? 'failed' : 'failed, will retry'}: ${causeText(e.error)}`,
                );
                break;
              case 'lost':
                log(`trial ${e.trial}: lost: ${e.reason}`);
                break;
              case 'poll-error':
                log(`trial ${e.trial}: poll error (will retry): ${e.error}`);
                break;
              case 'interrupt':
                log(
                  `interrupted: ${e.action === 'cancel' ? 'cancelled' : 'left running'} trials ${e.trials.join(', ')}`,
                );
                break;
              case 'stop':
                log(`stopped (${e.reason}); spent ${e.spent.toFixed(2)} units`);
                break;
              default:
                break;
            }
            if (e.type !== 'points' && e.type !== 'stop') redraw();
          },
        });
        progress.end();
        if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else
          process.stdout.write(
            `run ${summary.stoppedBy}: ${summary.launched} launched, ${summary.adopted} re-attached, ${summary.completed} completed, ${summary.failed} failed${summary.stopped > 0 ? `, ${summary.stopped} stopped early` : ''}; spent ${summary.spent.toFixed(2)} units\n`,
          );
        if (summary.stoppedBy === 'failures') {
          process.stderr.write(
            `mixopt: stopped after ${summary.consecutiveFailures} failed attempts in a row (trials.maxConsecutiveFailures); the last one: ${causeText(summary.lastError ?? '')}\nFix the cause (mixopt status --json shows every error in full), then run again.\n`,
          );
          process.exitCode = EXIT_CODES.trialsFailed;
        } else if (summary.stoppedBy === 'interrupted') process.exitCode = EXIT_CODES.interrupted;
        else if (summary.failed > 0 && summary.completed === 0) {
          process.stderr.write(
            `mixopt: every trial of this run failed (${summary.failed}); see mixopt status --json for their errors\n`,
          );
          process.exitCode = EXIT_CODES.trialsFailed;
        }
      } finally {
        progress.end();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
