#!/usr/bin/env bash
# Builds the Rust conformance runner (aws-sdk-s3, versions pinned by Cargo.lock). The target dir is a
# cache outside the clone (CARGO_TARGET_DIR, default ~/.cache/smll-storage/cargo-target), so a later run
# or CI on the same machine rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smll-storage/cargo-target}"
started=$SECONDS
cargo build --locked --bins
echo "aws-sdk-s3 runner built in $((SECONDS - started)) s (target dir $CARGO_TARGET_DIR)"
