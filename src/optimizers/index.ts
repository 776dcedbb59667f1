// The optimizers module's public door: re-exports only.
// The built-in optimisers are listed in one table (./registry.ts); importing registers nothing.

export * from './asha.ts';
export * from './asha-schedule.ts';
export * from './bo.ts';
export * from './encoding.ts';
export * from './fidelity-grid.ts';
export * from './hyperband.ts';
export * from './hyperband-schedule.ts';
export * from './mf-bo.ts';
export * from './mfms-bo.ts';
export * from './mfms-bo-paper.ts';
export * from './observed.ts';
export * from './random.ts';
export * from './registry.ts';
export * from './regmix.ts';
export * from './sample-mixture.ts';
export * from './saved-state.ts';
