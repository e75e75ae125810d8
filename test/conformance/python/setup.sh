#!/usr/bin/env bash
# Creates (once) a runner directory's venv (DIR/.venv) and installs DIR/requirements.txt into it;
# later runs reuse it until that file changes. DIR: the argument (pyclients/ for the pyarrow,
# s3fs, polars and minio-py runners), or this script's own directory (the Python and AWS CLI runners).
set -euo pipefail
here="$(cd "${1:-$(dirname "$0")}" && pwd)"
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "$want" > "$stamp"
