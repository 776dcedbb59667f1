/**
 * `mixopt testbed`: list, inspect, evaluate and find the reference optimum of
 * testbeds (built-in names, recorded-runs mapping files, or user modules).
 *
 *   mixopt testbed list
 *   mixopt testbed info NAME
 *   mixopt testbed eval NAME --mixture 0.2,0.2,0.2,0.2,0.2 --size 1B --steps 19700 [--metric M] [--curve] [--noise NOISE --replicate R]
 *   mixopt testbed optimum NAME [--metric M]
 *   mixopt testbed serve NAME [--noise NOISE]     (JSON lines on stdin/stdout)
 *   mixopt testbed import --jobs DIR | --db FILE --out PREFIX   (./testbed-import.ts)
 *
 * NAME is a registered name, a recorded-runs mapping file or a module path.
 * Each takes `--json`, `--data-dir DIR`, `--cache-dir DIR` and `--fit` (open
 * recorded runs fitted; the held-out fit quality is printed on stderr);
 * results go to stdout.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  type MetricSpec,
  type Testbed,
  UnsupportedError,
  ValidationError,
  validateMixture,
} from '../../core/index.ts';
import {
  checkSteps,
  dataDirHelp,
  familyOf,
  formatNoiseSpec,
  isSimulatorTestbed,
  listTestbeds,
  metricIndex,
  noiseOf,
  type OpenTestbedOptions,
  openTestbed,
  parseNoiseSpec,
  referenceOptimum,
  scaleIndex,
  searchOptimum,
  TestbedSession,
  testbedSummary,
  withNoise,
} from '../../testbeds/index.ts';
import { NOISE_HELP, reportFit } from '../shared/index.ts';
import { registerImport } from './testbed-import.ts';

interface CommonOpts {
  json?: boolean;
  dataDir?: string;
  cacheDir?: string;
  fit?: boolean;
  noise?: string;
}

/** Opens a testbed and applies `--noise` (which replaces its own noise; `off` removes it). */
async function openWithNoise(name: string, o: CommonOpts): Promise<Testbed> {
  const tb = await openTestbed(name, dirs(o));
  return o.noise === undefined ? tb : withNoise(tb, parseNoiseSpec(o.noise));
}

function dirs(o: CommonOpts): OpenTestbedOptions {
  return {
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
    ...(o.fit === true ? { fit: true } : {}),
  };
}

/** Parses `--mixture 0.2,0.2,...` into numbers. @throws ValidationError naming the bad token. */
export function parseMixtureArg(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  return parts.map((s, i) => {
    const x = s === '' ? Number.NaN : Number(s);
    if (!Number.isFinite(x)) {
      throw new ValidationError(
        `--mixture weight ${i + 1} is '${s}', not a number; pass comma-separated weights, e.g. --mixture 0.2,0.2,0.2,0.2,0.2`,
        { value: v },
      );
    }
    return x;
  });
}

function parseSteps(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) {
    throw new ValidationError(`--steps must be an integer, got '${v}'`, { value: v });
  }
  return x;
}

function parseReplicate(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(x) || x < 0) {
    throw new ValidationError(`--replicate must be a non-negative integer, got '${v}'`, {
      value: v,
    });
  }
  return x;
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6);
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function describe(tb: Testbed): Record<string, unknown> {
  return {
    ...testbedSummary(tb),
    ...(tb.candidates !== undefined ? { candidates: tb.candidates.length } : {}),
    ...familyInfo(tb),
  };
}

/** Family knobs and observation noise of a testbed, when it has them. */
function familyInfo(tb: Testbed): Record<string, unknown> {
  const f = familyOf(tb);
  const noise = noiseOf(tb);
  return {
    ...(f !== undefined
      ? {
          family: {
            params: f.params,
            seed: f.seed,
            planted: f.planted,
            stepDriftScale: f.stepDriftScale,
            scaling: f.scaling,
            ...(f.uniqueTokens !== undefined ? { uniqueTokens: f.uniqueTokens } : {}),
          },
        }
      : {}),
    ...(noise !== undefined ? { noise } : {}),
  };
}

