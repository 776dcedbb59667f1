#!/usr/bin/env node
// The mixopt command run from the TypeScript sources (development: tests and
// `npm run dev -- <args>`), so a change in src/ needs no build. Registers the
// TypeScript loader (tsx, a dev dependency), then hands argv to the CLI.
// Installed packages run bin/mixopt.mjs, the compiled CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
