"""Ingestion throughput: c360's dlt pipelines vs plain DuckDB on the same files.

    ./dev python benchmarks/bench_ingestion.py --rows 1000000

Writes N Segment events (JSON lines) and N HubSpot contacts (CSV) at the contract shapes, then
loads each through the real pipeline (`run_ingestion`, fresh warehouse) and with plain DuckDB
(`CREATE TABLE AS SELECT * FROM read_json/read_csv`). Each load runs in its own process so
peak memory (max RSS) is per load. Prints rows/s, the c360/DuckDB ratio, wall time and memory.
c360's time includes everything `run_ingestion` does: hashing, parsing and validation, dlt's
extract/normalize/load with its merge into the raw table, quarantine and load report.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from benchmarks.measured_child import run_measured

CONTACT_HEADER = (
    "Record ID,First Name,Last Name,Email,Additional email addresses,Phone Number,Company Name,Job Title,"
    "Street Address,City,Postal Code,Date of birth,Lifecycle Stage,Contact owner,Create Date,Last Modified Date,Archived"
)
FIRST = ["Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo"]
LAST = ["Lee", "Ng", "Diaz", "Smith", "Khan", "Ivanova", "Okafor", "Muller"]
PAGES = ["/", "/pricing", "/features", "/docs/getting-started", "/customers", "/login"]


def write_inputs(folder: Path, rows: int) -> None:
    """Synthetic landing files in the shapes of docs/architecture.md (web/ and crm/ folders)."""
    rng = random.Random(7)
    (folder / "web").mkdir(parents=True, exist_ok=True)
    (folder / "crm").mkdir(parents=True, exist_ok=True)
    with (folder / "web" / "events-2026-09-01.jsonl").open("w") as out:
        for i in range(rows):
            path = rng.choice(PAGES)
            kind = "page" if i % 10 else ("track" if i % 20 else "identify")
            record = {
                "messageId": f"msg-{i:09d}",
                "type": kind,
                "anonymousId": f"anon-{i // 7:08d}",
                "userId": f"user-{i // 50}" if i % 3 == 0 else None,
                "timestamp": f"2026-09-01T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z",
                "properties": {"plan": "pro"} if kind == "track" else {},
                "context": {
                    "ip": f"10.{i % 256}.{(i // 256) % 256}.{i % 7}",
                    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/129.0 Safari/537.36",
                    "page": {
                        "url": f"https://www.example.com{path}?utm_source=news",
                        "path": path,
                        "referrer": "https://www.google.com/",
                        "title": "Example",
                    },
                    "campaign": {"source": "news", "medium": "email", "name": "fall"},
                },
            }
            if kind == "track":
                record["event"] = "Product Viewed"
            if kind == "identify":
                record["traits"] = {"email": f"Person{i}@Example.com", "firstName": rng.choice(FIRST)}
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
    with (folder / "crm" / "contacts.csv").open("w") as out:
        out.write(CONTACT_HEADER + "\n")
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.write(
                f"{10_000_000_000 + i},{first},{last},{first.lower()}.{last.lower()}{i}@example.com,,+1415555{i % 10000:04d},"
                f"Acme {i % 997} Inc.,Engineer,{i % 999} Main St,Springfield,{10000 + i % 89999},1980-01-{1 + i % 28:02d},"
                f"lead,Owner {i % 12},2025-01-01 00:00:00,2026-0{1 + i % 9}-15 12:00:00,{'true' if i % 50 == 0 else 'false'}\n"
            )


def load_c360(folder: Path, source: str) -> int:
    from c360.settings import Settings
    from ingestion.pipelines import run_ingestion

    work = Path(tempfile.mkdtemp(prefix="bench_c360_"))
    settings = Settings(
        warehouse=work / "c360.duckdb", landing=folder, exports=work / "exports", reports=work / "reports"
    )
    summary = run_ingestion(settings, [source])[source]
    assert summary["rows_quarantined"] == 0, summary
    return summary["rows_loaded"]


def load_duckdb(folder: Path, source: str) -> int:
    import duckdb

    work = Path(tempfile.mkdtemp(prefix="bench_duckdb_"))
    con = duckdb.connect(str(work / "plain.duckdb"))
    if source == "web":
        con.execute(f"CREATE TABLE events AS SELECT * FROM read_json('{folder}/web/*.jsonl')")
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.execute(f"CREATE TABLE contacts AS SELECT * FROM read_csv('{folder}/crm/contacts.csv')")
    return con.execute("SELECT count(*) FROM contacts").fetchone()[0]


def run_one(engine: str, source: str, folder: Path) -> None:
    """Child-process entry: load once, print rows and seconds as JSON.

    Libraries are imported before the clock starts: interpreter and import time is not load throughput.
    """
    import duckdb  # noqa: F401

    import ingestion.pipelines  # noqa: F401

    started = time.perf_counter()
    rows = (load_c360 if engine == "c360" else load_duckdb)(folder, source)
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


def measure(engine: str, source: str, folder: Path) -> dict:
    return run_measured([__file__, "--one", engine, source, str(folder)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, help="reuse inputs generated here (default: a temp dir)")
    parser.add_argument("--one", nargs=3, metavar=("ENGINE", "SOURCE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], args.one[1], Path(args.one[2]))
        return
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="bench_ingestion_"))
    if not (folder / "crm" / "contacts.csv").exists():
        started = time.perf_counter()
        write_inputs(folder, args.rows)
        print(
            f"generated {args.rows:,} events and {args.rows:,} contacts in {time.perf_counter() - started:.1f}s ({folder})"
        )
    total_started = time.perf_counter()
    for source, label in (("web", "web events (JSON lines)"), ("crm", "CRM contacts (CSV)")):
        c360, plain = measure("c360", source, folder), measure("duckdb", source, folder)
        c360_rate, plain_rate = c360["rows"] / c360["seconds"], plain["rows"] / plain["seconds"]
        print(
            f"{label}: c360 {c360['rows']:,} rows in {c360['seconds']:.2f}s = {c360_rate:,.0f} rows/s"
            f" (peak {c360['peak_mb']:,.0f} MB) | plain DuckDB {plain['rows']:,} rows in {plain['seconds']:.2f}s"
            f" = {plain_rate:,.0f} rows/s (peak {plain['peak_mb']:,.0f} MB) | ratio {c360_rate / plain_rate:.0%}"
        )
    print(f"total wall time {time.perf_counter() - total_started:.1f}s")


if __name__ == "__main__":
    main()
