// The gp module's public door: re-exports only.
export {
  conditionGP,
  type FitStart,
  fitGP,
  fitGPWithFreshStart,
  GaussianProcess,
} from './gaussian-process.ts';
export { scaleLengthscales } from './hyperparameters.ts';
export { GPHyperparametersSchema } from './hyperparameters-schema.ts';
export { Kernel } from './kernel.ts';
export { fitPowerLawTrend, type PowerLawTrend, trendValue } from './power-law-trend.ts';
export type {
  GPHyperparameters,
  GPOptions,
  KernelSpec,
  LeafLengthscales,
  LikelihoodOptions,
  MeanSpec,
  NoiseSpec,
  Prior,
  PriorSpec,
  SubsetStageOptions,
} from './types.ts';
