#!/usr/bin/env node
// A job script for the local executor that plays a training run from a testbed
// instead of training: it reads the trial mixopt hands it, and prints the
// learning curve as JSON lines on stdout, as a real training script would.
//
//   node examples/train-sim.mjs [--testbed law|slimpajama-mlp] [--data-dir DIR]
//                               [--delay-ms MS] [--crash-at STEP]
//
// Input (the job contract, docs/executors.md): MIXOPT_TRIAL_FILE, a JSON file
// with domains, mixture, scale, steps, logEvery, metrics, continues?. Output:
// one line per logged step and metric, e.g.
//   {"step": 6000, "metric": "commoncrawl_cross_entropy", "value": 2.31}
// --delay-ms sleeps between logged steps (to watch a study run, or to test
// Ctrl-C and resume); --crash-at exits with status 1 at that step (to see a
// failed trial).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

// In a development checkout, the testbeds come from the sources (through tsx,
// a dev dependency); in an installed package, from the compiled library.
const source = new URL('../src/testbeds/index.ts', import.meta.url);
let getTestbed;
if (existsSync(source)) {
  (await import('tsx/esm/api')).register();
  ({ getTestbed } = await import(source.href));
} else {
  ({ getTestbed } = await import('mixopt'));
}

const { values: args } = parseArgs({
  options: {
    testbed: { type: 'string', default: 'law' },
    'data-dir': { type: 'string' },
    'delay-ms': { type: 'string', default: '0' },
    'crash-at': { type: 'string' },
  },
});

const file = process.env.MIXOPT_TRIAL_FILE;
if (file === undefined) {
  process.stderr.write(
    'train-sim: MIXOPT_TRIAL_FILE is not set; run me through mixopt (executor kind: local)\n',
  );
  process.exit(2);
}
const trial = JSON.parse(readFileSync(file, 'utf8'));
const testbed = getTestbed(args.testbed, args['data-dir'] ? { dataDir: args['data-dir'] } : {});
if (trial.domains.join(',') !== testbed.domains.join(',')) {
  process.stderr.write(
    `train-sim: the study's domains (${trial.domains}) are not testbed ${testbed.name}'s (${testbed.domains})\n`,
  );
  process.exit(2);
}
const delay = Number(args['delay-ms']);
const crashAt =
  args['crash-at'] === undefined ? Number.POSITIVE_INFINITY : Number(args['crash-at']);
// A continuation resumes from its parent's checkpoint: only the new steps are printed.
const from = trial.continues?.steps ?? 0;
process.stderr.write(
  `train-sim: trial ${trial.trial} attempt ${trial.attempt}: ${trial.scale} for ${trial.steps} steps on ${testbed.name}\n`,
);

const curves = trial.metrics.map((metric) => ({
  metric,
  points: testbed.curve(trial.mixture, trial.scale, trial.steps, metric),
}));
const steps = [...new Set(curves.flatMap((c) => c.points.map((p) => p.step)))].sort(
  (a, b) => a - b,
);
for (const step of steps) {
  if (step <= from) continue;
  if (step >= crashAt) {
    process.stderr.write(`train-sim: simulated crash at step ${step} (--crash-at)\n`);
    process.exit(1);
  }
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  for (const c of curves) {
    const p = c.points.find((q) => q.step === step);
    if (p !== undefined)
      process.stdout.write(`${JSON.stringify({ step, metric: c.metric, value: p.value })}\n`);
  }
}
process.stderr.write(`train-sim: trial ${trial.trial} done\n`);
