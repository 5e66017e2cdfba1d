"""Sync throughput against plain DuckDB: members/s for a full sync and for a diff after 1% changes.

    ./dev python -m benchmarks.bench_activation --members 100000   # -m: it imports the tests' server

Synthesises marts (dim_customers, segment_membership, customer_traits) directly in a temp DuckDB
file, then syncs a webhook and a HubSpot-shaped destination to the tests' recording server on
127.0.0.1 (in this process; each sync runs in a child process so its peak memory is its own,
client and server share the two cores), and a CSV file. The baseline, in the same run, is a
plain DuckDB COPY of the same segment members joined to their attributes into a CSV file: the
floor for getting the members out, with no consent, diff, state, batching or HTTP.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

from activation.sync import sync_destination
from benchmarks.measured_child import run_measured
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
create or replace table marts.customer_consent as
select customer_id, 'email_marketing' as purpose,
       case when i % 50 = 0 or i % 97 = 0 then 'denied' else 'granted' end as consent
from (select customer_id, row_number() over (order by customer_id) as i from marts.dim_customers);
"""
CHANGE_ONE_PERCENT_SQL = """
update marts.dim_customers set first_name = first_name || 'x' where hash(customer_id) % 200 = 0;
delete from marts.segment_membership where hash(customer_id) % 200 = 1;
"""


BASELINE_SQL = """
copy (
    select c.customer_id, c.email, c.first_name, c.last_name, c.phone, c.company_name
    from marts.segment_membership m join marts.dim_customers c using (customer_id)
    where m.segment = '{segment}'
) to '{path}' (header)
"""


def _settings(root: Path) -> Settings:
    return Settings(warehouse=root / "c360.duckdb", landing=root, exports=root / "exports", reports=root / "reports")


def run_one(name: str, root: Path) -> None:
    """Child-process entry: one sync (or the plain COPY for "duckdb"), printed as JSON counts and seconds."""
    settings = _settings(root)
    started = time.perf_counter()
    if name == "duckdb":
        with duckdb.connect(str(settings.warehouse)) as con:
            path = root / "exports" / "plain.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            sent = con.execute(BASELINE_SQL.format(segment=SEGMENT, path=path)).fetchone()[0]
        print(
            json.dumps(
                {
                    "mode": "copy",
                    "members": sent,
                    "changes": sent,
                    "sent": sent,
                    "batches": 1,
                    "status": "success",
                    "seconds": time.perf_counter() - started,
                }
            )
        )
        return
    report = sync_destination(settings, name, config_path=root / "destinations.yml")
    seconds = time.perf_counter() - started
    changes = report.added + report.changed + report.removed
    sent = report.members - report.skipped if report.mode == "full" else changes
    print(
        json.dumps(
            {
                "mode": report.mode,
                "members": report.members,
                "changes": changes,
                "sent": sent,
                "batches": report.batches,
                "status": report.status,
                "seconds": seconds,
            }
        )
    )


def timed(name: str, root: Path) -> dict:
    """Runs one sync in a child process; prints and returns members/s, wall time and peak RSS.

    members/s is segment members brought in line per second, so a diff that sends 1% still
    covers the whole segment and compares with a COPY of the whole segment."""
    result = run_measured(
        ["-m", "benchmarks.bench_activation", "--one", name, str(root)], cwd=Path(__file__).resolve().parents[1]
    )
    result["rate"] = result["members"] / result["seconds"]
    label = "plain DuckDB" if name == "duckdb" else name
    print(
        f"{label:<14} {result['mode']:<5} {result['members']:>8,} members, {result['changes']:>8,} changes, sent "
        f"{result['sent']:>8,} in {result['batches']:>4} batches, {result['seconds']:5.1f}s = {result['rate']:>9,.0f}"
        f" members/s (child wall {result['wall']:.1f}s, peak {result['peak_mb']:,.0f} MB, {result['status']})"
    )
    return result


def _run_round(root: Path) -> None:
    plain = timed("duckdb", root)
    for name in ("webhook", "hubspot_email", "csv_file"):
        print(f"{'':<14} ratio {name} / plain DuckDB: {timed(name, root)['rate'] / plain['rate']:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--one", nargs=2, metavar=("NAME", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.one:
        run_one(args.one[0], Path(args.one[1]))
        return
    with tempfile.TemporaryDirectory() as tmp, RecordingServer() as server:
        root = Path(tmp)
        with duckdb.connect(str(_settings(root).warehouse)) as con:
            con.execute(MARTS_SQL.format(n=args.members, segment=SEGMENT))
        fields = {"first_name": "firstname", "last_name": "lastname", "company_name": "company"}
        (root / "destinations.yml").write_text(
            yaml.safe_dump(
                {
                    "consent": {"email_marketing": {"unknown": "deny"}, "analytics": {"unknown": "grant"}},
                    "destinations": {
                        "webhook": {
                            "type": "webhook",
                            "segment": SEGMENT,
                            "url": f"{server.url}/hook",
                            "mode": "diff",
                            "batch_size": args.batch_size,
                            "purposes": ["analytics"],
                        },
                        "hubspot_email": {
                            "type": "hubspot",
                            "segment": SEGMENT,
                            "base_url": server.url,
                            "mode": "diff",
                            "purposes": ["email_marketing"],
                            "fields": fields,
                            "membership_property": "c360_bench",
                        },
                        "csv_file": {"type": "csv", "segment": SEGMENT, "path": "bench.csv", "purposes": ["analytics"]},
                    },
                }
            )
        )
        print(f"{args.members:,} members; webhook batches of {args.batch_size}, HubSpot batches of 100")
        _run_round(root)
        with duckdb.connect(str(_settings(root).warehouse)) as con:
            con.execute(CHANGE_ONE_PERCENT_SQL)
        print("after changing ~0.5% and removing ~0.5% of members (plain DuckDB copies the whole segment again):")
        _run_round(root)
        print(f"requests received by the server: {len(server.requests):,}")


if __name__ == "__main__":
    main()
