#!/usr/bin/env node
// Retakes the report screenshots of the README and docs/reports.md
// (docs/report-study.png, docs/report-bench.png) from reports built by the
// current sources, with the commands docs/reports.md shows:
//
//   study:  mixopt study create examples/study-simulator.yaml --db sim.db
//           mixopt run --db sim.db
//           mixopt report --db sim.db --out report.html
//   bench:  mixopt bench --testbed law --methods mfms-bo,hyperband,random
//             --metrics c4_cross_entropy,hellaswag_accuracy --seeds 3 --budget 800
//             --out law --html
//
// then opens each report in Debian's headless Chromium (driven by
// playwright-core, as test/report/browser.test.ts does; offline) and saves the
// top of the page (the first 1100 x 1300 CSS pixels) as PNG. It prints the
// wall time of each command, which docs/reports.md quotes.
//
// Usage: node scripts/screenshots.mjs [--out DIR] [--keep DIR]
//   --out   where the PNGs go (default docs/)
//   --keep  where the study database, the bench results and the HTML go
//           (default: a temporary folder, removed at the end)
// Needs /usr/bin/chromium (apt-get install -y chromium) or $MIXOPT_CHROMIUM.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEV_CLI = join(root, 'scripts', 'mixopt-dev.mjs');
const CHROMIUM = process.env.MIXOPT_CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1100, height: 1300 };

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const outDir = resolve(opt('out') ?? join(root, 'docs'));
const keep = opt('keep');
if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `screenshots: ${CHROMIUM} not found; apt-get install -y chromium, or set MIXOPT_CHROMIUM\n`,
  );
  process.exit(2);
}
const work = keep !== undefined ? resolve(keep) : mkdtempSync(join(tmpdir(), 'mixopt-shots-'));
mkdirSync(work, { recursive: true });
mkdirSync(outDir, { recursive: true });

/** Runs the CLI from the sources in `work`; returns its wall time in seconds. */
function mixopt(...cli) {
  process.stderr.write(`$ mixopt ${cli.join(' ')}\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [DEV_CLI, ...cli], {
    cwd: work,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write(`screenshots: mixopt ${cli[0]} exited ${r.status}\n`);
    process.exit(1);
  }
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`  (${s.toFixed(1)} s wall)\n`);
  return s;
}

const timings = {};
try {
  rmSync(join(work, 'sim.db'), { force: true });
  mixopt('study', 'create', join(root, 'examples', 'study-simulator.yaml'), '--db', 'sim.db');
  timings.run = mixopt('run', '--db', 'sim.db');
  timings.report = mixopt('report', '--db', 'sim.db', '--out', 'report.html');
  timings.bench = mixopt(
    'bench',
    '--testbed',
    'law',
    '--methods',
    'mfms-bo,hyperband,random',
    '--metrics',
    'c4_cross_entropy,hellaswag_accuracy',
    '--seeds',
    '3',
    '--budget',
    '800',
    '--out',
    'law',
    '--html',
  );

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const ctx = await browser.newContext({ viewport: VIEWPORT, offline: true });
    for (const [html, png] of [
      [join(work, 'report.html'), 'report-study.png'],
      [join(work, 'law', 'report.html'), 'report-bench.png'],
    ]) {
      const page = await ctx.newPage();
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      const path = join(outDir, png);
      await page.screenshot({ path, type: 'png' });
      await page.close();
      process.stderr.write(`wrote ${path} (${(statSync(path).size / 1024).toFixed(0)} KiB)\n`);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(
    `wall times (s): run ${timings.run.toFixed(1)}, report ${timings.report.toFixed(1)}, bench ${timings.bench.toFixed(1)}\n`,
  );
} finally {
  if (keep === undefined) rmSync(work, { recursive: true, force: true });
}
