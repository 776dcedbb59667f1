// The CLI's shared helpers (options, opening a study, benchmark output, testbed help): the
// commands import these instead of importing each other. Re-exports only.
export * from './bench-output.ts';
export * from './options.ts';
export * from './study.ts';
export * from './testbed.ts';
