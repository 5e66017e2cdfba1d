"""Erasure and data-subject access on Spark give DuckDB's answers for the same warehouse content.

A copy of the DuckDB sample run keeps the raw, identity and marts tables holding two people's rows;
Spark gets the same tables (raw ones in the lake as dlt writes them, activation's state in the
operational store beside the catalog). Both people are forgotten on each engine, the second erasure
on Spark killed after one table's rewrite and finished by the next `forget`. Then the reports, the
access document, every table, the suppressions and the audit are compared with DuckDB's.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from c360.engine import SparkConnection, connect, state_store_path
from c360.settings import Settings
from ingestion.lake import lake_dir, register
from ingestion.pipelines import make_pipeline
from privacy import spark_rewrite
from privacy.access import export_person
from privacy.forget import ErasureReport, forget
from privacy.locate import person_tables
from privacy.person import find_person
from privacy.spark_rewrite import has_pending_rewrites, privacy_store
from privacy.suppressions import current_suppressions, read_suppressions
from privacy.tables import REWRITE_KEYS, REWRITES
from tests.spark_tables import copy_to_spark, reset_spark_warehouse, rows_differing
from tests.test_privacy import copy_warehouse, pick_subject


class KilledMidErasure(RuntimeError):
    """Stands for the process dying between two table rewrites."""


def _keep_only_tables_holding(con: duckdb.DuckDBPyConnection, emails: list[str]) -> list[str]:
    """Drop every base table outside the operational store's schemas (and dbt's intermediate models:
    the copy into Spark is what takes time) that holds none of these people's rows; the kept ones."""
    found = set()
    for email in emails:
        for table, where in person_tables(con, find_person(con, email, None)).items():
            if con.execute(f"select count(*) from {table} where {where}").fetchone()[0]:
                found.add(table.replace('"', ""))
    kept = []
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = current_database() and schema_name not in ('activation', 'privacy') order by all"
    ).fetchall():
        if f"{schema}.{table}" in found and schema != "intermediate":
            kept.append(f"{schema}.{table}")
        else:
            con.execute(f'drop table "{schema}"."{table}"')
    return kept


