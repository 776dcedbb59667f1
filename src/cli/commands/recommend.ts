/**
 * `mixopt recommend`: the mixture to train at the target, with the predicted
 * value and its 90% interval, the probability that it beats the runner-up,
 * the runs it rests on, and how the best mixture moves across the ladder.
 *
 *   mixopt recommend [--study S] [--db mixopt.db] [--json]
 */
import type { Command } from 'commander';
import { StateError } from '../../core/index.ts';
import { recommendStudy } from '../../study/index.ts';
import {
  mixtureText,
  namedMixture,
  openStudy,
  type StudyOpts,
  studyOptions,
} from '../shared/index.ts';

export function register(program: Command): void {
  studyOptions(
    program.command('recommend').description('the mixture to train at the target, explained'),
  )
    .option('--json', 'machine-readable output')
    .action((o: StudyOpts) => {
      const study = openStudy(o, 'read');
      const r = recommendStudy(study);
      if (r === undefined)
        throw new StateError(
          `study '${study.name}' has no observation yet; run trials first (mixopt run, or mixopt ask/tell)`,
        );
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ ...r, weights: namedMixture(r.domains, r.mixture) })}\n`,
        );
        return;
      }
      const d = r.domains;
      const out: string[] = [];
      out.push(
        `recommended mixture for ${r.target.scale} at ${r.target.steps} steps (${r.metric.name}, ${r.metric.direction}):`,
      );
      for (let i = 0; i < d.length; i++)
        out.push(`  ${(d[i] as string).padEnd(16)} ${(r.mixture[i] as number).toFixed(4)}`);
      out.push(`basis: ${r.basis}${r.trial !== undefined ? ` (trial ${r.trial})` : ''}`);
      if (r.predicted !== undefined)
        out.push(
          `predicted ${r.metric.name}: ${r.predicted.mean.toPrecision(5)} (90% interval ${r.predicted.lower.toPrecision(5)} .. ${r.predicted.upper.toPrecision(5)})`,
        );
      if (r.runnerUp !== undefined) {
        const v =
          r.runnerUp.predicted !== undefined
            ? `predicted ${r.runnerUp.predicted.mean.toPrecision(5)}`
            : r.runnerUp.observed !== undefined
              ? `observed ${r.runnerUp.observed.toPrecision(5)}`
              : '';
        out.push(
          `runner-up: trial ${r.runnerUp.trial} (${r.runnerUp.scale} at ${r.runnerUp.steps} steps, ${v}; ${mixtureText(d, r.runnerUp.mixture)})`,
        );
      }
      if (r.probBeatsRunnerUp !== undefined)
        out.push(
          `probability it beats the runner-up: ${(100 * r.probBeatsRunnerUp).toFixed(1)}% (${r.probBasis ?? ''})`,
        );
      out.push('rests on (nearest observed runs; distance = L1 between mixtures):');
      for (const s of r.restsOn)
        out.push(
          `  trial ${s.trial}: ${s.scale} to step ${s.steps}, ${r.metric.name} ${s.value.toPrecision(5)}, distance ${s.distance.toFixed(3)}`,
        );
      out.push(
        r.ladderPredicted
          ? 'predicted best mixture per scale:'
          : 'best observed mixture per scale:',
      );
      for (const l of r.ladder)
        out.push(
          `  ${l.scale.padEnd(6)} ${mixtureText(d, l.mixture)}${l.predicted !== undefined ? ` -> ${l.predicted.mean.toPrecision(5)}` : ''}`,
        );
      for (const n of r.notes) out.push(`note: ${n}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