/** Validates an eval query against any testbed (user modules included) before calling it. */
function checkEval(tb: Testbed, w: number[], size: string, steps: number, metric?: string): void {
  validateMixture(w, tb.domains.length, `--mixture (domains ${tb.domains.join(', ')})`);
  scaleIndex(tb, size);
  checkSteps(tb, steps);
  if (metric !== undefined) metricIndex(tb, metric);
}

/** `--json`, `--data-dir`, `--cache-dir` and `--fit`, on every testbed subcommand. */
function common(c: Command): Command {
  return c
    .option('--json', 'machine-readable output on stdout')
    .option(
      '--data-dir <dir>',
      'testbed data directory (default: $MIXOPT_DATA, else ~/.local/share/mixopt/testbeds, else ../shared/testbeds beside a development checkout)',
    )
    .option(
      '--cache-dir <dir>',
      'cache directory (default: $MIXOPT_CACHE, else .cache/ in a development checkout, else ~/.cache/mixopt)',
    )
    .option('--fit', 'open recorded runs as a fitted testbed (a surrogate over the runs)');
}

/** `mixopt testbed list`. */
function listAction(o: CommonOpts): void {
  const items = listTestbeds(dirs(o));
  if (o.json === true) {
    out(JSON.stringify(items));
    return;
  }
  out(
    table([
      ['NAME', 'DATA', 'DESCRIPTION'],
      ...items.map((t) => [
        t.name,
        !t.needsData ? 'built-in' : t.available ? 'found' : 'MISSING',
        t.description,
      ]),
    ]),
  );
  const missing = items.filter((t) => !t.available);
  if (missing.length > 0) {
    out(
      `\nMISSING: ${missing.map((t) => `${t.name} (${t.dataFile})`).join(', ')}.\n${dataDirHelp(dirs(o))}`,
    );
  }
}

/** The family knobs of `mixopt testbed info`, as text lines (none for other testbeds). */
function familyLines(tb: Testbed): string[] {
  const f = familyOf(tb);
  if (f === undefined) return [];
  const p = f.params;
  const r = (w: readonly number[]): string => w.map((x) => x.toFixed(3)).join(',');
  return [
    `family (seed ${f.seed}): ${p.domains} domains, optimum ${p.optimum}, drift with size ${p.drift}, with steps ${p.stepDrift}, spread ${p.spread}`,
    `  data: ${p.unique !== undefined ? `finite, ${p.unique}x the target run's tokens (per domain: ${r(f.uniqueTokens ?? [])}), R* ${p.rstar}` : 'unlimited'}; ${p.tokensPerStep} tokens per step`,
    `  cost model: ${p.cost}${p.cost === 'overhead' ? ` (${p.overheadSteps} steps per run)` : ''}`,
    `  planted optimum at the target: ${r(f.planted.target)}`,
    ...(f.planted.smallSize !== undefined
      ? [`  planted optimum at the smallest size: ${r(f.planted.smallSize)}`]
      : []),
    ...(f.planted.shortRun !== undefined
      ? [`  planted optimum of the short-run landscape: ${r(f.planted.shortRun)}`]
      : []),
  ];
}

/** `mixopt testbed info NAME`. */
async function infoAction(name: string, o: CommonOpts): Promise<void> {
  const tb = await openWithNoise(name, o);
  reportFit(tb);
  const d = describe(tb);
  if (o.json === true) return out(JSON.stringify(d));
  const lines = [
    `${tb.name}: ${tb.description}`,
    `domains (${tb.domains.length}): ${tb.domains.join(', ')}`,
    `sizes: ${tb.scales.map((s) => `${s.name} (${s.params.toExponential(2)} params)`).join(', ')}`,
    `steps: ${tb.steps.min}..${tb.steps.max}, logged every ${tb.steps.logEvery}`,
    `target: ${tb.target.scale} at ${tb.target.steps} steps, cost ${fmt(tb.cost(tb.target.scale, tb.target.steps))} (${tb.costUnit})`,
    ...(tb.candidates !== undefined
      ? [`candidate mixtures (replay): ${tb.candidates.length}`]
      : []),
    'metrics:',
    table(tb.metrics.map((m) => [`  ${m.name}`, m.direction, m.description ?? ''])),
    ...familyLines(tb),
  ];
  const noise = noiseOf(tb);
  lines.push(
    `observation noise: ${noise !== undefined ? formatNoiseSpec(noise) : 'none (noise-free)'}`,
  );
  out(lines.join('\n'));
}

