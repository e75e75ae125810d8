#!/usr/bin/env bash
# Builds one native Go client (mc, restic or rclone) at its pinned version with `go install module@version`,
# into a cache outside the clone (reused while that version's binary is there):
#   test/conformance/tools/setup.sh restic      → $SMLL_TOOLS_CACHE/restic-v0.19.1/restic
# The versions are pinned here because a module's @latest can resolve to an old release on the module
# proxy (restic's @latest is v0.10.0 there; mc publishes RELEASE.* tags the proxy only knows as pseudo-versions).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
name="${1:?usage: setup.sh mc|restic|rclone}"
module="$(tool_module "$name")"
version="$(tool_version "$name")"
bin="$(tool_bin "$name")"
if [[ -x "$bin" ]]; then
  echo "$name $version: already built at $bin"
  exit 0
fi
mkdir -p "$(dirname "$bin")"
started=$SECONDS
# CGO off: static binaries as the projects ship them, and no C toolchain needed.
GOBIN="$(dirname "$bin")" CGO_ENABLED=0 go install "$module@$version"
echo "$name $version: built in $((SECONDS - started)) s at $bin"
