"""What dbt's Python models need to run on either engine.

On DuckDB a Python model gets the build's own connection and DuckDB relations; on Spark (dbt-spark,
c360.dbt_spark) a SparkSession and Spark DataFrames. The models' work (phone normalisation,
enrichment lookups) is DuckDB SQL over Python data, so on Spark their inputs are pulled as Arrow
into an in-memory DuckDB and the result goes back as a Spark DataFrame: the same code gives the
same rows on both engines.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa


def runs_on_spark(session: Any) -> bool:
    return hasattr(session, "sparkContext")


def local_inputs(dbt: Any, names: list[str]) -> tuple[duckdb.DuckDBPyConnection, dict[str, duckdb.DuckDBPyRelation]]:
    """An in-memory DuckDB holding the named dbt models (Spark DataFrames pulled as Arrow)."""
    local = duckdb.connect()
    local.execute("set TimeZone = 'UTC'")
    return local, {name: local.from_arrow(dbt.ref(name).toArrow()) for name in names}


def to_spark(session: Any, table: pa.Table) -> Any:
    """A model's Arrow result as the DataFrame dbt-spark writes."""
    return session.createDataFrame(table)
