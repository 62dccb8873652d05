#!/usr/bin/env bash
# Set up TastyRecipes with its dev tools (once) and run the whole test suite.
#   ./test.sh                      SQLite (a temporary file per test worker)
#   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tasty_recipes_test ./test.sh
# Extra arguments go to pytest (e.g. ./test.sh tests/accounts -k log_in).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
ensure_venv "[dev]"

set +e
.venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" "$@"
status=$?
set -e
# pytest's 5 means "no tests collected": a run that tested nothing is a failure here.
[ "$status" -eq 5 ] && { echo "no tests were collected" >&2; exit 1; }
exit "$status"
