#!/usr/bin/env bash
# Creates .venv-fakesnow/ (git-ignored) with the exact versions in
# scripts/test-infra/requirements-fakesnow.txt: fakesnow's server, the Snowflake stand-in of the
# snowflake conformance run (test/destinations/snowflake.test.ts). Test infrastructure only.
# Idempotent: when the venv already holds these requirements (same file hash) it only checks that
# they import. Exit 0: ready (prints the venv's python path). Exit 3: python3 or its venv module is
# missing (callers skip what needs it). Exit 1: the install failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VENV_FAKESNOW_DIR:-$repo/.venv-fakesnow}"
req="$here/requirements-fakesnow.txt"
stamp="$venv/.requirements.sha256"

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup-fakesnow: python3 is not on PATH; install Python 3.10+ to run the Snowflake stand-in" >&2
  exit 3
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "setup-fakesnow: python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)" >&2
  exit 3
fi

imports="import fakesnow.server, uvicorn, pyarrow, starlette"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
  "$venv/bin/python" -c "$imports" >/dev/null 2>&1; then
  echo "$venv/bin/python"
  exit 0
fi

echo "setup-fakesnow: installing $(grep -cvE '^\s*(#|$)' "$req") pinned packages into $venv" >&2
rm -f "$stamp"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >&2
"$venv/bin/python" -c "$imports" >&2
echo "$want" >"$stamp"
echo "$venv/bin/python"
