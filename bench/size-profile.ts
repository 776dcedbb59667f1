/**
 * How much the data say about transfer across model sizes: at chosen history lengths of one
 * `mfms-bo` job (a suite case and seed, as in bench/fit-trace.ts), the GP is refitted with its
 * size lengthscale fixed so that the prior correlation of a mixture's effect between the
 * smallest size and the target, `exp(-(s(m_min) - s(m*))^2 / (2 l_s^2))`, takes each of
 * 0.3, 0.5, 0.7, 0.85, 0.95, 0.99, 0.999 and 1 (`l_s` = 1000), without and with run offsets by
 * size; each fit's log marginal likelihood is printed. A flat row means the data cannot tell
 * full transfer from poor transfer.
 *
 * Run: node --import tsx bench/size-profile.ts --case family-interior-noisy/val_loss
 *      [--seed 0] [--settings '{"verify":true}'] [--at 20,60,150,400]
 */
import type { History } from '../src/core/index.ts';
import { surrogate } from '../src/optimizers/gp-common.ts';
import {
  mfmsGpOptions,
  mixtureLengthscaleFloor,
  withRunGroups,
} from '../src/optimizers/mfms/surrogate.ts';
import { mfmsData } from '../src/optimizers/mfms-observations.ts';
import { arg, openCase } from './case-job.ts';

const { id, seed, settings, space, s, k, encoding, gap: signedGap, run } = await openCase();
const at = arg('at', '20,60,150,400').split(',').map(Number);
const gap = Math.abs(signedGap);
const corrs = [0.3, 0.5, 0.7, 0.85, 0.95, 0.99, 0.999, 1];
const floors = mixtureLengthscaleFloor(
  k,
  s.ard,
  s.wLengthscaleFloor > 0 ? s.wLengthscaleFloor : 0.25,
);

console.log(`${id}, seed ${seed}, settings ${JSON.stringify(settings)}; corr ${corrs.join(' / ')}`);
function profile(h: History): void {
  const { obs } = mfmsData(space, h, s, encoding.enc);
  const base = { ...mfmsGpOptions(k, s, seed), lengthscaleLower: floors };
  const rows = [false, true].map((offsets) =>
    corrs
      .map((c) => {
        const l = c === 1 ? 1000 : gap / Math.sqrt(-2 * Math.log(c));
        const fixed = {
          ...base,
          lengthscaleLower: [...floors.slice(0, -2), l, 0],
          lengthscaleUpper: [...floors.slice(0, -2).map(() => 0), l, 0],
        };
        const o = offsets
          ? withRunGroups(fixed, obs, 'by-size', k, encoding.sTarget, s.noisierSmallRuns)
          : fixed;
        return surrogate(obs, o, { fit: true }).logMarginalLikelihood.toFixed(1);
      })
      .join(' / '),
  );
  const perSize = space.scales.map((x) => h.runs.filter((r) => r.scale === x.name).length);
  console.log(
    `| ${h.runs.length} (${perSize.join('/')}) | without offsets ${rows[0]} | with offsets ${rows[1]} |`,
  );
}

run('size-profile', (opt) => ({
  ...opt,
  propose(history, n) {
    if (at.includes(history.runs.length)) profile(history);
    return opt.propose(history, n);
  },
}));
