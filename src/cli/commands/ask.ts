/**
 * `mixopt ask`: reserve trials to train (with a lease).
 *
 *   mixopt ask [--study S] [--db mixopt.db] [--n 4] [--owner NAME] [--lease SECONDS] [--json]
 *
 * Each trial is printed as JSON (with --json, an array) or one line of text.
 * Report back with `mixopt tell`; keep a long trial's lease with `mixopt heartbeat`.
 */
import type { Command } from 'commander';
import type { Study } from '../../study/index.ts';
import {
  intOpt,
  leaseOpt,
  mixtureText,
  namedMixture,
  openStudy,
  type StudyOpts,
  studyOptions,
} from '../shared/index.ts';

/** The JSON form of a handed-out trial. */
export function trialJson(
  study: Study,
  t: ReturnType<Study['trials']>[number],
): Record<string, unknown> {
  const spec = study.trialSpec(t);
  return {
    study: study.name,
    trial: t.id,
    attempt: t.attempts,
    mixture: namedMixture(spec.domains, t.mixture),
    weights: t.mixture,
    scale: t.scale,
    params: spec.params,
    steps: t.steps,
    logEvery: spec.logEvery,
    metrics: spec.metrics,
    ...(spec.continues !== undefined
      ? { continues: Number(spec.continues.trial), from: spec.continues.steps }
      : {}),
    leaseExpires: t.leaseExpires === undefined ? null : new Date(t.leaseExpires).toISOString(),
    seed: spec.seed,
  };
}

export function register(program: Command): void {
  studyOptions(
    program
      .command('ask')
      .description(
        'reserve trials to train; prints them (with a lease; report back with mixopt tell)',
      ),
  )
    .option('--n <count>', 'how many trials', '1')
    .option('--owner <name>', 'worker name holding the lease (default host:pid)')
    .option('--lease <seconds>', "lease length (default: the study's trials.leaseSeconds)")
    .option('--json', 'machine-readable output')
    .action((o: StudyOpts & { n: string; owner?: string; lease?: string }) => {
      const study = openStudy(o);
      const n = intOpt('--n', o.n);
      const trials = study.ask(n, {
        ...(o.owner !== undefined ? { owner: o.owner } : {}),
        ...(o.lease !== undefined ? { leaseSeconds: leaseOpt('--lease', o.lease) } : {}),
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(trials.map((t) => trialJson(study, t)))}\n`);
        return;
      }
      const domains = study.config.domains.map((d) => d.name);
      if (trials.length === 0)
        process.stdout.write('no trial to run: the optimiser has nothing more to propose\n');
      for (const t of trials) {
        process.stdout.write(
          `trial ${t.id} (attempt ${t.attempts}): ${t.scale} for ${t.steps} steps${t.parent !== undefined ? ` (continues trial ${t.parent})` : ''}; ${mixtureText(domains, t.mixture)}\n`,
        );
      }
    });
}
