/**
 * mixopt — multi-fidelity, multi-scale Bayesian optimisation of
 * pre-training data mixtures. The one public entry: `import { … } from 'mixopt'`.
 *
 * This list is curated: the names a user of the library needs, each with its
 * TSDoc where it is defined. Everything else stays reachable, one module at a
 * time, through the subpath entries (`mixopt/gp`, `mixopt/linalg`,
 * `mixopt/acquisition`, `mixopt/optimizers`, `mixopt/testbeds`,
 * `mixopt/study`, `mixopt/executors`, `mixopt/bench`, `mixopt/report`,
 * `mixopt/core`), which re-export each folder's `index.ts`.
 *
 * How to add a public name: export it from its folder's `index.ts` first
 * (that makes it part of the subpath entry); add it here only when a user who
 * is not extending mixopt needs it, give it a TSDoc summary where it is
 * defined, and add it to the list pinned by `test/public-api.test.ts`. Never
 * `export *` here.
 */

// Benchmarks: methods x testbed x seeds under a compute budget. The surrogate
// (`mixopt/gp`), the acquisition (`mixopt/acquisition`) and the numerics
// (`mixopt/linalg`) are subpath entries, for research code.
export {
  type BenchOptions,
  type BenchResult,
  runBenchmark,
} from './bench/index.ts';
// Errors: every failure the library reports is a MixoptError with a stable `code`.
// Core values and the interfaces you implement to plug in your own pieces.
export {
  ConfigError,
  type CurvePoint,
  DataError,
  type Direction,
  type ErrorCode,
  type Executor,
  ExecutorError,
  type Fidelity,
  type History,
  type JobHandle,
  type JobReport,
  type MetricSpec,
  MixoptError,
  type Mixture,
  NotFoundError,
  NumericsError,
  type Optimizer,
  type OptimizerContext,
  type Prediction,
  type Proposal,
  type Recommendation,
  type ReferenceOptimum,
  type RunRecord,
  type Scale,
  type SearchSpace,
  StateError,
  type StudyConfig,
  type StudyConfigInput,
  type StudyStatus,
  type StudyStore,
  type Testbed,
  type TrialRecord,
  type TrialSpec,
  type TrialState,
  ValidationError,
  validateMixture,
} from './core/index.ts';
// Executors: how `runStudy` launches trials.
export {
  createExecutor,
  createLocalExecutor,
  createSimulatorExecutor,
  createSlurmExecutor,
  type ExecutorPlace,
  type LocalExecutorOptions,
  type SimulatorExecutorOptions,
  type SlurmExecutorOptions,
} from './executors/index.ts';
// Optimisers by name (random, hyperband, bo, mf-bo, mfms-bo, mfms-bo:paper, ...).
export {
  createOptimizer,
  listOptimizers,
  registerOptimizer,
} from './optimizers/index.ts';
// Studies: ask / tell, persistent in SQLite; the study file and its schema.
export {
  type AskOptions,
  loadStudyConfig,
  parseStudyConfig,
  type RecommendationReport,
  type RunOptions,
  type RunSummary,
  recommendStudy,
  runStudy,
  SqliteStudyStore,
  Study,
  type StudyCreateOptions,
  type StudyDb,
  searchSpace,
  studyJsonSchema,
} from './study/index.ts';
// Testbeds: simulators and recorded runs that answer "what would this run score, at what cost?".
export {
  getTestbed,
  listTestbeds,
  openTestbed,
  referenceOptimum,
  type TestbedDirOptions,
} from './testbeds/index.ts';
