/**
 * The scoreboard's Markdown (targets, aggregates, per-case tables) and its
 * chart (per case, each method's anytime regret divided by Hyperband's, on a
 * log axis). How to read them: docs/benchmarks.md, section *Suites and the
 * scoreboard*.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CaseScore, Scoreboard } from './scoreboard.ts';

const num = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || Number.isNaN(x)
    ? '-'
    : x === Number.POSITIVE_INFINITY
      ? 'inf'
      : x.toFixed(d);
const times = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'not reached' : `${x.toFixed(2)}x`;
const ratio = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : x === Number.POSITIVE_INFINITY ? 'inf' : `${x.toFixed(2)}`;

function caseLabel(c: CaseScore): string {
  return c.id;
}

function perCaseTable(
  s: Scoreboard,
  cell: (c: CaseScore, method: string) => string,
  best?: (c: CaseScore) => string[],
): string[] {
  const head = `| case | ${s.methods.join(' | ')} |`;
  const sep = `|---|${s.methods.map(() => '---:').join('|')}|`;
  const rows = s.cases.map((c) => {
    const b = best?.(c) ?? [];
    return `| ${caseLabel(c)} | ${s.methods
      .map((m) => {
        const v = c.methods[m] === undefined ? '-' : cell(c, m);
        return b.includes(m) ? `**${v}**` : v;
      })
      .join(' | ')} |`;
  });
  return [head, sep, ...rows];
}

function lowest(field: 'finalRegret' | 'anytimeRegret'): (c: CaseScore) => string[] {
  return (c) => {
    const e = Object.entries(c.methods).filter(([, s]) => Number.isFinite(s[field].mean));
    const best = Math.min(...e.map(([, s]) => s[field].mean));
    return e.filter(([, s]) => s[field].mean <= best + 1e-12 * Math.max(1, best)).map(([m]) => m);
  };
}

/** The scoreboard as Markdown. `command` is shown as how it was produced. */
export function scoreboardMarkdown(
  s: Scoreboard,
  meta: { command?: string; wallSeconds?: number; workers?: number } = {},
): string {
  const L: string[] = [];
  L.push(`# Scoreboard: suite \`${s.suite}\``, '');
  L.push(
    `${s.cases.length} case(s) x ${s.seeds} seed(s); methods ${s.methods.join(', ')}; targets checked for \`${s.subject}\`${meta.wallSeconds !== undefined ? `; wall time of this invocation ${meta.wallSeconds < 120 ? `${meta.wallSeconds.toFixed(0)} s` : `${(meta.wallSeconds / 60).toFixed(1)} min`} on ${meta.workers ?? 1} worker(s) (a resumed run counts only what it ran)` : ''}.`,
  );
  if (meta.command !== undefined) L.push('', '```sh', meta.command, '```');
  L.push(
    '',
    'Regret = how much worse the TRUE target value of the recommended mixture is than the reference optimum. Anytime regret = its mean over charged cost from two target-run costs to the budget. Definitions: docs/benchmarks.md.',
    '',
    '## Targets',
    '',
    '| target | measured | threshold | verdict | detail |',
    '|---|---:|---:|---|---|',
  );
  for (const t of s.targets) {
    const v =
      t.id === 'speedup'
        ? times(t.value)
        : t.id === 'regression'
          ? num(t.value, 3)
          : t.value === null
            ? '-'
            : `${(100 * t.value).toFixed(0)}% of cases`;
    const th =
      t.id === 'speedup'
        ? `>= ${t.threshold}x`
        : t.id === 'regression'
          ? `<= ${t.threshold}`
          : `${(100 * t.threshold).toFixed(0)}%`;
    const verdict = t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL';
    L.push(`| ${t.description} | ${v} | ${th} | ${verdict} | ${t.detail} |`);
  }
  const baselines = [...new Set(Object.values(s.ratios).flatMap((r) => Object.keys(r)))];
  if (baselines.length > 0) {
    L.push(
      '',
      '## Median over cases of the regret ratio (method / baseline; below 1 is better)',
      '',
      `| method | ${baselines.map((b) => `anytime vs ${b} | final vs ${b}`).join(' | ')} |`,
      `|---|${baselines.map(() => '---:|---:').join('|')}|`,
    );
    for (const m of s.methods) {
      L.push(
        `| ${m} | ${baselines
          .map((b) => {
            const r = s.ratios[m]?.[b];
            return r === undefined ? '- | -' : `${ratio(r.anytime)} | ${ratio(r.final)}`;
          })
          .join(' | ')} |`,
      );
    }
  }
  L.push(
    '',
    '## Wins (cases where the method has the lowest mean regret; ties count for each)',
    '',
    '| method | final regret | anytime regret |',
    '|---|---:|---:|',
    ...s.methods.map((m) => `| ${m} | ${s.wins[m]?.final ?? 0} | ${s.wins[m]?.anytime ?? 0} |`),
    '',
    '## Anytime regret per case (mean over seeds; lowest in bold)',
    '',
    ...perCaseTable(s, (c, m) => num(c.methods[m]?.anytimeRegret.mean), lowest('anytimeRegret')),
    '',
    '## Final regret per case (mean +- s.e. over seeds; lowest in bold)',
    '',
    ...perCaseTable(
      s,
      (c, m) => {
        const f = c.methods[m]?.finalRegret;
        return `${num(f?.mean)} +- ${num(f?.sem)}`;
      },
      lowest('finalRegret'),
    ),
    '',
    '## Per-seed median sustained speedup over hyperband / random',
    '',
    ...perCaseTable(s, (c, m) => {
      const sp = c.methods[m]?.speedup ?? {};
      return ['hyperband', 'random'].map((b) => (b in sp ? times(sp[b] ?? null) : '-')).join(' / ');
    }),
    '',
    "## Worst recommendation regression of any seed after two target-run costs (absolute, and / the uniform mixture's regret)",
    '',
    ...perCaseTable(s, (c, m) => {
      const x = c.methods[m];
      return `${num(x?.worstRegression)} (${num(x?.worstRegressionRelative, 2)})`;
    }),
    '',
    '## Cases',
    '',
    '| case | testbed | metric | noise | budget | target-run cost | reference optimum | uniform mixture regret |',
    '|---|---|---|---|---:|---:|---:|---:|',
    ...s.cases.map(
      (c) =>
        `| ${c.id} | ${c.testbed} | ${c.metric} | ${c.noise ?? '-'} | ${num(c.budget, 1)} | ${num(c.targetCost, 2)} | ${num(c.reference)} | ${num(c.uniformRegret)} |`,
    ),
  );
  const failed = s.cases.flatMap((c) =>
    Object.entries(c.methods)
      .filter(([, x]) => x.failed > 0)
      .map(([m, x]) => `- ${c.id} / ${m}: ${x.failed} seed(s) failed (see the case's summary.md)`),
  );
  if (failed.length > 0) L.push('', '## Failed jobs', '', ...failed);
  if (s.skipped.length > 0) {
    L.push('', '## Skipped cases', '', ...s.skipped.map((k) => `- ${k.id}: ${k.reason}`));
  }
  return `${L.join('\n')}\n`;
}

