/**
 * Package benchmark: the packed tarball's size and file count (`npm pack
 * --dry-run --json`), and the wall time of cold CLI starts (a fresh `node`
 * process each time, file cache warm), compiled (bin/mixopt.mjs, what an
 * installed package runs) and from the sources under tsx
 * (scripts/mixopt-dev.mjs).
 *
 * Run: npm run build && node --import tsx bench/package.ts [repeats] [--against DIR]   (default 10)
 * `--against DIR`: another built checkout (e.g. `git archive <commit> | tar -x -C DIR`,
 * node_modules linked, `node scripts/build.mjs` there); its compiled CLI and ours
 * are started alternately, so both see the same load, and the ratio of medians is
 * printed (on a shared machine, compare that ratio rather than absolute times).
 * Targets (BENCHMARKS.md): tarball <= 1 MB; compiled `testbed eval law` <= 0.4 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
const againstAt = argv.indexOf('--against');
const against = againstAt >= 0 ? argv.splice(againstAt, 2)[1] : undefined;
const repeats = Number(argv[0] ?? 10);
if (!Number.isInteger(repeats) || repeats < 1) {
  throw new Error(`repeats must be a positive integer, got '${argv[0]}'`);
}
if (against !== undefined && !existsSync(join(against, 'dist/cli/main.js'))) {
  throw new Error(`--against ${against}: no dist/cli/main.js there; build that checkout first`);
}
if (!existsSync('dist/cli/main.js')) throw new Error('dist/ is missing: run `npm run build` first');

const EVAL = ['testbed', 'eval', 'law', '--size', '1B', '--steps', '19700'];
const EVAL_ARGS = [...EVAL, '--mixture', '0.2,0.2,0.2,0.2,0.2'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time in seconds of one fresh `node argv...` in `cwd`. */
function timeOne(label: string, args: string[], cwd?: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${String(r.stderr)}`);
  return (performance.now() - t0) / 1000;
}

function report(label: string, t: number[]): number {
  const f = (x: number) => x.toFixed(3);
  console.log(
    `${label.padEnd(44)} median ${f(median(t))} s  min ${f(Math.min(...t))}  max ${f(Math.max(...t))}  (n = ${t.length})`,
  );
  return median(t);
}

function timeRuns(label: string, args: string[]): void {
  report(
    label,
    Array.from({ length: repeats }, () => timeOne(label, args)),
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
if (against !== undefined) {
  const dir = resolve(against);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let k = 0; k < repeats; k++) {
    theirs.push(timeOne(dir, ['bin/mixopt.mjs', ...EVAL_ARGS], dir));
    ours.push(timeOne('this checkout', ['bin/mixopt.mjs', ...EVAL_ARGS]));
  }
  const a = report(`compiled, ${dir}`, theirs);
  const b = report('compiled, this checkout (alternating)', ours);
  console.log(`ratio this checkout / ${dir}: ${(b / a).toFixed(3)}`);
}
