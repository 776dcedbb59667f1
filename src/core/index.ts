export * from './errors.ts';
export * from './interfaces.ts';
export * from './mixture.ts';
export * from './rng.ts';
export * from './sobol.ts';
export * from './space.ts';
export * from './types.ts';
