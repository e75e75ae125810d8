#!/bin/sh
# A generic CI step: the tests run under an emulator that lives exactly as long as they do;
# the step's status is theirs.
set -eu
npx smll-storage exec --bucket ci-bucket --seed ci-bucket=fixtures -- node check.mjs
