// The executors module's public door: re-exports only.
export * from './from-config.ts';
export * from './job-output.ts';
export * from './local.ts';
export * from './simulator.ts';
export * from './slurm.ts';
export * from './slurm-flags.ts';
export * from './slurm-meta.ts';
export * from './slurm-parse.ts';
export * from './slurm-script.ts';
