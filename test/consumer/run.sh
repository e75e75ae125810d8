#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, the tarball installed into a fresh project beside
# vitest, jest, typescript and the AWS SDK from the registry (npm's cache first), then a vitest
# test and a jest test through the package's setups, and `tsc --noEmit` with skipLibCheck off.
# Run by .ci/run (stage consumer); each step prints its time.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/timed.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/smll-consumer-XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { timed consumer "$@"; }

# The versions this repository tests with (a dev dependency, or @aws-sdk/client-s3, a runtime one since gateway mode), so npm's cache has them.
range() { node -p "const p = require('./package.json'); p.devDependencies['$1'] ?? p.dependencies['$1']"; }
deps=()
for dep in vitest jest typescript @aws-sdk/client-s3 @types/node; do deps+=("$dep@$(range "$dep")"); done

# What the tarball must hold: the built code and its declarations, the licence; no source map
# (src/ is not shipped, so a map would point at nothing).
check_tarball() {
  local files
  files=$(tar -tzf "$work"/smll-storage-*.tgz)
  for required in package/LICENSE package/README.md package/bin/smll-storage.js package/dist/index.js package/dist/index.d.ts; do
    grep -qx "$required" <<<"$files" || { echo "missing from the tarball: $required" >&2; return 1; }
  done
  if grep -E '\.map$|^package/src/' <<<"$files"; then echo "the tarball ships source maps or sources (above)" >&2; return 1; fi
  echo "$(wc -l <<<"$files") files, $(du -k "$work"/smll-storage-*.tgz | cut -f1) KiB"
}

install_project() {
  cp -R test/consumer/project "$work/project"
  (cd "$work/project" && timeout 600 npm install --prefer-offline --no-audit --no-fund --loglevel=error "$work"/smll-storage-*.tgz "${deps[@]}")
}

step pack npm pack --silent --pack-destination "$work"
step tarball check_tarball
step install install_project
cd "$work/project"
# The repository's own runs silence the SDK's Node < 22 warning; a consumer sees what users see.
step vitest timeout 300 npx vitest run
step jest timeout 300 npx jest --ci
step tsc timeout 300 npx tsc --noEmit -p .
