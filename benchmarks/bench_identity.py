"""Benchmark of the identity stage against plain DuckDB: wall time, peak memory, quality and id churn.

Generates a synthetic universe with c360's generator, loads it with the real ingestion
pipeline once (cached in --workdir, not timed), then times `run_identity` in a fresh
process on a copy of that warehouse. The baseline, in its own process on another copy in the
same run, is the cheapest resolution there is: one plain DuckDB query that reduces the same raw
tables to one row per source record and clusters records sharing a lower-cased, trimmed email.
Both are scored against the same truth file, so the ratio prices what fuzzy matching buys.
Targets (issue): 1,000,000 person records in under 3 minutes and 8 GB peak memory on 2 cores;
pairwise F1 reported against the truth file; after 5% new records arrive, records whose
cluster did not change keep their id (0 changed).

    ./dev python benchmarks/bench_identity.py --people 235000   # about 1M person records
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from pathlib import Path

import duckdb

from benchmarks.measured_child import run_measured

log = logging.getLogger("bench_identity")

# Held-out share of records for the churn measurement, chosen by a stable hash of the id.
NEW_RECORD_SHARE = 0.05
_HELD_OUT = f"hash(CAST({{key}} AS VARCHAR)) % 10000 < {int(NEW_RECORD_SHARE * 10000)}"
_RAW_KEYS = {
    "raw_crm.contacts": ["contact_id"],
    "raw_email.activity": ["recipient_id"],
    "raw_web.events": ["anonymous_id", "user_id"],
}


def _settings(warehouse: Path, landing: Path):
    from c360.settings import Settings

    return Settings(
        warehouse=warehouse, landing=landing, exports=warehouse.parent / "exports", reports=warehouse.parent / "reports"
    )


def prepare(workdir: Path, people: int, seed: int) -> tuple[Path, Path]:
    """Generate and ingest once; later runs with the same size reuse the warehouse."""
    from c360_generator import generate
    from ingestion.pipelines import run_ingestion

    base = workdir / f"people_{people}_seed_{seed}"
    warehouse, truth, landing = base / "full.duckdb", base / "truth.csv", base / "landing"
    if warehouse.exists():
        return warehouse, truth
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    started = time.perf_counter()
    generate(landing, truth, n_people=people, seed=seed)
    log.info("generated %d people in %.0fs", people, time.perf_counter() - started)
    started = time.perf_counter()
    run_ingestion(_settings(base / "loading.duckdb", landing))
    (base / "loading.duckdb").rename(warehouse)
    log.info("ingested in %.0fs", time.perf_counter() - started)
    return warehouse, truth


# Same four person-bearing sources and one row per source record as identity/records.py, each
# keeping its latest email; records sharing a normalised email form a cluster, the rest stay alone.
BASELINE_TABLE = "bench_baseline_clusters"
BASELINE_SQL = f"""
CREATE OR REPLACE TABLE {BASELINE_TABLE} AS
WITH records AS (
    SELECT 'crm_contact' AS source, CAST(contact_id AS VARCHAR) AS source_record_id,
           arg_max(email, updated_at) AS email
    FROM raw_crm.contacts WHERE contact_id IS NOT NULL GROUP BY contact_id
    UNION ALL
    SELECT 'web_user_id', CAST(user_id AS VARCHAR),
           arg_max(traits_email, "timestamp") FILTER (WHERE traits_email IS NOT NULL)
    FROM raw_web.events WHERE user_id IS NOT NULL GROUP BY user_id
    UNION ALL
    SELECT 'web_anonymous_id', CAST(anonymous_id AS VARCHAR),
           arg_max(traits_email, "timestamp") FILTER (WHERE traits_email IS NOT NULL)
    FROM raw_web.events WHERE anonymous_id IS NOT NULL GROUP BY anonymous_id
    UNION ALL
    SELECT 'email_recipient', CAST(recipient_id AS VARCHAR),
           arg_max(email, occurred_at) FILTER (WHERE email IS NOT NULL)
    FROM raw_email.activity WHERE recipient_id IS NOT NULL GROUP BY recipient_id
)
SELECT source, source_record_id,
       coalesce('email:' || nullif(lower(trim(email)), ''), source || ':' || source_record_id) AS cluster_id
FROM records
"""


def timed_child(engine: str, warehouse: Path) -> dict:
    """Run one engine in a child process; wall time and that child's peak RSS."""
    return run_measured([__file__, "--resolve-only", engine, str(warehouse)])


def _resolve_only(engine: str, warehouse: Path) -> None:
    """Child-process entry: resolve with c360 or the baseline, printed as JSON counts and seconds."""
    if engine == "c360":
        from identity.resolve import run_identity

        print(json.dumps(run_identity(_settings(warehouse, warehouse.parent)), default=str))
        return
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        con.execute(BASELINE_SQL)
        records, clusters = con.execute(f"SELECT count(*), count(DISTINCT cluster_id) FROM {BASELINE_TABLE}").fetchone()
    print(json.dumps({"records": records, "customers": clusters, "seconds": round(time.perf_counter() - started, 2)}))


