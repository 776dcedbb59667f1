// The gp module's public door: re-exports only. Filled in as the module grows.
export {};
