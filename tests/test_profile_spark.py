"""On Spark the profile page still reads a DuckDB snapshot: the tables it needs, copied from the
Parquet files Spark wrote, with the values the DuckDB warehouse holds."""

from __future__ import annotations

import duckdb
import pytest

from c360.engine import connect
from c360.settings import Settings
from profiles.snapshot import SNAPSHOT_READS, publish_snapshot, snapshot_path
from tests.spark_tables import copy_to_spark, tables_in


@pytest.mark.spark
def test_the_profile_snapshot_on_spark_holds_the_tables_and_rows_of_the_duckdb_warehouse(
    sample_run: Settings, spark_settings: Settings
) -> None:
    tables = [table for schema in SNAPSHOT_READS for table in tables_in(sample_run.warehouse, schema)]
    with connect(spark_settings) as spark:
        copy_to_spark(sample_run.warehouse, spark, tables)
    published = publish_snapshot(spark_settings.warehouse)
    assert published == snapshot_path(spark_settings.warehouse)
    with duckdb.connect(str(published), read_only=True) as con:
        con.execute(f"ATTACH '{sample_run.warehouse}' AS duck (READ_ONLY)")
        for table in tables:
            differing = con.execute(
                f"SELECT count(*) FROM ((SELECT * FROM {table} EXCEPT ALL SELECT * FROM duck.{table}) "
                f"UNION ALL (SELECT * FROM duck.{table} EXCEPT ALL SELECT * FROM {table}))"
            ).fetchone()[0]
            assert differing == 0, f"{table}: {differing} rows differ between the Spark snapshot and DuckDB"
        assert (
            con.execute("SELECT count(*) FROM marts.dim_customers").fetchone()[0]
            == con.execute("SELECT count(*) FROM duck.marts.dim_customers").fetchone()[0]
        )
