/**
 * `mixopt heartbeat`: renew a trial's lease (a long job calls it periodically
 * so that its trial does not go stale).
 *
 *   mixopt heartbeat --trial T [--study S] [--db mixopt.db] [--owner NAME]
 */
import type { Command } from 'commander';
import { intOpt, openStudy, type StudyOpts, studyOptions } from '../shared/index.ts';

export function register(program: Command): void {
  studyOptions(program.command('heartbeat').description("renew a running trial's lease"))
    .requiredOption('--trial <id>', 'trial id')
    .option('--owner <name>', 'worker name')
    .option('--json', 'machine-readable output')
    .action((o: StudyOpts & { trial: string; owner?: string }) => {
      const study = openStudy(o);
      const t = study.heartbeat(intOpt('--trial', o.trial), o.owner);
      const until = new Date(t.leaseExpires ?? 0).toISOString();
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ trial: t.id, state: t.state, leaseExpires: until })}\n`
          : `trial ${t.id}: lease until ${until}\n`,
      );
    });
}
