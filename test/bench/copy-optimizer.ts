// A module that registers an optimiser, for `--optimizer-module` and runSuite's `modules`:
// 'random-copy' is random search under another name, so its trajectories must equal random's.
import { createRandomSearch, hasOptimizer, registerOptimizer } from '../../src/optimizers/index.ts';

if (!hasOptimizer('random-copy'))
  registerOptimizer('random-copy', createRandomSearch, 'random search under another name (tests)');
