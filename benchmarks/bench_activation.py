"""Sync throughput to a local HTTP server: members/s for a full sync and for a diff after 1% changes.

    ./dev python -m benchmarks.bench_activation --members 100000   # -m: it imports the tests' server

Synthesises marts (dim_customers, segment_membership, customer_traits) directly in a temp DuckDB
file, then syncs a webhook and a HubSpot-shaped destination to the tests' recording server on
127.0.0.1 (same process, so client and server share the two cores), and a CSV file for reference.
"""
from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

from activation.sync import sync_destination
from c360.settings import Settings
from tests.test_activation_server import RecordingServer

SEGMENT = "bench"

MARTS_SQL = """
create schema if not exists marts;
create or replace table marts.dim_customers as
select printf('c%08d', i) as customer_id, 'First' || i as first_name, 'Last' || i as last_name,
       'person' || i || '@example.com' as email, '+1 415 ' || lpad((i % 10000000)::varchar, 7, '0') as phone,
       'Company ' || i % 5000 as company_name
from range({n}) t(i);
create or replace table marts.segment_membership as
select customer_id, '{segment}' as segment, timestamp '2026-01-01' as since from marts.dim_customers;
create or replace table marts.customer_traits as
select customer_id, i % 50 = 0 as email_unsubscribed, i % 97 = 0 as email_bounced
from (select customer_id, row_number() over (order by customer_id) as i from marts.dim_customers);
"""
CHANGE_ONE_PERCENT_SQL = """
update marts.dim_customers set first_name = first_name || 'x' where hash(customer_id) % 200 = 0;
delete from marts.segment_membership where hash(customer_id) % 200 = 1;
"""


def timed(settings: Settings, config: Path, name: str) -> None:
    started = time.monotonic()
    report = sync_destination(settings, name, config_path=config)
    seconds = time.monotonic() - started
    changes = report.added + report.changed + report.removed
    sent = report.members - report.skipped if report.mode == "full" else changes
    print(f"{name:<14} {report.mode:<5} {report.members:>8,} members, {changes:>8,} changes, sent {sent:>8,} in "
          f"{report.batches:>4} batches, {seconds:5.1f}s = {sent / seconds:>7,.0f} members/s ({report.status})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, RecordingServer() as server:
        root = Path(tmp)
        settings = Settings(warehouse=root / "c360.duckdb", landing=root, exports=root / "exports",
                            reports=root / "reports")
        with duckdb.connect(str(settings.warehouse)) as con:
            con.execute(MARTS_SQL.format(n=args.members, segment=SEGMENT))
        fields = {"first_name": "firstname", "last_name": "lastname", "company_name": "company"}
        config = root / "destinations.yml"
        config.write_text(yaml.safe_dump({"destinations": {
            "webhook": {"type": "webhook", "segment": SEGMENT, "url": f"{server.url}/hook", "mode": "diff",
                        "batch_size": args.batch_size},
            "hubspot_email": {"type": "hubspot", "segment": SEGMENT, "base_url": server.url, "mode": "diff",
                              "channel": "email", "fields": fields, "membership_property": "c360_bench"},
            "csv_file": {"type": "csv", "segment": SEGMENT, "path": "bench.csv"},
        }}))
        print(f"{args.members:,} members; webhook batches of {args.batch_size}, HubSpot batches of 100")
        for name in ("webhook", "hubspot_email", "csv_file"):
            timed(settings, config, name)
        with duckdb.connect(str(settings.warehouse)) as con:
            con.execute(CHANGE_ONE_PERCENT_SQL)
        print("after changing ~0.5% and removing ~0.5% of members:")
        for name in ("webhook", "hubspot_email", "csv_file"):
            timed(settings, config, name)
        print(f"requests received by the server: {len(server.requests):,}")


if __name__ == "__main__":
    main()
