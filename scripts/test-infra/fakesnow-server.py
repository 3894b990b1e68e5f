"""fakesnow's HTTP server, answering query results in Snowflake's JSON rowset format.

Test infrastructure only (test/destinations/fakesnow.ts starts it from .venv-fakesnow/).

fakesnow 0.12.1 answers every query in Snowflake's Arrow result format (``rowsetBase64``), which the
Python connector reads; the Node.js ``snowflake-sdk`` (3.x) reads only the JSON format
(``rowset``: one list of strings per row), which is what Snowflake itself sends it. This wrapper
runs fakesnow's own request handlers unchanged and rewrites only that one field of the answer:
the Arrow batch fakesnow built is decoded and each value spelled as Snowflake's JSON result
format spells it (FIXED as its decimal text, DATE as days since the epoch, TIMESTAMP_* as
``seconds.nanoseconds`` with ``" <offset minutes + 1440>"`` for TIMESTAMP_TZ, BINARY as hex,
BOOLEAN as ``"1"``/``"0"``, VARIANT/OBJECT/ARRAY as their JSON text). The SQL still runs on
fakesnow's engine (DuckDB); only the encoding of the answer changes.

One error is answered differently: DuckDB's write conflict between two open transactions (its
optimistic concurrency, where Snowflake would make the second statement wait for the first's
lock) reaches fakesnow's handler unmapped and comes back as HTTP 500, which the Node SDK retries
for about a minute before it reports "Request to Snowflake failed". It is answered here as the
statement error it is (Snowflake's code for a statement refused a table's lock, DuckDB's message).
The same holds for a COPY from an external location (s3://, azure://): fakesnow hands it to DuckDB,
which has no httpfs or azure extension here and fails to download one; that is answered as the
statement error Snowflake gives for a location it cannot read (code 091003), DuckDB's message.

Usage: fakesnow-server.py <port>   (binds 127.0.0.1; prints "ready <port>" on stderr when listening)
"""

from __future__ import annotations

import base64
import json
import math
import os
import sys
from typing import Any

import pyarrow as pa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

import duckdb
import snowflake.connector.errors

import fakesnow.server as server
from fakesnow.cursor import FakeSnowflakeCursor
from fakesnow.transforms import stage


# Snowflake's default output formats (its session parameters of those names)
OUTPUT_FORMATS = {
    "BINARY_OUTPUT_FORMAT": "HEX",
    "DATE_OUTPUT_FORMAT": "YYYY-MM-DD",
    "TIME_OUTPUT_FORMAT": "HH24:MI:SS",
    "TIMESTAMP_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM",
    "TIMESTAMP_NTZ_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3",
    "TIMESTAMP_LTZ_OUTPUT_FORMAT": "",
    "TIMESTAMP_TZ_OUTPUT_FORMAT": "",
    "CLIENT_TIMESTAMP_TYPE_MAPPING": "TIMESTAMP_LTZ",
}


def spell(value: Any, logical: str, scale: int) -> str | None:
    """One Arrow value (as fakesnow's to_sf encodes it) in Snowflake's JSON rowset spelling."""
    if value is None:
        return None
    if logical == "FIXED":
        # ints arrive unscaled when scale > 0 (Snowflake's Arrow FIXED), decimals as Decimal
        if isinstance(value, int) and scale > 0:
            sign = "-" if value < 0 else ""
            digits = str(abs(value)).rjust(scale + 1, "0")
            return f"{sign}{digits[:-scale]}.{digits[-scale:]}"
        # Decimal: positional notation with the column's digits, as Snowflake sends it (never 1E-9)
        return format(value, "f")
    if logical == "REAL":
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(float(value))
    if logical == "BOOLEAN":
        return "1" if value else "0"
    if logical == "DATE":
        # fakesnow hands date32 values as datetime.date
        import datetime

        return str((value - datetime.date(1970, 1, 1)).days)
    if logical in ("TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ"):
        epoch = value["epoch"]
        fraction = value["fraction"]
        if epoch is None:
            # fakesnow builds its timestamp structs without a null mask: a NULL is a struct of nulls
            return None
        text = f"{epoch}.{fraction:09d}"
        if logical == "TIMESTAMP_TZ":
            tz = value.get("timezone", 1440)
            text += f" {tz}"
        return text
    if logical == "TIME":
        # nanoseconds since midnight
        return f"{value // 1_000_000_000}.{value % 1_000_000_000:09d}"
    if logical == "BINARY":
        return bytes(value).hex().upper()
    if logical in ("VARIANT", "OBJECT", "ARRAY"):
        return value if isinstance(value, str) else json.dumps(value)
    return str(value)


