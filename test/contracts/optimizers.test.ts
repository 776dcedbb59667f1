// Runs the optimiser contract over every registered optimiser.
import { listOptimizers } from '../../src/optimizers/index.ts';
import { optimizerContract } from './optimizer.contract.ts';

for (const { name } of listOptimizers()) optimizerContract(name);
