# Sourced by run.sh and test.sh: create .venv and (re)install the project when setup.cfg changed.
ensure_venv() {
  local extras="$1"
  local stamp=".venv/.installed${extras}" python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || { echo "TastyRecipes needs Python 3.11 or newer ($python is older)" >&2; exit 1; }
    "$python" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
    touch "$stamp"
  fi
}
