// The scale-transfer study's public door: re-exports only.
export {
  calibrationChartSpec,
  R2_FLOOR,
  RHO_FLOOR,
  r2ChartSpec,
  rankChartSpec,
  renderSvg,
} from './charts.ts';
export {
  CALIBRATION_LEVELS,
  type CellRank,
  type CellResult,
  type ExperimentInfo,
  type HeldOutPrediction,
  resultFromSummary,
  runTransfer,
  type SeedResult,
  supportedExperiments,
  type TransferOptions,
  type TransferProgress,
  type TransferResult,
  type TransferSummary,
  thinPoints,
  trainingPoints,
  transferSummary,
} from './experiments.ts';
export { DEFAULT_GBT, gbtPredictor } from './gbt-predictor.ts';
export { intervalCoverage, rSquared, rSquaredLog } from './metrics.ts';
export { mfmsBoPredictor, mfmsTransferSpace, trainingHistory } from './mfms-predictor.ts';
export { PAPER_R2_E1_E5, PAPER_R2_E6_E8, paperR2 } from './paper.ts';
export {
  averageRanks,
  kendallTau,
  type RankScores,
  rankScores,
  spearman,
  topKOverlap,
} from './rank.ts';
export { loadRunSet, runSetFromRecorded } from './recorded.ts';
export {
  predictionsCsv,
  type TableOptions,
  transferCsv,
  transferMarkdown,
  transferTable,
} from './report.ts';
export {
  defaultRunsPerScale,
  type GenerateRunSetOptions,
  generateRunSet,
  PAPER_RUNS_PER_SCALE,
  type RunSet,
  type RunSetNoise,
  type TransferRun,
} from './run-set.ts';
export {
  ALL_EXPERIMENTS,
  type CustomScale,
  type CustomSplit,
  type ExperimentId,
  fullLength,
  type HalfTrainPoints,
  makeSplit,
  runsByScale,
  type Split,
  type SplitCompute,
  type SplitOptions,
  splitCompute,
  spreadCounts,
  TRUNCATION_DESIGNS,
  type TrainSelection,
  type TruncationDesign,
  truncationDesign,
} from './splits.ts';
export {
  DEFAULT_SURROGATE,
  encodeRunInput,
  mfmsSurrogate,
  type SurrogateFactory,
  type SurrogateSpec,
  type TrainingData,
  type TransferPredictor,
  transferSpace,
  validateSurrogateSpec,
} from './surrogate.ts';