/** Options of `mixopt testbed eval`. */
type EvalOpts = CommonOpts & {
  mixture: string;
  size: string;
  steps: number;
  metric?: string;
  curve?: boolean;
  replicate: number;
};

/** `mixopt testbed eval NAME --mixture ... --size ... --steps ...`. */
async function evalAction(name: string, o: EvalOpts): Promise<void> {
  const tb = await openWithNoise(name, o);
  const w = parseMixtureArg(o.mixture);
  checkEval(tb, w, o.size, o.steps, o.metric);
  const metrics = o.metric !== undefined ? [o.metric] : tb.metrics.map((m) => m.name);
  reportFit(tb, metrics);
  const observe = tb.observe;
  // With noise: the observed curve of replicate R (values = its last point); truth beside it.
  const seen = (m: string) =>
    observe !== undefined
      ? observe.call(tb, w, o.size, o.steps, m, o.replicate)
      : tb.curve(w, o.size, o.steps, m);
  const values: Record<string, number> = {};
  const truth: Record<string, number> = {};
  for (const m of metrics) {
    truth[m] = tb.evaluate(w, o.size, o.steps, m);
    values[m] = observe !== undefined ? (seen(m).at(-1)?.value as number) : (truth[m] as number);
  }
  const cost = tb.cost(o.size, o.steps);
  let curve: { step: number; values: Record<string, number> }[] | undefined;
  if (o.curve === true) {
    const per = metrics.map(seen);
    curve = (per[0] ?? []).map((p, i) => ({
      step: p.step,
      values: Object.fromEntries(metrics.map((m, j) => [m, per[j]?.[i]?.value as number])),
    }));
  }
  if (o.json === true) {
    return out(
      JSON.stringify({
        testbed: tb.name,
        mixture: w,
        size: o.size,
        steps: o.steps,
        cost,
        values,
        ...(observe !== undefined ? { truth, noise: noiseOf(tb), replicate: o.replicate } : {}),
        ...(curve ? { curve } : {}),
      }),
    );
  }
  const dir = new Map(tb.metrics.map((m) => [m.name, m.direction]));
  const noise = noiseOf(tb);
  const lines = [
    `${tb.name} at size ${o.size}, ${o.steps} steps, mixture [${w.join(', ')}]; cost ${fmt(cost)} (${tb.costUnit})`,
    ...(noise !== undefined
      ? [`observed with noise ${formatNoiseSpec(noise)}, replicate ${o.replicate}`]
      : []),
    table(
      observe !== undefined
        ? [
            ['METRIC', 'OBSERVED', 'TRUTH', 'DIRECTION'],
            ...metrics.map((m) => [
              m,
              fmt(values[m] as number),
              fmt(truth[m] as number),
              dir.get(m) ?? '',
            ]),
          ]
        : [
            ['METRIC', 'VALUE', 'DIRECTION'],
            ...metrics.map((m) => [m, fmt(values[m] as number), dir.get(m) ?? '']),
          ],
    ),
  ];
  if (curve !== undefined) {
    lines.push(
      '',
      table([
        ['STEP', ...metrics],
        ...curve.map((c) => [String(c.step), ...metrics.map((m) => fmt(c.values[m] as number))]),
      ]),
    );
  }
  out(lines.join('\n'));
}

