// Small real data for the report tests: a study on the built-in law testbed run by the simulator
// executor (plus one failed trial whose error message is hostile HTML), and a small benchmark.
import { join } from 'node:path';
import { type BenchResult, runBenchmark } from '../../src/bench/index.ts';
import { studyReportInput } from '../../src/cli/commands/report.ts';
import {
  createSimulatorExecutor,
  getTestbed,
  parseStudyConfig,
  runStudy,
  SqliteStudyStore,
  Study,
} from '../../src/index.ts';
import type { StudyReportInput } from '../../src/report/index.ts';
import { lawConfig, tempDir } from '../study/helpers.ts';

/** The error message of the failed trial: must show as text, never run. */
export const HOSTILE_ERROR =
  '<img src=x onerror="document.title=\'pwned\'"> trainer crashed & <script>alert(1)</script>';

/** A study on the law testbed (examples/study.yaml-like: 5 domains, 7 scales, 1B target). */
export async function lawStudy(
  method = 'mfms-bo',
  budget = 25,
  settings: Record<string, unknown> = { initial: 10 },
): Promise<{ db: string; study: Study; input: StudyReportInput }> {
  const law = getTestbed('law');
  const db = join(tempDir(), 'mixopt.db');
  const config = parseStudyConfig(
    lawConfig({
      name: 'law-report',
      description: 'Report test study on the built-in law testbed.',
      budget,
      optimizer: { method, settings },
      seed: 3,
    }),
  );
  const store = SqliteStudyStore.open(db);
  const study = Study.create(store, config);
  await runStudy(study, {
    executor: createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 0 }),
    pollIntervalMs: 0,
  });
  // One more trial that fails (with one reported point), as a crashed training job would.
  const [t] = study.ask(1);
  if (t !== undefined) {
    study.tell(t.id, { step: 500, value: 4.2 });
    study.fail(t.id, HOSTILE_ERROR);
  }
  return { db, study, input: studyReportInput(study, { tracePoints: 6 }) };
}

/** A small benchmark on law: two cheap methods, one metric, two seeds. */
export function lawBench(): Promise<BenchResult> {
  return runBenchmark({
    testbed: { name: 'law' },
    methods: ['random', 'hyperband'],
    metrics: ['c4_cross_entropy', 'hellaswag_accuracy'],
    seeds: 2,
    budget: 400,
    workers: 1,
  });
}
