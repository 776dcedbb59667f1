#!/usr/bin/env bash
# Checks the package as a user gets it: packs the tarball (npm pack runs the
# build through `prepare`), checks its size, installs it into a scratch folder
# outside the checkout, runs the installed CLI with npx, and imports the
# library from a plain .mjs file (no TypeScript loader).
# Usage: bash scripts/check-package.sh   (from anywhere; CI runs it from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mixopt-pack.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

npm pack --silent --pack-destination "$scratch" >/dev/null
tarball=$(ls "$scratch"/mixopt-*.tgz)
bytes=$(stat -c %s "$tarball")
echo "tarball $(basename "$tarball"): $bytes bytes"
if [ "$bytes" -gt 1000000 ]; then
  echo "the tarball is over 1 MB ($bytes bytes): check the 'files' list in package.json" >&2
  exit 1
fi
# TypeScript ships only as declarations (dist/**/*.d.ts) and as examples to read (examples/).
if tar -tzf "$tarball" | grep -E '^package/(src|test|results)/|\.ts$' | grep -v -E '\.d\.ts$|^package/examples/'; then
  echo "the tarball holds sources, tests or results (listed above)" >&2
  exit 1
fi

cd "$scratch"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' > package.json
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball"
if [ -e node_modules/tsx ]; then
  echo "tsx was installed as a dependency of mixopt; it must be a dev dependency" >&2
  exit 1
fi

echo "== npx mixopt testbed eval law (installed CLI)"
npx --no-install mixopt testbed eval law --size 1B --steps 19700 --mixture 0.2,0.2,0.2,0.2,0.2 --json > eval.json
node -e '
const r = JSON.parse(require("fs").readFileSync("eval.json", "utf8"));
const v = r.values?.train_cross_entropy;
if (typeof v !== "number" || !Number.isFinite(v)) throw new Error("no train_cross_entropy in " + JSON.stringify(r));
console.log("train_cross_entropy", v);
'

echo "== import from a plain .mjs file"
cp "$root/scripts/fixtures/import-check.mjs" ./import-check.mjs
node import-check.mjs
echo "package check passed"
