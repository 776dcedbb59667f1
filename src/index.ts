/**
 * mixopt — multi-fidelity, multi-scale Bayesian optimisation of
 * pre-training data mixtures. The one public entry.
 */

export * from './acquisition/index.ts';
export * from './bench/index.ts';
export * from './core/index.ts';
export * from './executors/index.ts';
export * from './gp/index.ts';
export * from './linalg/index.ts';
export * from './optimizers/index.ts';
export * from './report/index.ts';
export * from './study/index.ts';
export * from './testbeds/index.ts';
