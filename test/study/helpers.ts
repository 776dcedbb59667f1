// Shared fixtures for the study tests: a small valid config and a temp database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small valid study config (input form). */
export function smallConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small',
    domains: ['a', 'b', 'c'],
    scales: [
      { name: '20M', params: 20e6 },
      { name: '1B', params: 1e9 },
    ],
    steps: { min: 100, max: 1000, logEvery: 100 },
    target: { scale: '1B', steps: 1000 },
    metric: { name: 'loss', direction: 'minimize' },
    optimizer: { method: 'random' },
    seed: 1,
    trials: { leaseSeconds: 60, maxAttempts: 3 },
    ...over,
  };
}

/** A fresh temp directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mixopt-study-'));
}

/** A fresh database path in a temp directory. */
export function tempDb(): string {
  return join(tempDir(), 'study.db');
}
