/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time per function and
 * per source file (paths relative to the repository), and inclusive time per
 * function (its own time and its callees', a sample counted once per function
 * however deep the recursion), as Markdown tables.
 * Self time of a node = its hit count x the sampling interval (the profile's
 * time span / number of samples). Idle samples are left out.
 *
 * Usage:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/perf.ts --n 1000 --repeats 1
 *   node --import tsx bench/perf-profile.ts /tmp/prof/*.cpuprofile [--top 15] [--match heldOut,fitGP]
 *   (--match: the inclusive table lists only functions whose name contains one of these)
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const args = process.argv.slice(2);
const ti = args.indexOf('--top');
const top = ti >= 0 ? Number(args[ti + 1]) : 15;
const mi = args.indexOf('--match');
const match = mi >= 0 ? (args[mi + 1] ?? '').split(',').filter((m) => m !== '') : [];
const files = args.filter((a) => a.endsWith('.cpuprofile'));
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
const fileOf = (n: ProfileNode): string => {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/');
  return url === '' ? `(${n.callFrame.functionName || 'native'})` : url;
};
const fnName = (n: ProfileNode): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${fileOf(n)}:${n.callFrame.lineNumber + 1}`;
for (const f of files) {
  const p = JSON.parse(readFileSync(f, 'utf8')) as Profile;
  const dt = (p.endTime - p.startTime) / 1e6 / Math.max(1, p.samples.length);
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  for (const n of p.nodes) {
    const s = (n.hitCount ?? 0) * dt;
    // Idle time (e.g. the loader thread of tsx waiting) is not work.
    if (s === 0 || n.callFrame.functionName === '(idle)') continue;
    total += s;
    const file = fileOf(n);
    const fn = fnName(n);
    byFn.set(fn, (byFn.get(fn) ?? 0) + s);
    byFile.set(file, (byFile.get(file) ?? 0) + s);
    const seen = new Set<string>();
    for (let a: ProfileNode | undefined = n; a !== undefined; a = parent.get(a.id)) {
      const name = fnName(a);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + s);
    }
  }
}
const table = (title: string, m: Map<string, number>, column = 'self s'): void => {
  console.log(`\n| ${title} | ${column} | share |\n|---|---:|---:|`);
  for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`| \`${k}\` | ${v.toFixed(2)} | ${((100 * v) / total).toFixed(1)}% |`);
  }
};
console.log(`profiled ${total.toFixed(2)} s (samples) in ${files.length} profile(s)`);
table('file', byFile);
table('function', byFn);
const shown = new Map(
  [...inclusive].filter(([k]) => match.length === 0 || match.some((m) => k.includes(m))),
);
table('function, with its callees', shown, 'inclusive s');
