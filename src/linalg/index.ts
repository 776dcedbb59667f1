// The linalg module's public door: re-exports only. Filled in as the module grows.
export * from './cholesky.ts';
export * from './dense.ts';
export * from './lbfgsb.ts';
export * from './special.ts';
// The kernels the blocked algorithms share (the GP likelihood tiles its own loops with them).
export { TILE, tile4x4 } from './tile-kernel.ts';
export * from './triangular.ts';
export { initWasm, type WasmOptions, wasmAvailable, withWasmArrays } from './wasm-arena.ts';
