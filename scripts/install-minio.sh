#!/usr/bin/env bash
# MinIO for the gateway tests (npm run test:gateway), the bench's minio and gateway targets and the
# conformance differential: built from its Go module at one pinned version with `go install`
# (about ten minutes on two cores the first time). Go's own module and build caches
# (go env GOMODCACHE, GOCACHE) are used as they are, so a CI that keeps them rebuilds nothing.
# A no-op when $(go env GOBIN)/minio, else $(go env GOPATH)/bin/minio, is already this version.
set -euo pipefail
MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

if ! command -v go >/dev/null 2>&1; then
  echo "install-minio: go is not installed; MinIO is built from its Go module (https://go.dev/doc/install)" >&2
  exit 1
fi
bin_dir="$(go env GOBIN)"
if [ -z "$bin_dir" ]; then bin_dir="$(go env GOPATH | cut -d: -f1)/bin"; fi
binary="$bin_dir/minio"
# `go version -m` prints the module line of a `go install` build: "mod <path> <version> <sum>".
if [ -x "$binary" ] && go version -m "$binary" 2>/dev/null | grep -Eq "^[[:space:]]*mod[[:space:]]+$MINIO_MODULE[[:space:]]+$MINIO_VERSION([[:space:]]|$)"; then
  echo "install-minio: $binary is $MINIO_MODULE@$MINIO_VERSION already"
  exit 0
fi
echo "install-minio: go install $MINIO_MODULE@$MINIO_VERSION (first build: about ten minutes on two cores)"
go install "$MINIO_MODULE@$MINIO_VERSION"
echo "install-minio: $binary"
