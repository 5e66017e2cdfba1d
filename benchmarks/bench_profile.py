"""Profile page response time against the same lookup without the web layer, and a point query.

    ./dev python -m benchmarks.bench_profile --warehouse /path/to/c360.duckdb --requests 50

Needs a warehouse a pipeline run has built (`c360 run`); publishes its snapshot if none exists.
The page runs as `c360 profile serve` in a child process (uvicorn, one worker) and this process
POSTs searches by email for `--requests` identified customers (a fixed sample by hash), with the
token, one at a time. Baselines, in the same run, on the same snapshot and customers:
- in-process lookup: profiles.lookup.find_customer + load_profile on an open read-only
  connection (the page's queries without HTTP, templating or masking);
- point query: the golden record alone, `select * from marts.dim_customers where lower(email) = ?`,
  the floor for finding a person by email in DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import duckdb

from c360.settings import PROJECT_ROOT
from profiles.lookup import Warehouse, find_customer, load_profile
from profiles.snapshot import publish_snapshot, snapshot_path

TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _timed(calls: list[Callable[[], object]]) -> list[float]:
    seconds = []
    for call in calls:
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _post(url: str, email: str) -> bytes:
    body = urllib.parse.urlencode({"q": email}).encode()
    request = urllib.request.Request(url, data=body, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    warehouse = args.warehouse.resolve()
    snapshot = snapshot_path(warehouse)
    if not snapshot.exists():
        publish_snapshot(warehouse)

    with duckdb.connect(str(snapshot), read_only=True) as con:
        customers, events = (
            con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in ("marts.dim_customers", "raw_web.events")
        )
        emails = [
            e
            for (e,) in con.execute(
                "select email from marts.dim_customers where email is not null order by hash(customer_id) limit ?",
                [args.requests],
            ).fetchall()
        ]
        wh = Warehouse(con)
        port = _free_port()
        env = {**os.environ, "C360_WAREHOUSE": str(warehouse), "C360_PROFILE_TOKEN": TOKEN}
        server = subprocess.Popen(
            [sys.executable, "-m", "c360.cli", "profile", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/profile"
            deadline = time.monotonic() + 60
            while True:
                try:
                    _post(url, emails[0])  # also the warm-up request (opens the snapshot)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            load_profile(wh, *find_customer(wh, email=emails[0]))  # the same warm-up in process
            # The three sides take turns per customer, so a busy moment on the machine hits them alike.
            timings: dict[str, list[float]] = {"page": [], "lookup": [], "point": []}
            for email in emails:
                for side, call in (
                    ("page", lambda email=email: _post(url, email)),
                    ("lookup", lambda email=email: load_profile(wh, *find_customer(wh, email=email))),
                    (
                        "point",
                        lambda email=email: con.execute(
                            "select * from marts.dim_customers where lower(email) = ?", [email.lower()]
                        ).fetchall(),
                    ),
                ):
                    timings[side] += _timed([call])
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(
        json.dumps(
            {
                "warehouse": str(warehouse),
                "snapshot_bytes": snapshot.stat().st_size,
                "customers": customers,
                "web_events": events,
                "requests": len(emails),
                "profile_page_http": _summary(timings["page"]),
                "baseline_in_process_lookup": _summary(timings["lookup"]),
                "baseline_point_query": _summary(timings["point"]),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
