// An irregular set of recorded runs for the recorded-runs tests: two sizes,
// each run on its own grid of steps, one run longer than the target and one
// that stops short of it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedMapping } from '../../src/testbeds/index.ts';
import { tempDir } from './helpers.ts';

/** Rows: mixture, size, step, loss. Line numbers: header = 1, first row = 2. */
export const IRREGULAR_CSV = `w_a,w_b,size,step,loss
0.5,0.5,S,100,4
0.5,0.5,S,400,3
0.5,0.5,S,1600,2.5
0.5,0.5,L,100,3.5
0.5,0.5,L,1000,2
0.2,0.8,S,200,3.8
0.2,0.8,S,800,3
0.2,0.8,L,100,3.6
0.2,0.8,L,1000,2.2
0.2,0.8,L,3000,1.9
0.9,0.1,S,100,4.1
0.9,0.1,S,1600,2.8
0.9,0.1,L,100,3.7
0.9,0.1,L,400,3
`;

export const IRREGULAR_MAPPING: RecordedMapping = {
  name: 'irregular',
  csv: 'runs.csv',
  mixture: { prefix: 'w_' },
  scale: {
    column: 'size',
    ladder: [
      { value: 'S', name: 'S', params: 1e8 },
      { value: 'L', name: 'L', params: 1e9 },
    ],
  },
  steps: { column: 'step' },
  metrics: [{ name: 'loss', column: 'loss', direction: 'minimize' }],
  target: { scale: 'L', steps: 1000 },
};

/** Writes the CSV and its mapping into a fresh folder; returns their paths. */
export function writeRuns(
  csv = IRREGULAR_CSV,
  mapping: unknown = IRREGULAR_MAPPING,
): { dir: string; csv: string; mapping: string } {
  const dir = tempDir('irregular');
  writeFileSync(join(dir, 'runs.csv'), csv);
  writeFileSync(join(dir, 'runs.mapping.json'), JSON.stringify(mapping));
  return { dir, csv: join(dir, 'runs.csv'), mapping: join(dir, 'runs.mapping.json') };
}
