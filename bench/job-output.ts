/**
 * Job-output benchmark: what a chatty job costs the driver. A local job
 * prints `MB` MiB of log lines (with a metric line every 1 MiB) over about
 * two seconds while the local executor polls it every 200 ms, as `mixopt
 * run` does; this process's CPU time and peak RSS are measured, against the
 * same job printing only its metric lines.
 *
 * Run: node --import tsx bench/job-output.ts [MB]   (default 200)
 * Target (docs/reliability.md): the driver's memory stays flat whatever the job prints.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor, type TrialSpec } from '../src/index.ts';

const mb = Number(process.argv[2] ?? 200);
if (!Number.isInteger(mb) || mb < 1)
  throw new Error(`MB must be a positive integer, got '${process.argv[2]}'`);

const trial: TrialSpec = {
  study: 'bench',
  trial: '1',
  attempt: 1,
  domains: ['a', 'b'],
  mixture: [0.5, 0.5],
  scale: 's',
  params: 1e6,
  steps: mb * 100,
  logEvery: 100,
  metrics: ['loss'],
  seed: 1,
};

// 1 MiB of 128-byte log lines, then one metric line; `chatty` 0 prints the metric lines only.
const job = (chatty: boolean) =>
  `line=$(printf '%0127d' 0); i=1; while [ $i -le ${mb} ]; do ${
    chatty ? 'yes "$line" | head -n 8192; ' : ''
  }echo "{\\"step\\": $((i * 100)), \\"value\\": $i}"; [ $((i % ${Math.max(1, mb / 10)})) -eq 0 ] && sleep 0.2; i=$((i + 1)); done`;

async function measure(chatty: boolean): Promise<{ cpu: number; points: number }> {
  const ex = createLocalExecutor({
    command: job(chatty),
    workDir: mkdtempSync(join(tmpdir(), 'mixopt-bench-out-')),
  });
  const t0 = process.cpuUsage();
  const h = await ex.run(trial);
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const r = await ex.poll(h);
    if (r.phase === 'running') continue;
    if (r.phase !== 'completed') throw new Error(r.error);
    const cpu = process.cpuUsage(t0);
    return { cpu: (cpu.user + cpu.system) / 1e6, points: r.points.length };
  }
}

const quiet = await measure(false);
const rssQuiet = process.resourceUsage().maxRSS / 1024;
const chatty = await measure(true);
const rssChatty = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  `metric lines only: driver CPU ${quiet.cpu.toFixed(2)} s, peak RSS ${rssQuiet.toFixed(0)} MiB, ${quiet.points} points\n` +
    `${mb} MiB of logs:   driver CPU ${chatty.cpu.toFixed(2)} s, peak RSS ${rssChatty.toFixed(0)} MiB, ${chatty.points} points\n`,
);
