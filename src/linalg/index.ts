// The linalg module's public door: re-exports only. Filled in as the module grows.
export * from './cholesky.ts';
export * from './dense.ts';
export * from './lbfgsb.ts';
export * from './special.ts';
export * from './triangular.ts';
