#!/usr/bin/env bash
# Debian's chromium, which the console's browser tests, `npm run screenshots` and the bench's
# console workload drive through playwright-core (no browser download from elsewhere). A no-op
# when a chromium is on PATH or SMLL_CHROMIUM names one.
set -euo pipefail
if [ -n "${SMLL_CHROMIUM:-}" ] && [ -x "$SMLL_CHROMIUM" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is not installed: run 'sudo apt-get install chromium' (Debian/Ubuntu), or set SMLL_CHROMIUM to a Chromium or Chrome binary" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium
