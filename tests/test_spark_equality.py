"""The proof that the engine is a setting: the bundled sample through the whole pipeline on Spark
(ingestion, identity, dbt, activation, snapshot) gives the tables the DuckDB run gives."""

from __future__ import annotations

import duckdb
import pytest

from c360.engine import connect
from c360.runner import run_pipeline_with_summary
from c360.settings import Settings
from tests.spark_tables import reset_spark_warehouse, rows_differing

COMPARED_SCHEMAS = ("identity", "intermediate", "marts")
# Columns left out of the row-for-row comparison, each for a reason that is not a wrong answer:
# - when the run happened (the two runs are minutes apart);
RUN_TIMES = ("started_at", "recorded_at", "synced_at", "first_sent_at", "last_sent_at")
# - change fingerprints hash a row's text, which each engine writes its own way; each engine only
#   compares them with its own earlier ones (docs/engines.md);
# - Splink's scores: the engines' Jaro-Winkler implementations differ slightly, so a few pairs land
#   one similarity level apart (the pairs themselves, and every cluster, are compared exactly).
ENGINE_LOCAL = {
    "intermediate.int_customer_fingerprints": ("fingerprint",),
    "intermediate.int_customer_build_state": ("fingerprint",),
    "identity.edges": ("match_probability",),
    "identity.scored_pairs": ("match_weight", "match_probability"),
}


def _tables(sample_run: Settings) -> list[str]:
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        return [
            f"{schema}.{table}"
            for schema, table in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema IN ? ORDER BY 1, 2",
                [list(COMPARED_SCHEMAS)],
            ).fetchall()
        ]


@pytest.mark.spark
def test_the_sample_on_spark_gives_every_table_the_duckdb_run_gives(
    sample_run: Settings, spark_settings: Settings
) -> None:
    reset_spark_warehouse(spark_settings)  # other Spark tests of this process left tables behind
    result, summary = run_pipeline_with_summary(spark_settings)
    assert result.success, "the pipeline on Spark failed"
    tables = _tables(sample_run)
    assert len(tables) > 40
    with connect(spark_settings) as spark:
        differing = {
            table: rows_differing(sample_run.warehouse, spark, table, (*RUN_TIMES, *ENGINE_LOCAL.get(table, ())))
            for table in tables
        }
    assert {table: rows for table, rows in differing.items() if rows} == {}
    assert summary.identity["customers"] > 0
    export = "pricing_visitors_not_customers.csv"  # config/destinations.yml's file destination
    assert (spark_settings.exports / export).read_text() == (sample_run.exports / export).read_text()
