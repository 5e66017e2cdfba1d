"""One setting chooses the warehouse engine; stages see DuckDB's connection surface on either."""

from __future__ import annotations

import pyarrow as pa
import pytest

from c360.engine import connect, load_engine_config
from c360.errors import UserError
from c360.settings import Settings


def test_duckdb_is_the_default_engine_and_c360_engine_overrides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("C360_ENGINE", raising=False)
    assert load_engine_config().name == "duckdb"
    assert load_engine_config().dbt_target == "duckdb"
    monkeypatch.setenv("C360_ENGINE", "spark")
    config = load_engine_config()
    assert (config.name, config.spark_master) == ("spark", "local[2]")
    assert config.spark_conf["spark.ui.enabled"] == "false"


def test_an_unknown_engine_is_one_line_naming_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C360_ENGINE", "snowflake")
    with pytest.raises(UserError, match=r"unknown engine 'snowflake' in C360_ENGINE: choose one of duckdb, spark"):
        load_engine_config()


@pytest.mark.spark
def test_spark_tables_answer_parameterised_sql_as_duckdb_does(spark_settings: Settings) -> None:
    """The same statements, with `?` parameters and Arrow in and out, on a persistent Spark table."""
    people = pa.table({"id": [1, 2, 3], "city": ["Lyon", "Oslo", None]})
    with connect(spark_settings) as con:
        con.execute("CREATE DATABASE IF NOT EXISTS engine_test")
        con.register("people_in", people)
        con.execute("DROP TABLE IF EXISTS engine_test.people")
        con.execute("CREATE TABLE engine_test.people USING parquet AS SELECT * FROM people_in")
        assert con.execute("SELECT count(*), max(city) FROM engine_test.people WHERE id >= ?", [2]).fetchall() == [
            (2, "Oslo")
        ]
        assert con.execute("SELECT id FROM engine_test.people WHERE city IS NULL").fetchone() == (3,)
        assert con.execute("SELECT * FROM engine_test.people ORDER BY id").arrow().to_pylist() == people.to_pylist()
