# The pinned native Go clients and where their binaries live (sourced by setup.sh and the runners).
# The cache is outside the clone so CI and later runs reuse a build: SMLL_TOOLS_CACHE overrides it.
SMLL_TOOLS_CACHE="${SMLL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smll-storage/go-tools}"

tool_module() {
  case "$1" in
    # mc's releases are RELEASE.* tags, which the module proxy knows only as pseudo-versions: the one
    # below (a commit of 2025-03-13) is its @latest, the newest it serves.
    mc) echo github.com/minio/mc ;;
    restic) echo github.com/restic/restic/cmd/restic ;;
    rclone) echo github.com/rclone/rclone ;;
    *) echo "unknown tool $1" >&2; return 1 ;;
  esac
}

tool_version() {
  case "$1" in
    mc) echo v0.0.0-20250313080218-cf909e1063a9 ;;
    restic) echo v0.19.1 ;;
    rclone) echo v1.76.0 ;;
    *) echo "unknown tool $1" >&2; return 1 ;;
  esac
}

tool_bin() {
  echo "$SMLL_TOOLS_CACHE/$1-$(tool_version "$1")/$1"
}