def _copy_to_lake(warehouse: Path, spark: SparkConnection, settings: Settings, tables: list[str]) -> None:
    """Raw tables as a Spark run holds them: external tables over the lake's folders, written by
    pyarrow as dlt writes them (time zones kept), each in two load files named as dlt names them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name in tables:
            data = con.sql(f"SELECT * FROM {name}").to_arrow_table()
            folder = lake_dir(settings) / Path(*name.split("."))
            folder.mkdir(parents=True)
            half = data.num_rows // 2
            for load, rows in (("1795800000.1", data.slice(0, half)), ("1795800000.2", data.slice(half))):
                pq.write_table(rows, folder / f"{load}.c360test.parquet")
            spark.execute(f"CREATE DATABASE IF NOT EXISTS {name.split('.')[0]}")
            register(spark, name, folder)


def _copy_activation_state(warehouse: Path, store: Path) -> None:
    with duckdb.connect(str(store)) as con:
        con.execute(f"ATTACH '{warehouse}' AS duck (READ_ONLY)")
        con.execute("CREATE SCHEMA activation")
        for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'duck' AND schema_name = 'activation'"
        ).fetchall():
            con.execute(f"CREATE TABLE activation.{table} AS SELECT * FROM duck.activation.{table}")


def _comparable(report: ErasureReport) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(report).items() if k not in ("erasure_id", "forwarded")}


def _document(settings: Settings, email: str, out: Path) -> dict[str, Any]:
    export_person(settings, out, email=email)
    document = json.loads(out.read_text())
    del document["generated_at"]
    return document


def _suppressions(con: Any) -> list[tuple]:
    return con.execute("SELECT identity_hash, kind FROM privacy.suppressions ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def erased(sample_run: Settings, spark_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("privacy_spark")
    on_duckdb = copy_warehouse(sample_run, root / "duckdb")
    on_spark = dataclasses.replace(spark_settings, exports=root / "spark_exports")
    shutil.copytree(sample_run.exports, on_spark.exports)
    with duckdb.connect(str(on_duckdb.warehouse)) as con:
        first = pick_subject(con)
        [(second,)] = con.execute(
            """select email from marts.dim_customers
               where email is not null and crm_contact_records > 0 and web_user_id_records > 0 and customer_id <> ?
               order by customer_id desc limit 1""",
            [first.customer_id],
        ).fetchall()
        before = {email: find_person(con, email, None) for email in (first.email, second)}
        tables = _keep_only_tables_holding(con, [first.email, second])  # the same content on both engines
    reset_spark_warehouse(on_spark)
    with connect(on_spark) as spark:
        raw = [t for t in tables if t.startswith("raw_")]
        _copy_to_lake(on_duckdb.warehouse, spark, on_spark, raw)
        copy_to_spark(on_duckdb.warehouse, spark, [t for t in tables if t not in raw])
    _copy_activation_state(on_duckdb.warehouse, state_store_path(on_spark))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("C360_ENGINE", "duckdb")
        documents = {"duckdb": _document(on_duckdb, first.email, root / "duckdb.json")}
        reports = {"duckdb": forget(on_duckdb, email=first.email), "duckdb second": forget(on_duckdb, email=second)}
    documents["spark"] = _document(on_spark, first.email, root / "spark.json")
    reports["spark"] = forget(on_spark, email=first.email)

    rewrite, calls = spark_rewrite.rewrite_table, []

    def dies_at_the_second_table(*args: Any) -> int:
        calls.append(args[2])
        if len(calls) == 2:
            raise KilledMidErasure("killed")
        return rewrite(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spark_rewrite, "rewrite_table", dies_at_the_second_table)
        with pytest.raises(KilledMidErasure):
            forget(on_spark, email=second)
        assert has_pending_rewrites(on_spark)  # what the next load into the lake looks at first
        with duckdb.connect(str(state_store_path(on_spark)), read_only=True) as con:
            journal = con.execute(
                f"SELECT count(*) FILTER (WHERE rewritten_at IS NOT NULL), count(*) FROM {REWRITES} "
                f"WHERE erasure_id <> ?",
                [reports["spark"].erasure_id],
            ).fetchone()
        reports["spark second, again"] = forget(on_spark, email=second)
    return on_duckdb, on_spark, tables, before, documents, reports, journal, calls


@pytest.mark.spark
def test_export_person_on_spark_writes_the_document_duckdb_writes(erased) -> None:
    _, _, _, _, documents, *_ = erased
    assert documents["spark"]["tables"]["marts.dim_customers"] == 1
    assert documents["spark"] == documents["duckdb"]


@pytest.mark.spark
def test_forget_on_spark_reports_what_duckdb_reports(erased) -> None:
    _, _, tables, _, _, reports, *_ = erased
    spark, duck = _comparable(reports["spark"]), _comparable(reports["duckdb"])
    assert spark == duck
    assert duck["rows_deleted"] > 0 and duck["identities_suppressed"] > 0
    assert {"raw_crm.contacts", "identity.customer_map", "marts.dim_customers", "activation.sync_state"} <= set(
        duck["tables_touched"]
    )


@pytest.mark.spark
def test_a_killed_erasure_is_finished_by_the_next_forget(erased) -> None:
    on_duckdb, on_spark, _, _, _, reports, journal, calls = erased
    done, journaled = journal
    assert (done, journaled > 2) == (1, True)  # killed with the journal committed and one table rewritten
    assert len(calls) == journaled + 1 and calls[0] not in calls[2:]  # the next forget rewrote the rest only
    assert not has_pending_rewrites(on_spark)
    with duckdb.connect(str(state_store_path(on_spark)), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM {REWRITE_KEYS}").fetchone()[0] == 0  # no key kept once done
        audits = con.execute("SELECT tables_touched, rows_deleted FROM privacy.erasure_audit ORDER BY ALL").fetchall()
    with duckdb.connect(str(on_duckdb.warehouse), read_only=True) as con:
        expected = con.execute("SELECT tables_touched, rows_deleted FROM privacy.erasure_audit ORDER BY ALL").fetchall()
    again = reports["spark second, again"]
    assert (again.rows_deleted, again.identities_suppressed) == (0, 0)  # nothing of them was left to find
    assert sorted(a for a in audits if a[1]) == expected


@pytest.mark.spark
def test_after_erasure_spark_holds_what_duckdb_holds_and_no_row_of_either_person(erased) -> None:
    on_duckdb, on_spark, tables, before, *_ = erased
    with connect(on_spark) as spark:
        differing = {table: rows_differing(on_duckdb.warehouse, spark, table) for table in tables}
    assert differing == dict.fromkeys(tables, 0)
    with privacy_store(on_spark) as (con, spark_tables):
        assert spark_tables is not None
        left = {
            table: con.execute(f"select count(*) from {table} where {where}").fetchone()[0]
            for person in before.values()
            for table, where in person_tables(con, person, spark_tables.databases).items()
        }
        spark_suppressions = _suppressions(con)
    assert len(left) >= len(tables) and set(left.values()) == {0}
    with duckdb.connect(str(on_duckdb.warehouse), read_only=True) as con:
        assert spark_suppressions == _suppressions(con)


@pytest.mark.spark
def test_loads_into_the_spark_lake_drop_the_rows_of_the_people_erased_there(erased) -> None:
    on_duckdb, on_spark, *_ = erased
    pipeline = make_pipeline("crm", on_spark)  # lands in the lake: C360_ENGINE is spark here
    pipeline.activate()
    try:
        suppressions = current_suppressions()  # what ingestion.file_loop drops rows by
    finally:
        pipeline.deactivate()
    with duckdb.connect(str(on_duckdb.warehouse), read_only=True) as con:
        assert suppressions == read_suppressions(con)
    assert len(suppressions.hashes) > 2
