/**
 * `mixopt status`: trials by state, spend vs budget, best so far, and the trial table
 * (a continuation's `parent` column names the trial it extends: same mixture and
 * scale, more steps, charged only the extra steps).
 *
 *   mixopt status [--study S] [--db mixopt.db] [--json]
 */
import type { Command } from 'commander';
import { metricCurves } from '../../study/index.ts';
import { mixtureText, openStudy, type StudyOpts, studyOptions } from '../shared/index.ts';

export function register(program: Command): void {
  studyOptions(
    program.command('status').description('trials by state, spend vs budget, best so far'),
  )
    .option('--json', 'machine-readable output')
    .action((o: StudyOpts) => {
      const study = openStudy(o, 'read');
      // Trials whose lease has run out show as stale (read-only: nothing is written).
      const s = study.status();
      const trials = study.trialsNow();
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ ...s, trials })}\n`);
        return;
      }
      const c = study.config;
      const domains = c.domains.map((d) => d.name);
      const out: string[] = [];
      out.push(
        `study ${s.study}: ${c.metric.name} (${c.metric.direction}), target ${c.target.scale} at ${c.target.steps} steps, optimiser ${c.optimizer.method}`,
      );
      out.push(
        `trials: ${trials.length} total — ${Object.entries(s.counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      const budget =
        s.budget === undefined
          ? 'no budget set'
          : `of budget ${s.budget} (${((100 * s.spent) / s.budget).toFixed(1)}%)`;
      out.push(
        `spent: ${s.spent.toFixed(2)} units ${budget}; ${s.committed.toFixed(2)} more committed to unfinished trials (1 unit = 100 steps of ${c.target.scale})`,
      );
      if (s.bestAtTarget !== undefined)
        out.push(
          `best at target: ${s.bestAtTarget.value} (trial ${s.bestAtTarget.trial}; ${mixtureText(domains, s.bestAtTarget.mixture)})`,
        );
      else out.push('best at target: none yet (no trial has reached the target)');
      if (s.bestObserved !== undefined)
        out.push(
          `best observed: ${s.bestObserved.value} (trial ${s.bestObserved.trial}, ${s.bestObserved.scale} at step ${s.bestObserved.step})`,
        );
      if (trials.length > 0) {
        const curves = metricCurves(c, study.points());
        out.push('');
        out.push(
          ['trial', 'state', 'try', 'scale', 'steps', 'parent', 'last', 'value', 'mixture'].join(
            '\t',
          ),
        );
        for (const t of trials) {
          const last = curves.get(t.id)?.at(-1);
          out.push(
            [
              t.id,
              t.state,
              t.attempts,
              t.scale,
              t.steps,
              t.parent ?? '-',
              last?.step ?? '-',
              last?.value.toPrecision(5) ?? '-',
              mixtureText(domains, t.mixture),
            ].join('\t'),
          );
        }
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