/** `mixopt testbed optimum NAME`. */
async function optimumAction(
  name: string,
  o: CommonOpts & { metric?: string; size?: string; steps?: number },
): Promise<void> {
  const d = dirs(o);
  const tb = await openTestbed(name, d);
  if (o.metric !== undefined) metricIndex(tb, o.metric);
  const metrics = o.metric !== undefined ? [o.metric] : tb.metrics.map((m) => m.name);
  reportFit(tb, metrics);
  const at = { scale: o.size ?? tb.target.scale, steps: o.steps ?? tb.target.steps };
  scaleIndex(tb, at.scale);
  checkSteps(tb, at.steps);
  const atTarget = at.scale === tb.target.scale && at.steps === tb.target.steps;
  if (!atTarget && !isSimulatorTestbed(tb)) {
    throw new UnsupportedError(
      `testbed '${tb.name}' can only report its optimum at the target (${tb.target.scale}, ${tb.target.steps} steps); drop --size/--steps`,
    );
  }
  const res = metrics.map((m) => {
    if (atTarget || !isSimulatorTestbed(tb)) return referenceOptimum(tb, m, d);
    const spec = tb.metrics.find((x) => x.name === m) as MetricSpec;
    const r = searchOptimum(tb.objective(m, at.scale, at.steps), tb.domains.length, spec.direction);
    return { metric: m, mixture: r.mixture, value: r.value, method: r.method };
  });
  if (o.json === true) {
    return out(JSON.stringify({ testbed: tb.name, at, target: tb.target, optima: res }));
  }
  out(
    [
      `${tb.name}: ${atTarget ? 'reference optima' : 'optima'} at ${at.scale}, ${at.steps} steps (domains ${tb.domains.join(', ')})`,
      table([
        ['METRIC', 'VALUE', 'MIXTURE'],
        ...res.map((r) => [r.metric, fmt(r.value), r.mixture.map((x) => x.toFixed(4)).join(',')]),
      ]),
      `method: ${res[0]?.method ?? ''}`,
    ].join('\n'),
  );
}

/** `mixopt testbed serve NAME`: JSON lines on stdin/stdout. */
async function serveAction(name: string, o: CommonOpts): Promise<void> {
  const tb = await openWithNoise(name, o);
  const session = new TestbedSession(tb, dirs(o));
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    out(session.handleLine(line));
  }
}

/** Registers `mixopt testbed ...`. */
export function register(program: Command): void {
  const tbc = program
    .command('testbed')
    .description('List, inspect and query testbeds (simulators, recorded runs, your own modules)');

  common(tbc.command('list').description('List the testbeds available by name')).action(listAction);

  common(
    tbc
      .command('info')
      .argument(
        '<name>',
        'testbed name, recorded-runs mapping (.json) or module path (./my-testbed.js)',
      )
      .description(
        'Domains, scales, steps, metrics, target and cost of a testbed (and, for families, their knobs and noise)',
      )
      .option('--noise <spec>', NOISE_HELP),
  ).action(infoAction);

  common(
    tbc
      .command('eval')
      .argument('<name>', 'testbed name or path')
      .description('Evaluate metrics for a mixture, size and number of steps')
      .requiredOption('--mixture <weights>', 'comma-separated weights summing to 1, one per domain')
      .requiredOption('--size <size>', 'model size name, e.g. 1B')
      .requiredOption('--steps <steps>', 'training steps', parseSteps)
      .option('--metric <metric>', 'one metric (default: all)')
      .option('--curve', 'also print the learning curve (every logged step)')
      .option('--noise <spec>', NOISE_HELP)
      .option(
        '--replicate <r>',
        'with noise: which training run (replicate, a non-negative integer) to observe',
        parseReplicate,
        0,
      ),
  ).action(evalAction);

  common(
    tbc
      .command('optimum')
      .argument('<name>', 'testbed name or path')
      .description(
        'Reference optimum at the target (computed once, then cached), or at another --size/--steps',
      )
      .option('--metric <metric>', 'one metric (default: all)')
      .option(
        '--size <size>',
        'search at this size instead of the target (simulators only; not cached)',
      )
      .option(
        '--steps <steps>',
        'search at this many steps instead of the target (simulators only)',
        parseSteps,
      ),
  ).action(optimumAction);

  registerImport(tbc);

  common(
    tbc
      .command('serve')
      .argument('<name>', 'testbed name or path')
      .description(
        'Serve a testbed as JSON lines on stdin/stdout (ops: info, eval, optimum, reset); see docs/testbeds.md',
      )
      .option('--noise <spec>', NOISE_HELP),
  ).action(serveAction);
}
