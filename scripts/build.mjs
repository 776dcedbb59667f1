#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (JavaScript and .d.ts, relative `.ts`
// imports rewritten to `.js`) with tsconfig.build.json, then copies the data
// files the compiled modules read beside themselves.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Files read at run time through `new URL(file, import.meta.url)`, relative to src/. */
const DATA = ['testbeds/law-params.json'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (r.status !== 0) process.exit(r.status ?? 1);
for (const f of DATA) {
  mkdirSync(dirname(join(root, 'dist', f)), { recursive: true });
  copyFileSync(join(root, 'src', f), join(root, 'dist', f));
}
