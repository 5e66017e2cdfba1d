"""Benchmark of the identity stage against plain Splink 5 and plain DuckDB: wall, CPU, peak memory,
quality and id churn.

Generates a synthetic universe with c360's generator, loads it with the real ingestion
pipeline and builds the dbt person-record tables identity reads, once (cached in --workdir, not
timed: in the pipeline dbt's step before identity builds them). Each round then times, each in a
fresh child process on its own copy:

- c360 `run_identity`: normalisation, deterministic edges, Splink scoring, overrides,
  clustering and persistent ids; once as the first resolution of the warehouse, and once as a
  daily run does it: on a copy already resolved, with the golden record's phone numbers of that
  build in place (`intermediate.int_phone_numbers`), so only numbers not seen before are parsed
  (here none: the records are the same);
- plain Splink 5 on the same normalised records (c360's identity.records, copied untimed) with the
  same trained model JSON: predict and cluster at the same threshold, nothing else.

Rounds alternate which side goes first. Each round prints both sides' wall, CPU and peak memory,
the ratio, and how many records the two sides cluster differently (cluster ids aside); the
first round also re-clusters c360's own edges with Splink's SQL clustering and counts the records
placed differently from c360's union-find (0 = identical clusters). Then, once, the cheapest
resolution there is: one plain DuckDB query that clusters records sharing a lower-cased, trimmed
email; c360 and it are scored against the same truth file, so the ratio prices what fuzzy
matching buys. Targets (issue): 1,000,000 person records in under 3 minutes and 8 GB peak memory
on 2 cores, within 1.3x of plain Splink; after 5% new records arrive, records whose cluster did
not change keep their id (0 changed).

    nice ./dev python benchmarks/bench_identity.py --people 235000   # about 1M person records
"""

from __future__ import annotations

import argparse
import json
import logging
import os
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


def prepare(workdir: Path, people: int, seed: int) -> tuple[Path, Path, Path]:
    """Generate and ingest once; later runs with the same size reuse the warehouse. The dbt
    person-record tables identity reads are built here too: in the pipeline dbt builds them first.
    Returns the loaded warehouse, the same warehouse as the day after (daily_warehouse) and the truth."""
    from c360_generator import generate
    from identity.person_models import build_person_models
    from ingestion.pipelines import run_ingestion

    base = workdir / f"people_{people}_seed_{seed}"
    warehouse, truth, landing = base / "full.duckdb", base / "truth.csv", base / "landing"
    if not warehouse.exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        started = time.perf_counter()
        generate(landing, truth, n_people=people, seed=seed)
        log.info("generated %d people in %.0fs", people, time.perf_counter() - started)
        started = time.perf_counter()
        run_ingestion(_settings(base / "loading.duckdb", landing))
        (base / "loading.duckdb").rename(warehouse)
        log.info("ingested in %.0fs", time.perf_counter() - started)
    build_person_models(_settings(warehouse, landing))
    return warehouse, daily_warehouse(warehouse), truth


def daily_warehouse(full: Path) -> Path:
    """`full` after one pipeline day (built once, untimed): resolved, and the golden record's phone
    numbers built, as a daily identity run finds them."""
    from c360.dbt_runner import invoke
    from identity.resolve import run_identity

    daily = full.with_name("daily.duckdb")
    if not daily.exists():
        building = full.with_name("daily_building.duckdb")
        shutil.copy(full, building)
        run_identity(_settings(building, building.parent))
        result = invoke(building, ["run", "--select", "+int_phone_numbers"])
        if not result.success:
            raise RuntimeError(f"dbt could not build int_phone_numbers: {result.exception}")
        building.rename(daily)
    return daily


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
# plain Splink's side: c360's normalised records, and the clusters Splink writes from them
SPLINK_RECORDS, SPLINK_CLUSTERS = "records", "plain_splink_clusters"


