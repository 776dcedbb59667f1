/**
 * `mixopt testbed import`: a finished study, or a folder of job folders,
 * becomes a recorded-runs testbed (a runs CSV and its column mapping).
 *
 *   mixopt testbed import --jobs WORKDIR --out runs [--name N] [--maximize a,b]
 *   mixopt testbed import --db mixopt.db [--study S] --out runs
 *
 * Writes `<out>.csv` and `<out>.mapping.json`, loads them back (the same
 * checks as any mapping), and prints what it imported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/index.ts';
import type { Study } from '../../study/index.ts';
import {
  buildRecordedRuns,
  directionsFrom,
  type ImportedRun,
  loadRecordedTestbed,
  readJobFolders,
} from '../../testbeds/index.ts';
import { openStudy } from '../shared/index.ts';

interface ImportOpts {
  jobs?: string;
  db?: string;
  study?: string;
  out: string;
  name?: string;
  maximize?: string;
  json?: boolean;
}

/** The completed trials of a study as runs, with their reported points. */
export function studyRuns(study: Study): ImportedRun[] {
  const domains = study.config.domains.map((d) => d.name);
  const params = new Map(study.config.scales.map((s) => [s.name, s.params]));
  const points = study.points();
  return study
    .trials()
    .filter((t) => t.state === 'completed')
    .map((t) => ({
      id: `t${t.id}`,
      domains,
      mixture: t.mixture,
      scale: t.scale,
      params: params.get(t.scale) ?? 0,
      points: points
        .filter((p) => p.trial === t.id)
        .map((p) => ({ step: p.step, metric: p.metric, value: p.value })),
    }));
}

async function importAction(o: ImportOpts): Promise<void> {
  if ((o.jobs === undefined) === (o.db === undefined)) {
    throw new ValidationError(
      'testbed import reads either job folders (--jobs WORKDIR) or a study database (--db FILE [--study NAME]); give one of them',
    );
  }
  const out = resolve(o.out.replace(/\.(csv|mapping\.json)$/, ''));
  const csvPath = `${out}.csv`;
  const mappingPath = `${out}.mapping.json`;
  const maximize = (o.maximize ?? '').split(',').filter((s) => s.trim() !== '');
  let runs: ImportedRun[];
  let notes: string[] = [];
  let target: { scale: string; steps: number } | undefined;
  let directions = directionsFrom(maximize);
  let name = o.name ?? basename(out);
  if (o.jobs !== undefined) {
    ({ runs, notes } = readJobFolders(resolve(o.jobs)));
  } else {
    const study = openStudy({
      db: o.db as string,
      ...(o.study !== undefined ? { study: o.study } : {}),
    });
    runs = studyRuns(study);
    target = study.config.target;
    name = o.name ?? study.name;
    // Every metric of the study goes the study's way, unless --maximize says otherwise.
    const all = [...new Set(runs.flatMap((r) => r.points.map((p) => p.metric)))];
    directions = {
      ...Object.fromEntries(all.map((m) => [m, study.config.metric.direction])),
      ...directions,
    };
  }
  const res = buildRecordedRuns(runs, {
    name,
    csvName: basename(csvPath),
    directions,
    ...(target !== undefined ? { target } : {}),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(csvPath, res.csv);
  writeFileSync(mappingPath, `${JSON.stringify(res.mapping, null, 2)}\n`);
  // Load it back: the same checks as any mapping, so what was written opens.
  const tb = loadRecordedTestbed(mappingPath);
  const summary = {
    testbed: tb.name,
    runs: res.runs,
    rows: res.rows,
    domains: tb.domains,
    sizes: tb.scales.map((s) => s.name),
    metrics: tb.metrics.map((m) => ({ name: m.name, direction: m.direction })),
    target: tb.target,
    candidates: tb.candidates?.length ?? 0,
    files: [csvPath, mappingPath],
    notes: [...notes, ...res.notes],
  };
  if (o.json === true) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  process.stdout.write(
    [
      `imported ${res.runs} runs (${res.rows} checkpoints) over ${tb.domains.length} domains, sizes ${summary.sizes.join(', ')}; target ${tb.target.scale} at ${tb.target.steps} steps (${summary.candidates} candidate mixtures reach it)`,
      `metrics: ${summary.metrics.map((m) => `${m.name} (${m.direction})`).join(', ')}`,
      ...summary.notes.map((n) => `note: ${n}`),
      `wrote ${csvPath}`,
      `wrote ${mappingPath}`,
      `next: mixopt testbed info ${mappingPath} [--fit]   (edit the mapping's directions or target if needed)`,
      '',
    ].join('\n'),
  );
}

/** Adds `mixopt testbed import` under the `testbed` command. */
export function registerImport(testbed: Command): void {
  testbed
    .command('import')
    .description(
      'Turn job folders or a finished study into a recorded-runs testbed (runs CSV + mapping)',
    )
    .option('--jobs <dir>', "a folder of job folders (the executor's workDir)")
    .option('--db <path>', 'a study database instead of job folders')
    .option('--study <name>', 'the study in --db (may be omitted when it holds one)')
    .requiredOption('--out <prefix>', 'write <prefix>.csv and <prefix>.mapping.json')
    .option('--name <name>', 'testbed name (default: the study name or the file name)')
    .option('--maximize <metrics>', 'comma-separated metrics to maximise (the others minimise)')
    .option('--json', 'print the summary as JSON')
    .action(async (o: ImportOpts) => {
      await importAction(o);
    });
}
