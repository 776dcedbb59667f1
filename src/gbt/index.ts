// The gbt module's public door: gradient-boosted regression trees (re-exports only).
export { fitGbt, type GbtModel, type GbtOptions, predictGbt } from './gradient-boosting.ts';
export {
  FEATURE_THRESHOLD,
  fitRegressionTree,
  predictTree,
  type RegressionTree,
  type TreeOptions,
} from './regression-tree.ts';
