"""A sync on Spark reads Spark's marts and sends what the same sync sends on DuckDB."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from activation.sync import sync_destination
from c360.engine import connect, state_store_path
from c360.settings import Settings
from tests.spark_tables import copy_to_spark, tables_in

DESTINATION = "pricing_visitors_csv"  # config/destinations.yml: a CSV file of the pricing-page segment


@pytest.mark.spark
def test_a_csv_sync_on_spark_writes_the_file_the_duckdb_sync_wrote(
    sample_run: Settings, spark_settings: Settings, tmp_path: Path
) -> None:
    state_store_path(spark_settings).unlink(missing_ok=True)  # another Spark test's syncs are not this one's
    with connect(spark_settings) as spark:
        copied = copy_to_spark(sample_run.warehouse, spark, tables_in(sample_run.warehouse, "marts"))
    assert copied["marts.dim_customers"] > 0
    on_spark = dataclasses.replace(spark_settings, exports=tmp_path / "exports")
    report = sync_destination(on_spark, DESTINATION)
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        [(members, added)] = con.execute(
            "SELECT members, added FROM activation.sync_runs WHERE destination = ? ORDER BY started_at LIMIT 1",
            [DESTINATION],
        ).fetchall()
    assert (report.status, report.members, report.added) == ("success", members, added)
    assert members > 0
    sent = (on_spark.exports / "pricing_visitors_not_customers.csv").read_text()
    assert sent == (sample_run.exports / "pricing_visitors_not_customers.csv").read_text()
    assert sync_destination(on_spark, DESTINATION).unchanged == members  # the state kept beside Spark
