// The acquisition module's public door: re-exports only.
export * from './chain-rule.ts';
export * from './confidence-bound.ts';
export * from './cost-aware.ts';
export * from './expected-improvement.ts';
