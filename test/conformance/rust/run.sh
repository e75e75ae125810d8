#!/usr/bin/env bash
# Runs the Rust runner built by setup.sh. For https it trusts the endpoint's CA the way the SDK's default
# HTTPS client reads one: SSL_CERT_FILE (rustls-native-certs), set here from the target's AWS_CA_BUNDLE.
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smll-storage/cargo-target}"
if [[ -n "${AWS_CA_BUNDLE:-}" ]]; then
  export SSL_CERT_FILE="$AWS_CA_BUNDLE"
fi
exec "$CARGO_TARGET_DIR/debug/conformance"
