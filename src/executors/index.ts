// The executors module's public door: re-exports only.
export * from './local.ts';
export * from './simulator.ts';
