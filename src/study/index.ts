// The study module's public door: re-exports only.
export * from './config.ts';
export * from './export.ts';
export * from './history.ts';
export * from './memory-store.ts';
export * from './migrations.ts';
export * from './recommend.ts';
export * from './runner.ts';
export * from './space.ts';
export * from './store.ts';
export * from './store-rules.ts';
export * from './study.ts';
export * from './trial-states.ts';
