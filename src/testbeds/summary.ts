/** What a testbed declares, as plain JSON: shown by `mixopt testbed info` and the server's `info`. */
import type { Testbed } from '../core/index.ts';

/** A testbed's name, description, domains, fidelities, metrics, target and its cost. */
export interface TestbedSummary {
  readonly name: string;
  readonly description: string;
  readonly domains: Testbed['domains'];
  readonly scales: Testbed['scales'];
  readonly steps: Testbed['steps'];
  readonly metrics: Testbed['metrics'];
  readonly target: Testbed['target'];
  readonly costUnit: Testbed['costUnit'];
  /** The cost of one run at the target fidelity, in `costUnit`. */
  readonly targetCost: number;
}

/** The summary of `tb` (callers add what only they show, e.g. its candidate mixtures). */
export function testbedSummary(tb: Testbed): TestbedSummary {
  return {
    name: tb.name,
    description: tb.description,
    domains: tb.domains,
    scales: tb.scales,
    steps: tb.steps,
    metrics: tb.metrics,
    target: tb.target,
    costUnit: tb.costUnit,
    targetCost: tb.cost(tb.target.scale, tb.target.steps),
  };
}
