#!/usr/bin/env bash
# Run the benchmark from anywhere: bench/run.sh [--compare-workers] [--profile] [--quick] …
# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL to change) and wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  source scripts/venv.sh
  ensure_venv ""
fi
exec .venv/bin/python -m bench "$@"
