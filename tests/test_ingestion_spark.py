"""Ingestion on Apache Spark lands the same raw tables, quarantine and load report as on DuckDB.

The bundled sample is ingested in process with engine spark (dlt's filesystem destination writes
Parquet, ingestion.lake merges keys and registers `raw_*` tables in the Spark catalog) and compared
with the DuckDB sample run, table by table, with EXCEPT ALL both ways.
"""

from __future__ import annotations

import duckdb
import pytest

from c360.engine import connect, existing_tables
from c360.settings import Settings
from ingestion.file_loop import REPORT_COUNTS
from ingestion.pipelines import run_ingestion
from tests.spark_tables import reset_spark_warehouse, rows_differing

pytestmark = pytest.mark.spark

# Set by dlt per load, so two loads never agree on them: the load id (a timestamp) and dlt's random
# row id, both on load-report rows only. Everything else must be equal.
LOAD_COLUMNS = ("_dlt_load_id", "_dlt_id")


def raw_tables(tables: set[str]) -> set[str]:
    """The raw tables c360 reads: not dlt's own bookkeeping nor DuckDB's merge staging schemas."""
    return {
        name
        for name in tables
        if name.startswith("raw_") and not name.split(".")[0].endswith("_staging") and "._dlt_" not in name
    }


@pytest.fixture(scope="module")
def spark_ingestion(request: pytest.FixtureRequest) -> tuple[Settings, dict]:
    """The sample ingested on Spark into a fresh lake. Other tests of the process may have used the
    catalog: start clean."""
    settings: Settings = request.getfixturevalue("spark_settings")
    reset_spark_warehouse(settings)  # other Spark tests of this process share the catalog
    return settings, run_ingestion(settings)


def test_every_raw_table_on_spark_equals_duckdbs(spark_ingestion, sample_run: Settings) -> None:
    """Each Spark table comes over as Arrow (one scan, no shuffle) and is compared in DuckDB."""
    settings, _ = spark_ingestion
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as duck:
        tables = raw_tables(existing_tables(duck))
        expected = {
            table: {name for (name,) in duck.execute(f"select column_name from (describe {table})").fetchall()}
            for table in tables
        }
    with connect(settings) as spark:
        assert raw_tables(existing_tables(spark)) == tables
        rows = 0
        for table in sorted(tables):
            landed = spark.session.table(table)
            assert set(landed.columns) == expected[table], table
            assert rows_differing(sample_run.warehouse, spark, table, LOAD_COLUMNS) == 0, table
            rows += landed.count()
    assert "raw_crm.contacts" in tables and "raw_web.quarantine" in tables
    assert rows == 31_820  # the sample's raw rows, load reports included


def test_the_load_report_accounts_for_every_file_as_on_duckdb(spark_ingestion, sample_run: Settings) -> None:
    _, summary = spark_ingestion
    keys = ("source_file", "entity", *REPORT_COUNTS, "status")
    on_spark = sorted(tuple(f[key] for key in keys) for source in summary.values() for f in source["files"])
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as duck:
        reports = [table for table in raw_tables(existing_tables(duck)) if table.endswith(".load_report")]
        on_duckdb = sorted(
            row for table in reports for row in duck.execute(f"select {', '.join(keys)} from {table}").fetchall()
        )
    assert on_spark == on_duckdb
    assert len(on_spark) == 36  # 4 CRM, 30 web, 2 email files
    for _, _, read, loaded, quarantined, suppressed, failed, already_read, _, _ in on_spark:
        assert read == loaded + quarantined + suppressed + failed + already_read


def test_a_rerun_on_spark_loads_nothing_new(spark_ingestion) -> None:
    settings, _ = spark_ingestion
    with connect(settings) as spark:
        before = {table: spark.session.table(table).count() for table in raw_tables(existing_tables(spark))}
    again = run_ingestion(settings)
    assert {name: (source["files"], source["rows_read"]) for name, source in again.items()} == {
        name: ([], 0) for name in again
    }
    with connect(settings) as spark:
        assert {table: spark.session.table(table).count() for table in before} == before
