// The optimizers module's public door: re-exports only.
// Importing this file registers every built-in optimiser (each module
// registers itself with ./registry.ts when evaluated; see registry.ts).

export * from './hyperband.ts';
export * from './hyperband-schedule.ts';
export * from './observed.ts';
export * from './random.ts';
export * from './registry.ts';
export * from './sample-mixture.ts';