def _compare(engine: str, full: Path, workdir: Path, truth: Path) -> dict:
    """One timed run on a fresh copy of the ingested warehouse, scored against the truth file."""
    from identity.breakdown import pair_breakdown
    from identity.config import load_identity_config
    from identity.evaluate import evaluate, evaluate_assignments

    warehouse = workdir / f"bench_{engine}.duckdb"
    shutil.copy(full, warehouse)
    run = timed_child(engine, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if engine == "c360":  # the breakdown explains what c360 missed; the baseline only sets a bar
            quality = {
                **evaluate(con, truth, load_identity_config().model_path),
                "breakdown": pair_breakdown(con, truth),
            }
        else:
            quality = evaluate_assignments(con, f"SELECT * FROM {BASELINE_TABLE}", truth)
    warehouse.unlink()
    # in-process seconds, as bench_ingestion: interpreter start and imports are not resolution
    run["records_per_second"] = round(run["records"] / run["seconds"])
    return {"run": run, "quality": quality}


def _summary(c360: dict, plain: dict) -> str:
    def line(label: str, result: dict) -> str:
        run, quality = result["run"], result["quality"]
        return (
            f"{label}: {run['records']:,} records -> {run['customers']:,} customers in {run['seconds']:.1f}s"
            f" = {run['records_per_second']:,} records/s (child wall {run['wall']:.1f}s,"
            f" peak {run['peak_mb'] / 1024:.2f} GB),"
            f" pairwise F1 {quality['pairwise_f1']:.4f}, on linkable pairs {quality.get('linkable_f1', 0):.4f}"
        )

    ratio = c360["run"]["records_per_second"] / plain["run"]["records_per_second"]
    return "\n".join(
        [
            line("c360 run_identity", c360),
            line("plain DuckDB email dedupe", plain),
            f"throughput ratio c360/plain DuckDB: {ratio:.1%}",
        ]
    )


def _hold_out_new_records(con: duckdb.DuckDBPyConnection) -> None:
    for table, keys in _RAW_KEYS.items():
        held = " OR ".join(f"({key} IS NOT NULL AND {_HELD_OUT.format(key=key)})" for key in keys)
        con.execute(f"CREATE TABLE bench_{table.replace('.', '_')} AS SELECT * FROM {table} WHERE {held}")
        con.execute(f"DELETE FROM {table} WHERE {held}")


def _restore_new_records(con: duckdb.DuckDBPyConnection) -> None:
    for table in _RAW_KEYS:
        con.execute(f"INSERT INTO {table} SELECT * FROM bench_{table.replace('.', '_')}")
        con.execute(f"DROP TABLE bench_{table.replace('.', '_')}")


def measure_churn(full: Path, workdir: Path) -> dict:
    """Resolve without 5% of records, add them back, resolve again, compare ids."""
    warehouse = workdir / "churn.duckdb"
    shutil.copy(full, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        _hold_out_new_records(con)
    first = timed_child("c360", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE bench_map_before AS SELECT * FROM identity.customer_map")
        _restore_new_records(con)
    second = timed_child("c360", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        # a record's cluster "did not change" when the old records sharing its new id are
        # exactly the old records that shared its old id
        changed = con.execute("""
            WITH joined AS (
                SELECT b.source, b.source_record_id, b.customer_id AS old_id, a.customer_id AS new_id
                FROM bench_map_before b JOIN identity.customer_map a USING (source, source_record_id)
            ), same_cluster AS (
                SELECT old_id FROM joined GROUP BY old_id
                HAVING count(DISTINCT new_id) = 1
                   AND count(*) = (SELECT count(*) FROM joined j2 WHERE j2.new_id = any_value(joined.new_id))
            )
            SELECT count(*) FILTER (WHERE j.old_id IN (SELECT old_id FROM same_cluster)),
                   count(*) FILTER (WHERE j.old_id IN (SELECT old_id FROM same_cluster) AND j.new_id <> j.old_id),
                   count(*) FILTER (WHERE j.new_id <> j.old_id)
            FROM joined j
        """).fetchone()
    warehouse.unlink()
    return {
        "first_run": first,
        "second_run": second,
        "unchanged_cluster_records": changed[0],
        "unchanged_cluster_records_with_new_id": changed[1],
        "records_with_new_id": changed[2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=235_000, help="persons to generate (about 4.3 records each)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/c360_bench_identity"))
    parser.add_argument("--skip-churn", action="store_true")
    parser.add_argument("--resolve-only", nargs=2, metavar=("ENGINE", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("splink").setLevel(logging.ERROR)
    if args.resolve_only:
        _resolve_only(args.resolve_only[0], Path(args.resolve_only[1]))
        return

    full, truth = prepare(args.workdir, args.people, args.seed)
    c360, plain = _compare("c360", full, args.workdir, truth), _compare("duckdb", full, args.workdir, truth)
    report = {"people": args.people, "c360": c360, "plain_duckdb": plain}
    if not args.skip_churn:
        report["churn"] = measure_churn(full, args.workdir)
    print(json.dumps(report, indent=2, default=str))
    print(_summary(c360, plain))


if __name__ == "__main__":
    main()
