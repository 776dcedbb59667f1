/**
 * Loading a study config: YAML/JSON files, the zod schema (`StudyConfigSchema`
 * in `src/core/study-config.ts`, the one source of truth; the JSON Schema in
 * `schema/study.schema.json` is generated from it), and the cross-field checks
 * zod cannot express per field.
 *
 * Every problem becomes a `ConfigIssue` with the field's dotted path, the bad
 * value and what is accepted; all of them are reported at once in one
 * `ConfigError` (exit code 2 in the CLI).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ConfigIssue, StudyConfig } from '../core/index.ts';
import { ConfigError, DataError, StudyConfigSchema } from '../core/index.ts';

/** Value at `path` inside `root` (undefined when the path does not exist). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** Renders a value for an error message, briefly. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function issue(raw: unknown, path: readonly PropertyKey[], message: string): ConfigIssue {
  const value = valueAt(raw, path);
  return { path: dotted(path), message: `${message}; got ${show(value)}`, value };
}

/** The cross-field checks; returns every problem found. */
function crossCheck(raw: unknown, c: StudyConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const rawDomains = valueAt(raw, ['domains']) as unknown[];
  const seen = new Set<string>();
  c.domains.forEach((d, i) => {
    if (seen.has(d.name))
      out.push(
        issue(raw, ['domains', i], `domain '${d.name}' is listed twice; names must be unique`),
      );
    seen.add(d.name);
    const rd = rawDomains[i];
    if (rd !== null && typeof rd === 'object' && 'fixed' in rd && ('min' in rd || 'max' in rd)) {
      out.push(issue(raw, ['domains', i], 'give either fixed or min/max for a domain, not both'));
    } else if (d.min > d.max) {
      out.push(
        issue(
          raw,
          ['domains', i],
          `domain '${d.name}' has min ${d.min} > max ${d.max}; need min <= max`,
        ),
      );
    }
  });
  const sumMin = c.domains.reduce((s, d) => s + d.min, 0);
  const sumMax = c.domains.reduce((s, d) => s + d.max, 0);
  if (sumMin > 1 + 1e-9)
    out.push(
      issue(
        raw,
        ['domains'],
        `the domain minimums sum to ${+sumMin.toFixed(6)} > 1, so no mixture fits; lower them`,
      ),
    );
  if (sumMax < 1 - 1e-9)
    out.push(
      issue(
        raw,
        ['domains'],
        `the domain maximums sum to ${+sumMax.toFixed(6)} < 1, so no mixture fits; raise them`,
      ),
    );

  const scaleNames = new Set<string>();
  c.scales.forEach((s, i) => {
    if (scaleNames.has(s.name))
      out.push(
        issue(
          raw,
          ['scales', i, 'name'],
          `scale '${s.name}' is listed twice; names must be unique`,
        ),
      );
    scaleNames.add(s.name);
  });
  const known = [...scaleNames].join(', ');
  if (!scaleNames.has(c.target.scale))
    out.push(issue(raw, ['target', 'scale'], `target.scale must be one of the scales (${known})`));

  const { min, max } = c.steps;
  if (min > max) out.push(issue(raw, ['steps', 'min'], `steps.min must be <= steps.max (${max})`));
  if (c.target.steps < min || c.target.steps > max)
    out.push(
      issue(
        raw,
        ['target', 'steps'],
        `target.steps must be within steps.min..steps.max (${min}..${max})`,
      ),
    );
  c.steps.candidates?.forEach((z, i) => {
    if (z < min || z > max)
      out.push(
        issue(
          raw,
          ['steps', 'candidates', i],
          `a candidate step length must be within ${min}..${max}`,
        ),
      );
  });
  if (c.steps.logEvery > max)
    out.push(issue(raw, ['steps', 'logEvery'], `steps.logEvery must be <= steps.max (${max})`));

  if (c.cost.kind === 'table') {
    for (const s of c.scales)
      if (c.cost.perStep[s.name] === undefined)
        out.push(
          issue(
            raw,
            ['cost', 'perStep'],
            `cost.perStep has no entry for scale '${s.name}'; give one per scale (${known})`,
          ),
        );
    for (const k of Object.keys(c.cost.perStep))
      if (!scaleNames.has(k))
        out.push(
          issue(raw, ['cost', 'perStep', k], `'${k}' is not a scale; known scales: ${known}`),
        );
  } else {
    const tps = c.scales.map((s) => s.tokensPerStep !== undefined);
    if (tps.some((x) => x) && !tps.every((x) => x))
      out.push(
        issue(
          raw,
          ['scales'],
          'with cost.kind flops, give tokensPerStep for every scale or for none',
        ),
      );
  }
  if (c.metric.combine !== undefined) {
    const parts = new Set<string>();
    c.metric.combine.forEach((p, i) => {
      if (parts.has(p.metric))
        out.push(
          issue(
            raw,
            ['metric', 'combine', i, 'metric'],
            `metric '${p.metric}' appears twice in combine`,
          ),
        );
      parts.add(p.metric);
    });
  }
  return out;
}

/**
 * Validates a parsed config object (from YAML or JSON) into a {@link StudyConfig}.
 * @throws ConfigError listing every problem with its path, bad value and what is accepted.
 */
export function parseStudyConfig(raw: unknown, source = 'study config'): StudyConfig {
  const r = StudyConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.join(', ');
        return issue(
          raw,
          i.path,
          `unknown field(s) ${keys}; remove them or check the spelling (see schema/study.schema.json)`,
        );
      }
      return issue(raw, i.path, i.message);
    });
    throw configError(source, issues);
  }
  const config: StudyConfig = r.data;
  const issues = crossCheck(raw, config);
  if (issues.length > 0) throw configError(source, issues);
  return config;
}

function configError(source: string, issues: ConfigIssue[]): ConfigError {
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
  return new ConfigError(`${source} is invalid (${issues.length} problem(s)):\n${lines}`, issues);
}

/**
 * Reads and validates a study config file (`.yaml`, `.yml` or `.json`).
 * @throws DataError when the file cannot be read or parsed; ConfigError when it is invalid.
 */
export function loadStudyConfig(path: string): StudyConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read study config '${path}': ${(err as Error).message}`, { path });
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new DataError(
      `study config '${path}' is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      { path },
    );
  }
  return parseStudyConfig(raw, `study config '${path}'`);
}

/** The JSON Schema of the study config file (for editors), generated from the zod schema. */
export function studyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(StudyConfigSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: 'https://mixopt.dev/schema/study.schema.json', title: 'mixopt study' };
}
