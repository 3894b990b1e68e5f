"""dlt's side of bench/vs-dlt.bench.ts: the seed's Sage resources through dlt's rest_api source into DuckDB.

Run by the bench in its own process with the venv from scripts/test-infra/setup-python.sh. Reads
one JSON object on argv[1] (url, token, business, resources, db, pipelines_dir) and prints one
JSON line: wall and CPU seconds per step, rows per table and the process's peak RSS.

Paginator: Sage's list envelope is {"$total": items, "$page", "$next": "/path?page=2...", "$items"}.
dlt's json_link paginator would urljoin "$next" (an absolute path) onto the request URL, which
drops the "/v3.1" base path, and auto-detection finds no paginator ("$next" does not start with
"next"). So this uses page_number (page=1, 2, ...) with total_path computing the number of pages
from the item count in jsonpath-ng's arithmetic: ceil($total / 200) = int(($total + 199.5) * 0.005)
(exact for every total; dlt casts the total with int()). Sage answers a page past the end with the
last page again, so stop_after_empty_page cannot stop it; the total is what does.
"""

import json
import resource
import sys
import time

import dlt
import duckdb
import requests
from dlt.sources.rest_api import rest_api_source

PER_PAGE = 200


def main() -> None:
    a = json.loads(sys.argv[1])
    source = rest_api_source(
        {
            "client": {
                "base_url": a["url"] + "/v3.1/",
                "auth": {"type": "bearer", "token": a["token"]},
                "headers": {"X-Business": a["business"]},
                "paginator": {
                    "type": "page_number",
                    "base_page": 1,
                    "page_param": "page",
                    "total_path": "($['$total'] + 199.5) * 0.005",
                    "stop_after_empty_page": False,
                },
            },
            "resource_defaults": {
                "primary_key": "id",
                "write_disposition": "merge",
                "endpoint": {
                    "data_selector": "$['$items']",
                    "params": {"items_per_page": PER_PAGE, "attributes": "all"},
                },
            },
            "resources": a["resources"],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="vs_dlt",
        pipelines_dir=a["pipelines_dir"],
        destination=dlt.destinations.duckdb(a["db"]),
        dataset_name="sage",
        progress="log" if a.get("progress") else None,
    )
    seconds = {}
    cpu = {}
    # When the first HTTP request goes out (dlt's rest_api client is a requests.Session).
    first_request = []
    send = requests.Session.send

    def timed_send(self, *args, **kwargs):
        if not first_request:
            first_request.append(time.perf_counter())
        return send(self, *args, **kwargs)

    requests.Session.send = timed_send
    extract_start = time.perf_counter()

    def step(name, fn):
        t, c = time.perf_counter(), time.process_time()
        value = fn()
        seconds[name] = time.perf_counter() - t
        # process_time: CPU of every thread of this process (dlt's extract and load use threads).
        cpu[name] = time.process_time() - c
        return value

    step("extract", lambda: pipeline.extract(source))
    step("normalize", pipeline.normalize)
    info = step("load", pipeline.load)
    info.raise_on_failed_jobs()
    rows = pipeline.last_trace.last_normalize_info.row_counts
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    first = first_request[0] - extract_start if first_request else None
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "peak_rss_kb": peak, "first_request_s": first, "versions": {"dlt": dlt.__version__, "duckdb": duckdb.__version__}}))


if __name__ == "__main__":
    main()
