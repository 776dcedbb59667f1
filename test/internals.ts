// Every module's door at once, for tests that reach past the curated public
// entry (src/index.ts) to internal names (parsers, helpers). Tests of the
// public API import from src/index.ts itself.
export * from '../src/acquisition/index.ts';
export * from '../src/bench/index.ts';
export * from '../src/core/index.ts';
export * from '../src/executors/index.ts';
export * from '../src/gbt/index.ts';
export * from '../src/gp/index.ts';
export * from '../src/linalg/index.ts';
export * from '../src/optimizers/index.ts';
export * from '../src/report/index.ts';
export * from '../src/study/index.ts';
export * from '../src/testbeds/index.ts';
