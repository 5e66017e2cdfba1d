"""The dbt project builds on Apache Spark and gives the tables it gives on DuckDB.

The bundled sample's DuckDB run (fixture `sample_run`) provides the dbt sources: every table the
project declares as a source is copied into the Spark catalog (DuckDB -> Arrow -> Spark Parquet
table), `dbt build` runs on Spark through c360.dbt_runner (target chosen by C360_ENGINE=spark), and
every relation dbt built is compared with the DuckDB run's by EXCEPT ALL both ways (both sides as
Arrow, compared in an in-memory DuckDB). A second build on the same input, incremental this time,
must pass and change nothing. docs/engines.md lists what differs between the engines and how each
difference is handled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pytest

from c360.dbt_runner import invoke, work_dir
from c360.engine import connect, spark_session
from c360.settings import Settings
from tests.spark_tables import copy_to_spark

pytestmark = pytest.mark.spark

# Columns left out of the comparison, each with its reason:
EXCLUDED_COLUMNS = {
    # the time of the build itself (current_timestamp), which two runs never share
    "marts.segment_history": ["recorded_at"],
    # md5 of a row's text: DuckDB's struct text on DuckDB, JSON on Spark (no struct-to-text cast
    # for a whole row there); compared only with the same engine's earlier fingerprints
    # (int_changed_customers), so equal content never needs equal hashes across engines
    "intermediate.int_customer_fingerprints": ["fingerprint"],
    "intermediate.int_customer_build_state": ["fingerprint"],
}
# What one build rebuilt (everyone on a first build, nobody on a rebuild of the same input): the
# DuckDB run made one build, so only the first Spark build is comparable.
REBUILD_LOG = "intermediate.int_changed_customers"
# Doubles are compared to this many decimals: a sum of doubles (attribution's time-decay weights)
# depends on the order of addition, which neither engine fixes.
DOUBLE_DIGITS = 9
# Schemas dbt builds into (models' `+schema`): emptied first, so the first Spark build is a first build.
DBT_SCHEMAS = ("staging", "intermediate", "marts")


@dataclass(frozen=True)
class TableComparison:
    relation: str
    duckdb_rows: int
    spark_rows: int
    only_duckdb: int  # rows of the DuckDB table the Spark table lacks (EXCEPT ALL)
    only_spark: int
    missing: bool = False  # dbt built no such relation on Spark

    @property
    def equal(self) -> bool:
        return not self.missing and self.only_duckdb == self.only_spark == 0 and self.duckdb_rows == self.spark_rows

    def __str__(self) -> str:
        verdict = "equal" if self.equal else f"DIFFERENT (-{self.only_duckdb} +{self.only_spark})"
        verdict = "MISSING on Spark" if self.missing else verdict
        return f"{self.relation:<45} {self.duckdb_rows:>7} rows duckdb {self.spark_rows:>7} rows spark  {verdict}"


@contextmanager
def engine(name: str) -> Iterator[None]:
    previous = os.environ.get("C360_ENGINE")
    os.environ["C360_ENGINE"] = name
    try:
        yield
    finally:
        if previous is None:
            del os.environ["C360_ENGINE"]
        else:
            os.environ["C360_ENGINE"] = previous


@pytest.fixture(scope="module")
def duckdb_run(request: pytest.FixtureRequest) -> Settings:
    """The DuckDB sample run, made on DuckDB even when a Spark test of this process came first."""
    with engine("duckdb"):
        return request.getfixturevalue("sample_run")


def _manifest_nodes(settings: Settings) -> dict:
    """The DuckDB run's parsed project (c360.dbt_runner's parse: sources and models, with schemas)."""
    return json.loads((work_dir(settings.warehouse) / "manifest" / "manifest.json").read_text())


def dbt_sources(settings: Settings) -> list[str]:
    """`schema.table` of every source the project declares (raw_* and identity's tables)."""
    sources = _manifest_nodes(settings)["sources"].values()
    return sorted({f"{source['schema']}.{source['identifier']}" for source in sources})


def dbt_relations(settings: Settings) -> list[str]:
    """`schema.table` of every table and view the project builds."""
    nodes = _manifest_nodes(settings)["nodes"].values()
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in nodes
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    )