def timed_child(engine: str, warehouse: Path) -> dict:
    """Run one engine in a child process: its in-process seconds and CPU seconds, wall time and peak RSS."""
    return run_measured([__file__, "--resolve-only", engine, str(warehouse)])


def _plain_splink(warehouse: Path) -> dict:
    """What Splink 5 alone does with c360's model: predict and cluster at the same threshold."""
    from splink import DuckDBAPI, Linker

    from identity.config import load_identity_config
    from identity.model import model_settings

    config = load_identity_config()
    with duckdb.connect(str(warehouse)) as con:
        linker = Linker(DuckDBAPI(con).register(SPLINK_RECORDS), model_settings(config.model_path, "duckdb"))
        predictions = linker.inference.predict(threshold_match_probability=config.match_threshold)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, config.match_threshold)
        con.execute(f"CREATE TABLE {SPLINK_CLUSTERS} AS SELECT unique_id, cluster_id FROM {clusters.physical_name}")
        records, customers = con.execute(
            f"SELECT count(*), count(DISTINCT cluster_id) FROM {SPLINK_CLUSTERS}"
        ).fetchone()
    return {"records": records, "customers": customers}


def _plain_duckdb(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(BASELINE_SQL)
        records, clusters = con.execute(f"SELECT count(*), count(DISTINCT cluster_id) FROM {BASELINE_TABLE}").fetchone()
    return {"records": records, "customers": clusters}


def _c360(warehouse: Path) -> dict:
    """The identity stage as the pipeline runs it: dbt's step before it has built the person-record
    tables (here `prepare`, untimed), so it builds only missing ones."""
    from identity.person_models import ensure_person_models
    from identity.resolve import run_identity

    return run_identity(_settings(warehouse, warehouse.parent), person_models=ensure_person_models)


def _resolve_only(engine: str, warehouse: Path) -> None:
    """Child-process entry: resolve with one engine, printed as JSON counts, seconds and CPU seconds.

    Each engine's modules are imported before the clock starts (the child's wall time has them):
    c360's import dbt, which its pipeline has loaded anyway."""
    if engine == "c360":
        import identity.resolve  # noqa: F401
    elif engine == "splink":
        import splink.clustering  # noqa: F401
        from splink import DuckDBAPI, Linker  # noqa: F401
    started, cpu = time.perf_counter(), time.process_time()
    result = {"c360": _c360, "splink": _plain_splink, "duckdb": _plain_duckdb}[engine](warehouse)
    result = {**result, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}
    print(json.dumps(result, default=str))


def _timed_copy(engine: str, source: Path, warehouse: Path) -> dict:
    shutil.copy(source, warehouse)
    run = timed_child(engine, warehouse)
    # in-process seconds, as bench_ingestion: interpreter start and imports are not resolution
    run["records_per_second"] = round(run["records"] / run["seconds"])
    return run


def _copy_records(c360_warehouse: Path, splink_warehouse: Path) -> None:
    """Plain Splink's input: the records c360 normalised, in a warehouse of their own."""
    splink_warehouse.unlink(missing_ok=True)
    with duckdb.connect(str(splink_warehouse)) as con:
        con.execute(f"ATTACH '{c360_warehouse}' AS c360 (READ_ONLY)")
        con.execute(f"CREATE TABLE {SPLINK_RECORDS} AS SELECT * FROM c360.identity.records")


def _records_clustered_differently(c360_warehouse: Path, splink_warehouse: Path) -> int:
    """Records whose cluster differs between the two sides, each cluster named by its smallest member."""
    with duckdb.connect(str(c360_warehouse), read_only=True) as con:
        con.execute(f"ATTACH '{splink_warehouse}' AS plain (READ_ONLY)")
        return con.execute(f"""
            WITH c360 AS (
                SELECT unique_id, min(unique_id) OVER (PARTITION BY cluster_id) AS cluster FROM identity.clusters
            ), splink AS (
                SELECT unique_id, min(unique_id) OVER (PARTITION BY cluster_id) AS cluster
                FROM plain.{SPLINK_CLUSTERS}
            )
            SELECT count(*) FROM c360 FULL JOIN splink USING (unique_id)
            WHERE c360.cluster IS DISTINCT FROM splink.cluster
        """).fetchone()[0]


def _union_find_against_splink_sql(c360_warehouse: Path) -> int:
    """Records c360's union-find clusters differently from Splink's SQL clustering of the same edges
    (cluster ids compared as they are: both name a cluster by its smallest member)."""
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    from identity.model import SPLINK_SCHEMA, register_table, splink_session

    with duckdb.connect(str(c360_warehouse)) as con, splink_session(con) as db_api:
        clusters = cluster_pairwise_predictions_at_threshold(
            nodes=register_table(db_api, "identity.records", "cluster_nodes"),
            edges=register_table(db_api, "identity.edges", "cluster_edges"),
            db_api=db_api,
            node_id_column_name="unique_id",
        )
        return con.execute(f"""
            SELECT count(*) FROM identity.clusters c360
            FULL JOIN {SPLINK_SCHEMA}.{clusters.physical_name} splink USING (unique_id)
            WHERE c360.cluster_id IS DISTINCT FROM splink.cluster_id
        """).fetchone()[0]


def _ratios(c360: dict, splink: dict) -> dict:
    return {key: round(c360[key] / splink[key], 3) for key in ("seconds", "wall", "cpu", "peak_mb")}


def compare_with_splink(full: Path, daily: Path, workdir: Path, rounds: int) -> tuple[list[dict], Path]:
    """Interleaved rounds of c360 (first resolution, then a daily run) and plain Splink; returns the
    rounds and the last first-resolution c360 warehouse."""
    c360_warehouse, splink_warehouse = workdir / "bench_c360.duckdb", workdir / "bench_splink.duckdb"
    c360_daily = workdir / "bench_c360_daily.duckdb"
    splink_records = workdir / "bench_splink_records.duckdb"
    results = []
    for number in range(rounds):
        load = os.getloadavg()[0]
        runs: dict[str, dict] = {}
        for engine in ("c360", "c360_daily", "splink") if number % 2 == 0 else ("splink", "c360_daily", "c360"):
            if engine == "c360":
                runs[engine] = _timed_copy("c360", full, c360_warehouse)
                if not splink_records.exists():
                    _copy_records(c360_warehouse, splink_records)
            elif engine == "c360_daily":
                runs[engine] = _timed_copy("c360", daily, c360_daily)
            else:
                runs[engine] = _timed_copy("splink", splink_records, splink_warehouse)
        result = {
            "round": number + 1,
            "load_average_1min": load,
            **runs,
            "ratio_c360_to_splink": _ratios(runs["c360"], runs["splink"]),
            "ratio_c360_daily_to_splink": _ratios(runs["c360_daily"], runs["splink"]),
            "records_clustered_differently": _records_clustered_differently(c360_warehouse, splink_warehouse),
        }
        if number == 0:
            result["union_find_vs_splink_sql_clustering"] = _union_find_against_splink_sql(c360_warehouse)
        log.info("round %d: %s", number + 1, json.dumps(result, default=str))
        results.append(result)
    splink_warehouse.unlink()
    splink_records.unlink()
    c360_daily.unlink()
    return results, c360_warehouse


def score(c360_warehouse: Path, full: Path, workdir: Path, truth: Path) -> tuple[dict, dict]:
    """Quality of c360's last run, and the plain DuckDB email dedupe run and scored, both against truth."""
    from identity.breakdown import pair_breakdown
    from identity.config import load_identity_config
    from identity.evaluate import evaluate, evaluate_assignments

    with duckdb.connect(str(c360_warehouse), read_only=True) as con:
        # the breakdown explains what c360 missed; the baseline only sets a bar
        c360 = {**evaluate(con, truth, load_identity_config().model_path), "breakdown": pair_breakdown(con, truth)}
    c360_warehouse.unlink()
    warehouse = workdir / "bench_duckdb.duckdb"
    run = _timed_copy("duckdb", full, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        plain = evaluate_assignments(con, f"SELECT * FROM {BASELINE_TABLE}", truth)
    warehouse.unlink()
    return c360, {"run": run, "quality": plain}


def _side(run: dict) -> str:
    return (
        f"{run['seconds']:.1f}s in-process (child wall {run['wall']:.1f}s), CPU {run['cpu']:.1f}s,"
        f" peak {run['peak_mb'] / 1024:.2f} GB"
    )


def _ratio_text(ratio: dict) -> str:
    return (
        f"{ratio['seconds']:.2f}x in-process, {ratio['wall']:.2f}x child wall,"
        f" {ratio['cpu']:.2f}x CPU, {ratio['peak_mb']:.2f}x peak memory"
    )


def _summary(rounds: list[dict], c360_quality: dict, plain: dict) -> str:
    lines = []
    for result in rounds:
        ratio = result["ratio_c360_to_splink"]
        lines += [
            f"round {result['round']} (load average {result['load_average_1min']:.2f}),"
            f" {result['c360']['records']:,} records:",
            f"  c360 run_identity: {_side(result['c360'])} -> {result['c360']['customers']:,} customers",
            f"  c360 run_identity, daily run (resolved yesterday, phone numbers known):"
            f" {_side(result['c360_daily'])} -> {result['c360_daily']['customers']:,} customers",
            f"  plain Splink 5, same model and records, predict + cluster: {_side(result['splink'])}"
            f" -> {result['splink']['customers']:,} clusters",
            f"  ratio c360/plain Splink: {_ratio_text(ratio)}",
            f"  ratio c360 daily run/plain Splink: {_ratio_text(result['ratio_c360_daily_to_splink'])}",
            f"  records clustered differently (c360's deterministic edges and first-name guard):"
            f" {result['records_clustered_differently']:,}",
        ]
        if "union_find_vs_splink_sql_clustering" in result:
            lines.append(
                "  c360's union-find vs Splink's SQL clustering of the same edges:"
                f" {result['union_find_vs_splink_sql_clustering']:,} records differ"
            )
    c360_run, plain_run = rounds[-1]["c360"], plain["run"]
    lines += [
        f"c360 pairwise F1 {c360_quality['pairwise_f1']:.4f}, on linkable pairs"
        f" {c360_quality.get('linkable_f1', 0):.4f}; {c360_run['records_per_second']:,} records/s",
        f"plain DuckDB email dedupe: {_side(plain_run)}, pairwise F1 {plain['quality']['pairwise_f1']:.4f},"
        f" on linkable pairs {plain['quality'].get('linkable_f1', 0):.4f}; {plain_run['records_per_second']:,} records/s",
        f"throughput ratio c360/plain DuckDB: {c360_run['records_per_second'] / plain_run['records_per_second']:.1%}",
    ]
    return "\n".join(lines)


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
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of c360 and plain Splink")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/c360_bench_identity"))
    parser.add_argument("--skip-churn", action="store_true")
    parser.add_argument("--resolve-only", nargs=2, metavar=("ENGINE", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("splink").setLevel(logging.ERROR)
    if args.resolve_only:
        _resolve_only(args.resolve_only[0], Path(args.resolve_only[1]))
        return

    full, daily, truth = prepare(args.workdir, args.people, args.seed)
    rounds, c360_warehouse = compare_with_splink(full, daily, args.workdir, args.rounds)
    c360_quality, plain = score(c360_warehouse, full, args.workdir, truth)
    report = {"people": args.people, "rounds": rounds, "c360_quality": c360_quality, "plain_duckdb": plain}
    if not args.skip_churn:
        report["churn"] = measure_churn(full, args.workdir)
    print(json.dumps(report, indent=2, default=str))
    print(_summary(rounds, c360_quality, plain))


if __name__ == "__main__":
    main()
