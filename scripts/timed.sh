# Sourced by .ci/run, scripts/node-matrix.sh and test/consumer/run.sh.
# timed LABEL NAME CMD…: runs CMD, then prints how long it took (also when it fails), as
# `::: LABEL NAME: N s`, so that every stage and step of a CI log reads alike.
timed() {
  local label=$1 name=$2 started=$SECONDS status=0
  shift 2
  echo "::: $label $name"
  "$@" || status=$?
  echo "::: $label $name: $((SECONDS - started)) s$([ "$status" -eq 0 ] || echo ", failed with $status")"
  return "$status"
}