_execute = FakeSnowflakeCursor.execute


def execute_mapping_conflicts(self: FakeSnowflakeCursor, *args: Any, **kwargs: Any) -> Any:
    """fakesnow's execute, with DuckDB's transaction conflict as a statement error (see above)."""
    try:
        return _execute(self, *args, **kwargs)
    except duckdb.TransactionException as e:
        raise snowflake.connector.errors.ProgrammingError(
            msg=str(e.args[0]).split("\n")[0], errno=625, sqlstate="57014"
        ) from None
    except duckdb.Error as e:
        text = str(e.args[0]) if e.args else str(e)
        if "install the required extension" not in text:
            raise
        raise snowflake.connector.errors.ProgrammingError(
            msg=" ".join(text.split("\n")[:2]), errno=91003, sqlstate="XX000"
        ) from None


FakeSnowflakeCursor.execute = execute_mapping_conflicts  # type: ignore[method-assign]


def arrow_to_rowset(b64: str) -> list[list[str | None]]:
    if not b64:
        return []
    reader = pa.ipc.open_stream(base64.b64decode(b64))
    table = reader.read_all()
    columns = []
    for field, col in zip(table.schema, table.columns, strict=True):
        meta = {k.decode(): v.decode() for k, v in (field.metadata or {}).items()}
        logical = meta.get("logicalType", "TEXT")
        scale = int(meta.get("scale", "0"))
        columns.append([spell(v, logical, scale) for v in col.to_pylist()])
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


async def query_request(request: Request) -> JSONResponse:
    answer = await server.query_request(request)
    body = json.loads(answer.body)
    data = body.get("data")
    if isinstance(data, dict) and data.get("queryResultFormat") == "arrow":
        data["rowset"] = arrow_to_rowset(data.pop("rowsetBase64", ""))
        data["queryResultFormat"] = "json"
    if isinstance(data, dict) and isinstance(data.get("stageInfo"), dict):
        # a PUT: Snowflake's stage info always names the bucket's region, which the Node SDK's GCS
        # client reads (fakesnow's presigned-URL stage info, made for the Python connector, lacks it)
        data["stageInfo"].setdefault("region", "us-central1")
    if isinstance(data, dict) and isinstance(data.get("rowset"), list):
        # the Node SDK reads the rows of the first chunk from `returned` and the result format
        # version from `version` (Snowflake sends both; fakesnow's JSON answers to DML lack them)
        data.setdefault("version", 1)
        # Snowflake sends the session's output formats with every result; the SDK reads them
        named = {p["name"] for p in data.setdefault("parameters", [])}
        data["parameters"] += [{"name": k, "value": v} for k, v in OUTPUT_FORMATS.items() if k not in named]
        data.setdefault("returned", len(data["rowset"]))
    return JSONResponse(body, status_code=answer.status_code)


async def bucket_download(request: Request) -> Response:
    """GET of a presigned stage URL, as GCS answers it: the object, or 404 when there is none.

    The Node SDK asks before each PUT whether the file is on the stage already (and uploads only
    on a 404); fakesnow's bucket takes uploads only.
    """
    target = os.path.normpath(os.path.join(stage.LOCAL_BUCKET_PATH, request.path_params["path"]))
    if not target.startswith(stage.LOCAL_BUCKET_PATH + os.sep) or not os.path.isfile(target):
        return Response(status_code=404)
    return FileResponse(target)


routes = [
    Route(r.path, query_request, methods=["POST"]) if r.path == "/queries/v1/query-request" else r
    for r in server.routes
] + [Route("/fs_bucket/{path:path}", bucket_download, methods=["GET"])]
app = Starlette(debug=False, routes=routes)

if __name__ == "__main__":
    port = int(sys.argv[1])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
