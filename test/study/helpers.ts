// Shared fixtures for the study tests: a small valid config and a temp database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../../src/testbeds/index.ts';

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

/**
 * A study config (input form) on the built-in law testbed: its domains and ladder, CommonCrawl
 * at 1B × 19,700 steps, the slimpajama cost table; `over` adds the name, budget, optimiser etc.
 */
export function lawConfig(over: Record<string, unknown>): Record<string, unknown> {
  const law = getTestbed('law');
  return {
    domains: [...law.domains],
    scales: law.scales.map((s) => ({ name: s.name, params: s.params })),
    steps: { min: 100, max: 19700, logEvery: 500, candidates: [6000, 12000, 19700] },
    target: { scale: '1B', steps: 19700 },
    metric: { name: 'commoncrawl_cross_entropy', direction: 'minimize' },
    cost: {
      kind: 'table',
      perStep: {
        '20M': 0.01296,
        '60M': 0.03232,
        '150M': 0.07484,
        '300M': 0.14773,
        '500M': 0.21662,
        '700M': 0.2983,
        '1B': 1,
      },
    },
    trials: { leaseSeconds: 600, maxAttempts: 1 },
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
