#!/usr/bin/env bash
# Run the project's checks and end with "N passed, N failed".
# Usage: scripts/test.sh [lint] [unit] [molecule] [gpu] [grid]
# (lint, unit and molecule when none is named; gpu and grid need a GPU host)
set -uo pipefail
cd "$(dirname "$0")/.."

results=.cache/test-results
rm -rf "$results"
mkdir -p "$results"
: >"$results/steps"
steps=("$@")
[ "${#steps[@]}" -gt 0 ] || steps=(lint unit molecule)

# run NAME COMMAND...: one step; its exit status and time go into the summary.
run() {
  local name=$1 started=$SECONDS status
  shift
  echo "=== $name: $*"
  "$@"
  status=$?
  echo "=== $name: exit $status in $((SECONDS - started)) s"
  echo "$name: exit $status in $((SECONDS - started)) s" >>"$results/steps"
}

pytest_args=(-p no:cacheprovider -o junit_family=xunit2)
for step in "${steps[@]}"; do
  case $step in
    lint)
      run lint .venv/bin/pytest "${pytest_args[@]}" tests/test_lint.py --junitxml="$results/lint.xml" ;;
    unit)
      run unit-ml .venv-ml/bin/pytest "${pytest_args[@]}" ml/tests -m "not gpu" --junitxml="$results/ml.xml"
      run unit-repo .venv/bin/pytest "${pytest_args[@]}" tests -m "not podman and not grid" \
        --ignore=tests/test_lint.py --junitxml="$results/repo.xml" ;;
    molecule)
      run molecule .venv/bin/pytest "${pytest_args[@]}" -s tests -m podman --junitxml="$results/molecule.xml" ;;
    gpu)
      run gpu .venv-ml/bin/pytest "${pytest_args[@]}" ml/tests -m gpu --junitxml="$results/gpu.xml" ;;
    grid)
      run grid .venv/bin/pytest "${pytest_args[@]}" tests -m grid --junitxml="$results/grid.xml" ;;
    *)
      echo "unknown step '$step': use lint, unit, molecule, gpu or grid" >&2
      exit 2 ;;
  esac
done

echo "=== steps"
cat "$results/steps"
.venv/bin/python scripts/summary.py "$results"
