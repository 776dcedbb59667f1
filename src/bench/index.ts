// The bench module's public door: re-exports only. Filled in as the module grows.

// The transfer study lives in ../transfer/ (mixopt/transfer); re-exported here as before.
export * from '../transfer/index.ts';
export * from './chart.ts';
export * from './markdown.ts';
export * from './peers.ts';
export * from './run-benchmark.ts';
export * from './scoreboard.ts';
export * from './scoreboard-report.ts';
export * from './sim-clock.ts';
export * from './simulate.ts';
export * from './speedup.ts';
export * from './stats.ts';
export * from './step-function.ts';
export * from './suite.ts';
export * from './summary.ts';
export * from './testbed-ref.ts';
export type * from './trajectory.ts';
export * from './write-results.ts';
