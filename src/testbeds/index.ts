// The testbeds module's public door: re-exports only.
export * from './data-dir.ts';
export * from './family.ts';
export * from './family-params.ts';
export * from './family-presets.ts';
export * from './fitted.ts';
export * from './import.ts';
export * from './law.ts';
export * from './mlp-simulator.ts';
export * from './noise.ts';
export * from './query.ts';
export * from './recorded-runs.ts';
export * from './reference-optimum.ts';
export * from './registry.ts';
export * from './replay.ts';
export * from './server.ts';
export * from './simulator.ts';
export * from './slimpajama-mlp.ts';
