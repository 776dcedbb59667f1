// The report module's public door: re-exports only.
export * from './bench-report.ts';
export * from './escape.ts';
export * from './format.ts';
export * from './html-page.ts';
export * from './png.ts';
export * from './prediction-trace.ts';
export * from './study-report.ts';
export * from './timeline.ts';
export * from './vega-svg.ts';
