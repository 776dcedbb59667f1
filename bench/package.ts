/**
 * Package benchmark: the packed tarball's size and file count (`npm pack
 * --dry-run --json`), and the wall time of cold CLI starts (a fresh `node`
 * process each time, file cache warm), compiled (bin/mixopt.mjs, what an
 * installed package runs) and from the sources under tsx
 * (scripts/mixopt-dev.mjs).
 *
 * Run: npm run build && node --import tsx bench/package.ts [repeats]   (default 10)
 * Targets (BENCHMARKS.md): tarball <= 1 MB; compiled `testbed eval law` <= 0.4 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const repeats = Number(process.argv[2] ?? 10);
if (!Number.isInteger(repeats) || repeats < 1) {
  throw new Error(`repeats must be a positive integer, got '${process.argv[2]}'`);
}
if (!existsSync('dist/cli/main.js')) throw new Error('dist/ is missing: run `npm run build` first');

const EVAL = ['testbed', 'eval', 'law', '--size', '1B', '--steps', '19700'];
const EVAL_ARGS = [...EVAL, '--mixture', '0.2,0.2,0.2,0.2,0.2'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeRuns(label: string, argv: string[]): void {
  const t: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    t.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${String(r.stderr)}`);
  }
  const f = (x: number) => x.toFixed(3);
  console.log(
    `${label.padEnd(44)} median ${f(median(t))} s  min ${f(Math.min(...t))}  max ${f(Math.max(...t))}  (n = ${repeats})`,
  );
}

const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  encoding: 'utf8',
});
if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
const info = JSON.parse(pack.stdout)[0] as {
  size: number;
  unpackedSize: number;
  entryCount: number;
};
console.log(
  `tarball: ${(info.size / 1e6).toFixed(3)} MB packed, ${(info.unpackedSize / 1e6).toFixed(3)} MB unpacked, ${info.entryCount} files`,
);
timeRuns('node -e "" (Node start-up alone)', ['-e', '']);
timeRuns('compiled: mixopt testbed eval law', ['bin/mixopt.mjs', ...EVAL_ARGS]);
timeRuns('sources (tsx): mixopt testbed eval law', ['scripts/mixopt-dev.mjs', ...EVAL_ARGS]);
