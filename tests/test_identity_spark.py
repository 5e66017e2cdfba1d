"""Identity resolution on Spark gives the sample's customers as on DuckDB: the same records, the
same clusters (pairwise agreement), the same persistent ids where a customer's records agree.

The person-record dbt models identity reads are copied from the DuckDB sample run into the Spark
catalog, so this tests identity alone (dbt-spark builds them in the whole run on Spark).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from c360.engine import connect
from c360.settings import SAMPLE_TRUTH, Settings
from identity.cli_commands import identity_evaluate
from identity.config import load_identity_config
from identity.engine_comparison import agreement, copy_identity_inputs
from identity.evaluate import evaluate
from identity.explain import explain, explain_command
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


def _duckdb_copy(sample_run: Settings, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A copy of the DuckDB sample warehouse (Splink's scoring writes scratch tables into it)."""
    shutil.copy(sample_run.warehouse, tmp_path / "duck.duckdb")
    return duckdb.connect(str(tmp_path / "duck.duckdb"))


def test_identity_evaluate_on_spark_reports_the_metrics_duckdb_reports(
    resolved_on_both, sample_run: Settings, spark_settings: Settings, tmp_path: Path
) -> None:
    """Splink's charts read DuckDB relations: on Spark they run in DuckDB over identity's Parquet files."""
    model = load_identity_config().model_path
    with _duckdb_copy(sample_run, tmp_path) as duck:
        on_duckdb = evaluate(duck, SAMPLE_TRUTH, model)
    on_spark = identity_evaluate(spark_settings, SAMPLE_TRUTH, tmp_path / "reports")
    charts = on_spark.pop("charts")
    assert on_spark == on_duckdb and on_spark["pairwise_recall"] > 0.9
    assert sorted(Path(chart).name for chart in charts)[:2] == [
        "identity_cluster_studio.html",
        "identity_m_u_parameters.html",
    ]


def test_identity_explain_on_spark_explains_a_customer_as_duckdb_does(
    resolved_on_both, sample_run: Settings, spark_settings: Settings, tmp_path: Path, capsys
) -> None:
    """The same customer (persistent ids agree) gets the same explanation line for line, Splink's
    waterfall included: the customer of the least certain Splink edge, which both engines scored alike."""
    config = load_identity_config()
    with _duckdb_copy(sample_run, tmp_path) as duck:
        (customer_id,) = duck.execute(
            "SELECT m.customer_id FROM identity.edges e JOIN identity.customer_map m "
            "ON m.source || ':' || m.source_record_id = e.unique_id_l WHERE e.kind = 'splink' "
            "ORDER BY e.match_probability, 1 LIMIT 1"
        ).fetchone()
        on_duckdb = explain(duck, config, tmp_path / "reports", customer_id=customer_id).lines
    status = explain_command(
        spark_settings, config, customer_id=customer_id, record=None, pair=None, reports_dir=tmp_path / "reports"
    )
    assert status == 0
    on_spark = capsys.readouterr().out.splitlines()
    assert any("match weight" in line for line in on_duckdb)
    assert on_spark == on_duckdb
