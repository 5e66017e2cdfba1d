"""Identity resolution on Spark gives the sample's customers as on DuckDB: the same records, the
same clusters (pairwise agreement reported), the same persistent ids where a customer's records agree.

The person-record dbt models identity reads are copied from the DuckDB sample run into the Spark
catalog, so this tests identity alone (dbt-spark builds them in the whole run on Spark).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from itertools import combinations

import duckdb
import pytest

from c360.engine import connect
from c360.settings import Settings
from identity.persistent_ids import CUSTOMER_MAP, HISTORY, REGISTRY, RUNS
from identity.person_models import STAGING_SCHEMA
from identity.records import RECORDS
from identity.resolve import run_identity
from identity.warehouse import create_table
from registry import identity_models

pytestmark = pytest.mark.spark
logger = logging.getLogger(__name__)


def _customers(rows: list[tuple[str, str, str]]) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for source, record_id, customer_id in rows:
        members[customer_id].add(f"{source}:{record_id}")
    return {customer: frozenset(records) for customer, records in members.items()}


def _pairs(customers: dict[str, frozenset[str]]) -> set[tuple[str, str]]:
    return {pair for records in customers.values() for pair in combinations(sorted(records), 2)}


def _records(rows: list[tuple]) -> set[tuple]:
    """identity.records rows, the nickname variants as a sorted tuple (a set in meaning)."""
    return {(*row[:-1], tuple(sorted(row[-1])) if row[-1] is not None else None) for row in rows}


@pytest.fixture(scope="module")
def resolved_on_both(sample_run: Settings, spark_settings: Settings) -> tuple[dict, dict, dict]:
    """(DuckDB, Spark) customer maps and records, and the Spark stage's summary, from a fresh Spark
    catalog holding the DuckDB run's identity inputs."""
    record_columns = "unique_id, source, source_record_id, first_name, last_name, email, phone, street, city, "
    record_columns += "postcode, dob, first_name_variants"
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as duck:
        inputs = {
            model: duck.sql(f"SELECT * FROM {STAGING_SCHEMA}.{model}").to_arrow_table() for model in identity_models()
        }
        duckdb_map = duck.execute(f"SELECT * FROM {CUSTOMER_MAP}").fetchall()
        duckdb_records = duck.execute(f"SELECT {record_columns} FROM {RECORDS}").fetchall()
    with connect(spark_settings) as spark:
        spark.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGING_SCHEMA}")
        for model, table in inputs.items():
            spark.register("c360_copied_model", table)
            create_table(spark, f"{STAGING_SCHEMA}.{model}", "SELECT * FROM c360_copied_model")
        for table in (CUSTOMER_MAP, HISTORY, REGISTRY, RUNS):  # a first run, as the DuckDB sample's was
            spark.execute(f"DROP TABLE IF EXISTS {table}")
    started = time.perf_counter()
    summary = run_identity(spark_settings, person_models=lambda warehouse: None)
    summary["wall_seconds"] = round(time.perf_counter() - started, 1)
    with connect(spark_settings) as spark:
        spark_map = spark.execute(f"SELECT * FROM {CUSTOMER_MAP}").fetchall()
        spark_records = spark.execute(f"SELECT {record_columns} FROM {RECORDS}").fetchall()
    return (
        {"map": duckdb_map, "records": duckdb_records},
        {"map": spark_map, "records": spark_records},
        summary,
    )


def test_spark_normalises_every_record_as_duckdb_does(resolved_on_both) -> None:
    on_duckdb, on_spark, _ = resolved_on_both
    assert len(on_spark["records"]) == len(on_duckdb["records"]) == 8544
    assert _records(on_spark["records"]) == _records(on_duckdb["records"])


def test_spark_clusters_the_sample_as_duckdb_does_pair_for_pair(resolved_on_both) -> None:
    on_duckdb, on_spark, summary = resolved_on_both
    duckdb_pairs, spark_pairs = _pairs(_customers(on_duckdb["map"])), _pairs(_customers(on_spark["map"]))
    agreement = len(duckdb_pairs & spark_pairs) / len(duckdb_pairs | spark_pairs)
    logger.warning(
        "identity on Spark vs DuckDB: %d vs %d same-customer pairs, %d in both, agreement %.6f; "
        "%d vs %d customers; Spark stage %.1f s",
        len(spark_pairs),
        len(duckdb_pairs),
        len(duckdb_pairs & spark_pairs),
        agreement,
        len(_customers(on_spark["map"])),
        len(_customers(on_duckdb["map"])),
        summary["wall_seconds"],
    )
    assert agreement == 1.0, sorted(duckdb_pairs ^ spark_pairs)[:10]
    assert len(_customers(on_spark["map"])) == len(_customers(on_duckdb["map"])) == summary["customers"] == 4323


def test_identical_customers_get_identical_persistent_ids_on_both_engines(resolved_on_both) -> None:
    on_duckdb, on_spark, _ = resolved_on_both
    by_records = {records: customer for customer, records in _customers(on_duckdb["map"]).items()}
    spark_customers = _customers(on_spark["map"])
    shared = {records: customer for customer, records in spark_customers.items() if records in by_records}
    assert len(shared) == len(spark_customers)
    assert all(by_records[records] == customer for records, customer in shared.items())