/**
 * The scoreboard chart: per case, each method's mean anytime regret divided
 * by `baseline`'s (log axis; the rule at 1 is parity, the dashed rule at 0.5
 * the issue's target). Empty when the baseline did not run.
 */
export function scoreboardChartSpec(s: Scoreboard, baseline = 'hyperband'): TopLevelSpec {
  const rows: { case: string; method: string; ratio: number }[] = [];
  for (const c of s.cases) {
    const b = c.methods[baseline]?.anytimeRegret.mean;
    if (b === undefined || !(b > 0)) continue;
    for (const m of s.methods) {
      const v = c.methods[m]?.anytimeRegret.mean;
      if (m === baseline || v === undefined || !Number.isFinite(v)) continue;
      // A zero regret is drawn at the bottom of the axis (1e-3).
      rows.push({ case: c.id, method: m, ratio: Math.max(1e-3, v / b) });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `suite ${s.suite}: anytime regret / ${baseline}'s`,
      subtitle: `mean over ${s.seeds} seeds per case; below 1 beats ${baseline}, the dashed rule is 0.5; a regret of 0 is drawn at 0.001`,
    },
    width: 520,
    height: { step: 18 },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'case', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } },
          x: {
            field: 'ratio',
            type: 'quantitative',
            scale: { type: 'log' },
            title: `anytime regret / ${baseline}'s (log)`,
          },
          color: { field: 'method', type: 'nominal' },
          shape: { field: 'method', type: 'nominal' },
        },
      },
      {
        data: { values: [{ x: 1 }] },
        mark: { type: 'rule', color: 'black' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: [{ x: 0.5 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
    ],
  } as unknown as TopLevelSpec;
}