def copy_sources_to_spark(duckdb_settings: Settings, spark_settings: Settings) -> dict[str, int]:
    """The DuckDB run's dbt sources as Spark Parquet tables of the same names; rows per table."""
    with duckdb.connect(str(duckdb_settings.warehouse), read_only=True) as con:
        present = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
    # an optional source never loaded (stg_support__tickets builds without it) is not copied
    loaded = [relation for relation in dbt_sources(duckdb_settings) if relation in present]
    with connect(spark_settings) as spark:
        return copy_to_spark(duckdb_settings.warehouse, spark, loaded)


def _naive_utc(table: pa.Table) -> pa.Table:
    """Spark's timestamps come out of Arrow as UTC instants, DuckDB's as naive UTC: the same values."""
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            column = column.cast(pa.timestamp(column.type.unit))
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def compare_relations(
    duckdb_settings: Settings, spark_settings: Settings, skip: tuple[str, ...] = ()
) -> list[TableComparison]:
    """Every dbt-built relation of both engines (but `skip`), compared row for row by EXCEPT ALL both ways."""
    spark = spark_session(spark_settings)
    compared = []
    with duckdb.connect(str(duckdb_settings.warehouse), read_only=True) as con, duckdb.connect() as memory:
        for relation in dbt_relations(duckdb_settings):
            if relation in skip:
                continue
            schema, table = relation.split(".")
            excluded = EXCLUDED_COLUMNS.get(relation, [])
            on_duckdb = con.sql(f'select * from "{schema}"."{table}"').to_arrow_table().drop_columns(excluded)
            if not spark.catalog.tableExists(relation):
                compared.append(TableComparison(relation, on_duckdb.num_rows, 0, on_duckdb.num_rows, 0, missing=True))
                continue
            on_spark = _naive_utc(spark.table(relation).toArrow()).drop_columns(excluded)
            memory.register("on_duckdb", on_duckdb)
            memory.register("on_spark", on_spark)
            columns = ", ".join(
                f'round("{field.name}", {DOUBLE_DIGITS})' if pa.types.is_floating(field.type) else f'"{field.name}"'
                for field in on_duckdb.schema
            )
            only_duckdb, only_spark = memory.execute(f"""
                select
                    (select count(*) from (select {columns} from on_duckdb except all select {columns} from on_spark)),
                    (select count(*) from (select {columns} from on_spark except all select {columns} from on_duckdb))
            """).fetchall()[0]
            compared.append(TableComparison(relation, on_duckdb.num_rows, on_spark.num_rows, only_duckdb, only_spark))
    return compared


def build_on_spark(spark_settings: Settings, *args: str) -> None:
    result = invoke(spark_settings.warehouse, ["build", *args])
    failures = [f"{r.node.name}: {r.message}" for r in result.result or [] if r.status in ("error", "fail")]
    assert result.success, f"dbt build on Spark failed: {failures or result.exception}"


def test_dbt_builds_the_same_tables_on_spark_as_on_duckdb_and_again_incrementally(
    duckdb_run: Settings, spark_settings: Settings
) -> None:
    with engine("spark"):
        spark = spark_session(spark_settings)
        for schema in DBT_SCHEMAS:
            spark.sql(f"drop database if exists {schema} cascade")
        copied = copy_sources_to_spark(duckdb_run, spark_settings)
        assert copied["identity.customer_map"] > 0 and copied["raw_web.events"] > 0

        for build, skip in (("first build", ()), ("incremental build", (REBUILD_LOG,))):
            build_on_spark(spark_settings)
            compared = compare_relations(duckdb_run, spark_settings, skip)
            print(f"\n{build}: {len(compared)} relations\n" + "\n".join(map(str, compared)))
            assert len(compared) == len(dbt_relations(duckdb_run)) - len(skip)
            assert [str(c) for c in compared if not c.equal] == [], f"{build}: tables differ between the engines"
