#!/usr/bin/env bash
# Creates .venv-test/ (git-ignored) with the exact versions in scripts/test-infra/requirements.txt.
# Test infrastructure only: the product and `npm test` never need Python. Idempotent: when the
# venv already holds these requirements (same file hash) it only checks that dlt imports.
# Exit 0: ready (prints the venv's python path on stdout). Exit 3: python3 or its venv module is
# missing here (the message says which; callers skip what needs it). Exit 1: the install failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VENV_TEST_DIR:-$repo/.venv-test}"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup-python: python3 is not on PATH; install Python 3.9+ to run the dlt comparison" >&2
  exit 3
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "setup-python: python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)" >&2
  exit 3
fi

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
  "$venv/bin/python" -c "import dlt, duckdb" >/dev/null 2>&1; then
  echo "$venv/bin/python"
  exit 0
fi

echo "setup-python: installing $(grep -cvE '^\s*(#|$)' "$req") pinned packages into $venv" >&2
rm -f "$stamp"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >&2
"$venv/bin/python" -c "import dlt, duckdb" >&2
echo "$want" >"$stamp"
echo "$venv/bin/python"
