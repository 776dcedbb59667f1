/**
 * Named family members (registered in ./registry.ts, listed by
 * `mixopt testbed list`) and the lookup of ad-hoc specs
 * (`family:domains=10,optimum=interior,...`).
 */
import { type Testbed, ValidationError } from '../core/index.ts';
import type { TestbedDirOptions } from './data-dir.ts';
import { createFamilyTestbed } from './family.ts';
import {
  checkFamilyParams,
  type FamilyParams,
  type FamilySpec,
  parseFamilySpec,
} from './family-params.ts';

/** A named preset. */
export interface FamilyPreset {
  readonly name: string;
  readonly description: string;
  /** Complete, checked knobs. */
  readonly params: FamilyParams;
  readonly seed: number;
}

function preset(
  name: string,
  description: string,
  params: Partial<FamilyParams>,
  seed: number,
): FamilyPreset {
  return { name, description, params: checkFamilyParams(params, `preset ${name}`), seed };
}

const PRESETS: readonly FamilyPreset[] = [
  preset(
    'family-vertex',
    '5 domains, optimum at a vertex, fixed across size and steps, noise-free',
    { domains: 5, optimum: 'vertex' },
    1,
  ),
  preset(
    'family-face-drift',
    '8 domains, optimum on a face that drifts with model size, noise-free',
    { domains: 8, optimum: 'face', drift: 'drift' },
    2,
  ),
  preset(
    'family-interior-noisy',
    '6 domains, interior optimum moving with size and steps, finite unique tokens (repetition hurts), noise 0.3% at the target up to 1% for small/short runs, cost 6ND',
    {
      domains: 6,
      optimum: 'interior',
      drift: 'drift',
      stepDrift: 'drift',
      unique: 0.3,
      noise: { sd: 0.003, corr: 0.9, small: 3.33, seed: 3 },
    },
    3,
  ),
  preset(
    'family-reverse',
    '5 domains, optimum on a face; the ranking of mixtures at the smallest size reverses at the target, noise-free',
    { domains: 5, optimum: 'face', drift: 'reverse' },
    4,
  ),
  preset(
    'family-many',
    '16 domains, optimum on a face drifting with size, mild noise (0.2%), cost from a per-size table',
    {
      domains: 16,
      optimum: 'face',
      drift: 'drift',
      cost: 'table',
      noise: { sd: 0.002, corr: 0.9, small: 2, seed: 5 },
    },
    5,
  ),
  preset(
    'family-3',
    '3 domains, interior optimum, noise 0.5% strongly correlated along a curve, 500 steps of overhead per run',
    {
      domains: 3,
      optimum: 'interior',
      cost: 'overhead',
      noise: { sd: 0.005, corr: 0.97, small: 2, seed: 6 },
    },
    6,
  ),
];

/** The named presets: name, description and complete knobs. */
export function listFamilyPresets(): readonly FamilyPreset[] {
  return PRESETS;
}

/** A preset by name, or undefined. */
export function getFamilyPreset(name: string): FamilyPreset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** Whether `name` is a preset name or an ad-hoc spec (`family:...`). */
export function isFamilyName(name: string): boolean {
  return name.startsWith('family:') || getFamilyPreset(name) !== undefined;
}

/**
 * Parses an ad-hoc spec (`family:key=value,...`, see FAMILY_KEYS).
 * @throws ValidationError naming the bad key or value.
 */
export function parseFamilyName(name: string): FamilySpec {
  return parseFamilySpec(name, (n) => getFamilyPreset(n));
}

/**
 * The family testbed a preset name or ad-hoc spec names.
 * @throws ValidationError for a bad spec; NotFoundError is the registry's job.
 */
export function openFamilyTestbed(name: string, opts: TestbedDirOptions = {}): Testbed {
  const p = getFamilyPreset(name);
  if (p !== undefined)
    return createFamilyTestbed(p.params, p.seed, {
      ...opts,
      name: p.name,
      description: p.description,
    });
  if (!name.startsWith('family:'))
    throw new ValidationError(`'${name}' is not a family preset or a family:... spec`);
  const spec = parseFamilyName(name);
  return createFamilyTestbed(spec.params, spec.seed, { ...opts, name });
}
