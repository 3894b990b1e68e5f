#!/usr/bin/env bash
# Creates .venv-test/ (git-ignored) with the exact versions in scripts/test-infra/requirements.txt.
# Test infrastructure only: the product and `npm test` never need Python. Idempotent: when the
# venv already holds these requirements (same file hash) it only checks that they import.
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

# What the tests import: dlt (bench/vs-dlt.bench.ts), the BigQuery / GCS emulators and pyspark (Databricks).
imports="import dlt, duckdb, bqemulator, gcp_storage_emulator, numpy, duckdb_extension_spatial, pyspark"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
  "$venv/bin/python" -c "$imports" >/dev/null 2>&1 && [[ -f "$venv/duckdb-home/.extension-ready" ]]; then
  echo "$venv/bin/python"
  exit 0
fi

echo "setup-python: installing $(grep -cvE '^\s*(#|$)' "$req") pinned packages into $venv" >&2
rm -f "$stamp"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >&2
"$venv/bin/python" -c "$imports" >&2
# bqemulator runs `INSTALL spatial` at start, which downloads unless DuckDB finds the extension in
# ~/.duckdb/extensions/<version>/<platform>/. The emulator is started with HOME=$venv/duckdb-home,
# where the copy from the duckdb-extension-spatial wheel goes (no network needed).
"$venv/bin/python" - "$venv/duckdb-home" >&2 <<'PY'
import pathlib, shutil, sys, duckdb, duckdb_extension_spatial
home = pathlib.Path(sys.argv[1])
platform = duckdb.sql("PRAGMA platform").fetchone()[0]
version = "v" + duckdb.__version__
src = pathlib.Path(duckdb_extension_spatial.__file__).parent / "extensions" / version / "spatial.duckdb_extension"
dst = home / ".duckdb" / "extensions" / version / platform
dst.mkdir(parents=True, exist_ok=True)
shutil.copyfile(src, dst / "spatial.duckdb_extension")
(home / ".extension-ready").write_text(version + " " + platform + "\n")
PY
echo "$want" >"$stamp"
echo "$venv/bin/python"
