import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import {
  createLocalExecutor,
  createSimulatorExecutor,
  getTestbed,
  type TrialSpec,
} from '../../src/index.ts';
import { executorContract } from './contract.ts';

const law = getTestbed('law');

const trial: TrialSpec = {
  study: 'contract',
  trial: '1',
  attempt: 1,
  domains: [...law.domains],
  mixture: [0.2, 0.2, 0.2, 0.2, 0.2],
  scale: '20M',
  params: 20e6,
  steps: 500,
  logEvery: 100,
  metrics: ['commoncrawl_cross_entropy', 'c4_cross_entropy'],
  seed: 1,
};

describe('executor contract', () => {
  executorContract('simulator', () => createSimulatorExecutor({ testbed: law }), trial);
  executorContract(
    'simulator (paced)',
    () => createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 0.2 }),
    trial,
  );
  const workDir = mkdtempSync(join(tmpdir(), 'mixopt-contract-'));
  executorContract(
    'local',
    () =>
      createLocalExecutor({
        // A shell "training script": every 100 steps, both metrics, as JSON lines.
        command:
          's=100; while [ $s -le "$MIXOPT_STEPS" ]; do for m in $(echo "$MIXOPT_METRICS" | tr , " "); do echo "{\\"step\\": $s, \\"metric\\": \\"$m\\", \\"value\\": 3.$s}"; done; s=$((s + 100)); done',
        workDir,
      }),
    trial,
  );
});
