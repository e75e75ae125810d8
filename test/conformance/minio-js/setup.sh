#!/usr/bin/env bash
# Installs the minio-js runner's pinned dependencies (package-lock.json) into this directory's own
# node_modules, never the project's; later runs reuse them until package-lock.json changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$here/node_modules/.package-lock.sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
npm ci --prefix "$here" --no-audit --no-fund --ignore-scripts
echo "$want" > "$stamp"
