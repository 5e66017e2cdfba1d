"""Identity resolution on Spark gives the sample's customers as on DuckDB: the same records, the
same clusters (pairwise agreement), the same persistent ids where a customer's records agree.

The person-record dbt models identity reads are copied from the DuckDB sample run into the Spark
catalog, so this tests identity alone (dbt-spark builds them in the whole run on Spark).
"""

from __future__ import annotations

import duckdb
import pytest

from c360.engine import connect
from c360.settings import Settings
from identity.engine_comparison import agreement, copy_identity_inputs
from identity.persistent_ids import CUSTOMER_MAP, HISTORY, REGISTRY, RUNS
from identity.records import RECORDS
from identity.resolve import run_identity

pytestmark = pytest.mark.spark

RECORD_COLUMNS = (
    "unique_id, source, source_record_id, first_name, last_name, email, phone, street, city, postcode, dob, "
    "first_name_variants"
)


def _records(rows: list[tuple]) -> set[tuple]:
    """identity.records rows, the nickname variants as a sorted tuple (a set in meaning)."""
    return {(*row[:-1], tuple(sorted(row[-1])) if row[-1] is not None else None) for row in rows}


@pytest.fixture(scope="module")
def resolved_on_both(sample_run: Settings, spark_settings: Settings) -> tuple[dict, dict, dict]:
    """DuckDB's and Spark's customer maps and records, and the Spark stage's summary: a first run on
    Spark, as the DuckDB sample's was, over the DuckDB run's identity inputs."""
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as duck:
        on_duckdb = {
            "map": duck.execute(f"SELECT * FROM {CUSTOMER_MAP}").fetchall(),
            "records": duck.execute(f"SELECT {RECORD_COLUMNS} FROM {RECORDS}").fetchall(),
        }
    with connect(spark_settings) as spark:
        copy_identity_inputs(sample_run.warehouse, spark)
        for table in (CUSTOMER_MAP, HISTORY, REGISTRY, RUNS):
            spark.execute(f"DROP TABLE IF EXISTS {table}")
    # the copied models stand in for dbt's build: nothing to make before identity reads them
    summary = run_identity(spark_settings, person_models=lambda settings: None)
    with connect(spark_settings) as spark:
        on_spark = {
            "map": spark.execute(f"SELECT * FROM {CUSTOMER_MAP}").fetchall(),
            "records": spark.execute(f"SELECT {RECORD_COLUMNS} FROM {RECORDS}").fetchall(),
        }
    return on_duckdb, on_spark, summary


def test_spark_normalises_every_record_as_duckdb_does(resolved_on_both) -> None:
    on_duckdb, on_spark, _ = resolved_on_both
    assert len(on_spark["records"]) == len(on_duckdb["records"]) == 8544
    assert _records(on_spark["records"]) == _records(on_duckdb["records"])


def test_spark_clusters_the_sample_as_duckdb_does_pair_for_pair(resolved_on_both) -> None:
    on_duckdb, on_spark, summary = resolved_on_both
    compared = agreement(on_duckdb["map"], on_spark["map"])
    print(f"identity on DuckDB vs Spark: { ({k: v for k, v in compared.items() if k != 'differing_pairs'}) }")
    assert compared["pairs"] == (8862, 8862)
    assert compared["pairwise_agreement"] == 1.0, compared["differing_pairs"][:10]
    assert compared["customers"] == (4323, 4323)
    assert summary["customers"] == 4323 and summary["edges"]["splink"] == 2705


def test_identical_customers_get_identical_persistent_ids_on_both_engines(resolved_on_both) -> None:
    on_duckdb, on_spark, _ = resolved_on_both
    compared = agreement(on_duckdb["map"], on_spark["map"])
    assert compared["same_customers"] == compared["same_customers_same_id"] == 4323
