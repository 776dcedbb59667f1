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
 *   [--testbeds slimpajama-mlp,admire-ift] (any testbed names; the splits come from each ladder)
 *   [--predictors gp,gbt,mfms]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestbed } from '../src/testbeds/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const j = args.indexOf(`--${name}`);
  return j >= 0 ? (args[j + 1] ?? def) : def;
};
const out = opt('out', 'results/transfer-predictors');
/** Testbeds whose ladders give the splits (the recorded `admire-ift` adds one more split). */
const TESTBEDS = opt('testbeds', 'slimpajama-mlp,admire-ift').split(',');
const PREDICTORS = opt('predictors', 'gp,gbt,mfms').split(',');

interface SplitSpec {
  name: string;
  testbed: string;
  train: string;
  test: string;
}

/**
 * The splits of one testbed, from its ladder (smallest size `s0`, target `T`, the sizes between):
 * `s0` only; every size + half of `T`; `s0` + half of `T`; half of `T`; and, with three sizes or
 * more in all, the second-largest + half of `T`. Each pair that differs by one added size shows
 * what adding runs at that size does to the ranking at the target.
 */
async function splitsOf(testbed: string): Promise<SplitSpec[]> {
  const ladder = (await openTestbed(testbed)).scales.map((x) => x.name);
  const s0 = ladder[0]!;
  const T = ladder[ladder.length - 1]!;
  const half = `${T}:0.5`;
  const specs: SplitSpec[] = [
    { name: `${testbed}: ${s0} only -> ${T}`, testbed, train: s0, test: T },
    {
      name: `${testbed}: every size + half of ${T} -> ${T}`,
      testbed,
      train: [...ladder.slice(0, -1), half].join(','),
      test: T,
    },
    { name: `${testbed}: ${s0} + half of ${T} -> ${T}`, testbed, train: `${s0},${half}`, test: T },
  ];
  if (ladder.length >= 3) {
    const s1 = ladder[ladder.length - 2]!;
    specs.push({
      name: `${testbed}: ${s1} + half of ${T} -> ${T}`,
      testbed,
      train: `${s1},${half}`,
      test: T,
    });
  }
  specs.push({ name: `${testbed}: half of ${T} -> ${T}`, testbed, train: half, test: T });
  return specs;
}
const SPLITS = (await Promise.all(TESTBEDS.map(splitsOf))).flat();
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
  for (const p of PREDICTORS) {
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
      `| ${s.name} | ${NAMES[p]} | ${mean(rho).toFixed(3)}${rho.length < cells.length ? ` (${rho.length} of ${cells.length} metrics)` : ''} | ${best} of ${cells.length} | ${mean(cells.map((c) => c.r2)).toFixed(2)} |`,
    );
    process.stderr.write(`${s.name} / ${p}: done\n`);
  }
});
process.stdout.write(`${rows.join('\n')}\n`);
