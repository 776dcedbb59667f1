#!/usr/bin/env node
// The mixopt command: runs the compiled CLI in dist/ (`npm run build`, which
// `npm install` runs in a git checkout through the `prepare` script).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    process.stderr.write(
      `mixopt: the compiled CLI is missing (${err.message}); run \`npm run build\` in the mixopt checkout\n`,
    );
    process.exit(3);
  }
  throw err;
}
process.exitCode = await main(process.argv);
