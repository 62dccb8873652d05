#!/usr/bin/env bash
# Set up TastyRecipes (once) and serve it on http://127.0.0.1:5000 in development mode,
# on an embedded SQLite database in instance/ that is created and migrated automatically.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
ensure_venv ""

export TASTY_ENV="${TASTY_ENV:-development}"
.venv/bin/flask --app wsgi db upgrade
exec .venv/bin/flask --app wsgi run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" "$@"
