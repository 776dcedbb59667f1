/**
 * Rank quality of the scale-transfer predictors side by side: the paper's MFMS-GP
 * (`mixopt transfer --predictor gp`), gradient-boosted trees, RegMix's
 * regression (`--predictor gbt`), and the surrogate `mfms-bo` proposes with
 * (`--predictor mfms`), given the same training runs of the same splits (3 split
 * seeds, every metric). Splits that add one size to another's training runs show
 * what adding runs at a size does to the ranking at the target. Each (split, predictor) is one
 * `mixopt transfer --out` run; the table gives, per split and predictor, the
 * mean over metrics of Spearman ρ and R², and the number of metrics whose best
 * test mixture the predictor ranks first (top-1 = 1, mean over seeds).
 *
 * Usage: node --import tsx bench/transfer-predictors.ts [--out results/transfer-predictors]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const i = args.indexOf('--out');
const out = i >= 0 ? (args[i + 1] ?? '') : 'results/transfer-predictors';
const SPLITS: readonly { name: string; testbed: string; train: string; test: string }[] = [
  { name: 'slimpajama-mlp: 20M only -> 1B', testbed: 'slimpajama-mlp', train: '20M', test: '1B' },
  {
    name: 'slimpajama-mlp: every size + half of 1B -> 1B',
    testbed: 'slimpajama-mlp',
    train: '20M,60M,150M,300M,500M,700M,1B:0.5',
    test: '1B',
  },
  {
    name: 'slimpajama-mlp: 20M + half of 1B -> 1B',
    testbed: 'slimpajama-mlp',
    train: '20M,1B:0.5',
    test: '1B',
  },
  {
    name: 'slimpajama-mlp: half of 1B -> 1B',
    testbed: 'slimpajama-mlp',
    train: '1B:0.5',
    test: '1B',
  },
  { name: 'admire-ift: 0.5B only -> 7B', testbed: 'admire-ift', train: '0.5B', test: '7B' },
  {
    name: 'admire-ift: 0.5B + 3B + half of 7B -> 7B',
    testbed: 'admire-ift',
    train: '0.5B,3B,7B:0.5',
    test: '7B',
  },
  {
    name: 'admire-ift: 0.5B + half of 7B -> 7B',
    testbed: 'admire-ift',
    train: '0.5B,7B:0.5',
    test: '7B',
  },
  {
    name: 'admire-ift: 3B + half of 7B -> 7B',
    testbed: 'admire-ift',
    train: '3B,7B:0.5',
    test: '7B',
  },
  { name: 'admire-ift: half of 7B -> 7B', testbed: 'admire-ift', train: '7B:0.5', test: '7B' },
];
const NAMES: Record<string, string> = {
  gp: "the paper's MFMS-GP",
  gbt: 'boosted trees',
  mfms: "mfms-bo's surrogate",
};
const CLI = new URL('../scripts/mixopt-dev.mjs', import.meta.url).pathname;

interface Cell {
  spearman?: number | null;
  r2: number;
  top1?: number | null;
}

const rows: string[] = [
  '| split | predictor | mean Spearman ρ | metrics whose best test run is ranked first in all 3 seeds | mean R² |',
  '|---|---|---:|---:|---:|',
];
SPLITS.forEach((s, k) => {
  for (const p of ['gp', 'gbt', 'mfms']) {
    const dir = join(out, `${k}-${p}`);
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'transfer',
        '--testbed',
        s.testbed,
        '--train',
        s.train,
        '--test',
        s.test,
        '--predictor',
        p,
        '--out',
        dir,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) {
      process.stderr.write(`${s.name} / ${p}: exit ${r.status}\n${r.stderr}\n`);
      rows.push(`| ${s.name} | ${p} | failed | | |`);
      continue;
    }
    const sum = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
      experiments: Record<string, Record<string, Cell>>;
    };
    const cells = Object.values(sum.experiments['custom'] ?? {});
    const rho = cells.map((c) => c.spearman).filter((x): x is number => typeof x === 'number');
    const best = cells.filter((c) => c.top1 === 1).length;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push(
      `| ${s.name} | ${NAMES[p]} | ${mean(rho).toFixed(3)} | ${best} of ${cells.length} | ${mean(cells.map((c) => c.r2)).toFixed(2)} |`,
    );
    process.stderr.write(`${s.name} / ${p}: done\n`);
  }
});
process.stdout.write(`${rows.join('\n')}\n`);
