/**
 * Your own training function in an ask/tell loop, through the library.
 *
 * mixopt proposes a run (a mixture, a model size, a number of steps); you
 * train it however you like and tell mixopt the learning curve; repeat; then
 * ask for the recommended mixture at the target scale. Here the "training"
 * is a made-up loss with a known best mixture (60% web, 30% code, 10% books),
 * so you can see the recommendation approach it.
 *
 * Run (from a checkout): node --import tsx examples/ask-tell.ts
 * In your own project: import from 'mixopt' the same way and run with node
 * (or tsx for TypeScript).
 */
import { recommendStudy, Study, type TrialRecord } from 'mixopt';

const BEST = [0.6, 0.3, 0.1];

/**
 * Stands in for a training run: returns the validation loss every `logEvery`
 * steps. Loss falls with model size and steps, and rises with the distance of
 * the mixture from BEST.
 */
function train(trial: TrialRecord, params: number, logEvery: number) {
  const gap = trial.mixture.reduce((s, w, i) => s + (w - (BEST[i] ?? 0)) ** 2, 0);
  const curve: { step: number; value: number }[] = [];
  for (let step = logEvery; step <= trial.steps; step += logEvery) {
    curve.push({ step, value: 2 + 30 / Math.sqrt(params / 1e6) + 50 / Math.sqrt(step) + gap });
  }
  return curve;
}

const study = Study.create(
  {
    name: 'ask-tell',
    domains: ['web', 'code', 'books'],
    scales: [
      { name: '60M', params: 60e6 },
      { name: '300M', params: 300e6 },
      { name: '1B', params: 1e9 },
    ],
    steps: { min: 500, max: 5000, logEvery: 500 },
    target: { scale: '1B', steps: 5000 },
    metric: { name: 'val_loss', direction: 'minimize' },
    seed: 7,
  },
  { db: ':memory:' }, // a file path (e.g. 'mixopt.db') keeps the study across restarts
);

const TRIALS = Number(process.argv[2] ?? 30);
for (let k = 0; k < TRIALS; k++) {
  const [trial] = study.ask();
  if (trial === undefined) break; // the optimiser has nothing more to propose
  const params = study.config.scales.find((s) => s.name === trial.scale)?.params ?? 0;
  study.tell(trial.id, train(trial, params, study.config.steps.logEvery));
  study.finish(trial.id);
  const pct = trial.mixture.map((w) => `${(100 * w).toFixed(0)}%`).join(' ');
  console.log(`trial ${trial.id}: ${trial.scale} for ${trial.steps} steps, mixture ${pct}`);
}

const rec = recommendStudy(study);
if (rec === undefined) throw new Error('no recommendation: no trial reported a value');
console.log(
  `recommended at ${rec.target.scale}, ${rec.target.steps} steps: ${rec.domains
    .map((d, i) => `${d} ${(rec.mixture[i] ?? 0).toFixed(3)}`)
    .join(', ')}`,
);
console.log(`spent ${study.status().spent.toFixed(1)} cost units (100 steps of the target)`);
