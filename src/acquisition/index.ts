// The acquisition module's public door: re-exports only.
export * from './chain-rule.ts';
export * from './confidence-bound.ts';
export * from './cost-aware.ts';
export * from './cost-aware-step.ts';
export * from './expected-improvement.ts';
export * from './gp-objectives.ts';
export * from './simplex.ts';
export * from './simplex-search.ts';
