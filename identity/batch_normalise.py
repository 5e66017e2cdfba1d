"""Normalisation for a warehouse on Spark: the same DuckDB normalisers, run over Arrow batches.

On DuckDB identity normalises inside the warehouse (identity.normalise installs macros and Arrow
lookups). Spark has neither DuckDB's macros nor `strip_accents`, and rewriting them in Spark SQL
would keep two versions of each rule. Instead a vectorised Arrow UDF hands each batch of a Spark
task's rows to an in-memory DuckDB, which runs identity.records' own SQL: in parallel over the
cluster, and the same answer by construction. DuckDB is a dependency of c360 wherever it runs.
(`mapInArrow` would fit too, but pyspark 4.2 demands pandas for it; Arrow UDFs do not.)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from identity.normalise import PHONE_LOOKUP, build_phone_lookup, install_normalisers
from identity.warehouse import create_table

logger = logging.getLogger(__name__)

_BATCH = "c360_staged_batch"
_ROW = "c360_row"  # a batch row's position: the SQL may reorder rows, a UDF must not
RECORDS_SCHEMA = pa.schema(
    [
        *((name, pa.string()) for name in ("unique_id", "source", "source_record_id", "first_name", "last_name")),
        *((name, pa.string()) for name in ("email", "phone", "street", "city", "postcode")),
        ("dob", pa.date32()),
        ("first_name_variants", pa.list_(pa.string())),
    ]
)
EMAIL_SCHEMA = pa.schema([("email", pa.string())])


@functools.lru_cache(maxsize=1)
def _duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per Spark Python worker, normalisers installed (workers are reused)."""
    con = duckdb.connect()
    install_normalisers(con)
    return con


def _in_duckdb(sql: str, columns: list[str], schema: pa.Schema, phone_region: str | None) -> Callable:
    """An Arrow UDF over `columns` returning a struct of `schema`: `sql` run on each batch (table
    `c360_staged_batch`, with the batch's phone lookup when `phone_region` is given), one output row
    per input row in input order (the SQL carries `c360_row` through)."""
    from pyspark.sql.functions import arrow_udf

    spark_type = ", ".join(f"`{field.name}`: {_spark_type(field.type)}" for field in schema)

    @arrow_udf(f"struct<{spark_type}>")
    def normalise(*arrays: pa.Array) -> pa.Array:
        con = _duckdb()
        con.register(_BATCH, pa.table([*arrays, pa.array(range(len(arrays[0])), pa.int64())], [*columns, _ROW]))
        if phone_region:
            build_phone_lookup(con, f"SELECT phone FROM {_BATCH}", PHONE_LOOKUP, phone_region)
        result = con.sql(sql).to_arrow_table()
        result = result.take(pc.sort_indices(result[_ROW])).select(schema.names).cast(schema)
        return pa.StructArray.from_arrays([column.combine_chunks() for column in result.columns], schema.names)

    return normalise


def _spark_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_list(arrow_type):
        return f"array<{_spark_type(arrow_type.value_type)}>"
    return {pa.string(): "string", pa.date32(): "date"}[arrow_type]


def normalise_on_spark(con, staging_table: str, target: str, phone_region: str) -> str:
    """Write `target` (identity.records) from the staged rows; returns a SELECT of the additional
    (unique_id, email) pairs the staged rows list, for identity.records' email table."""
    from identity.records import records_sql

    session = con.session
    phones = session.sql(f"SELECT count(DISTINCT phone) FROM {staging_table} WHERE phone IS NOT NULL").first()[0]
    logger.info("identity records: normalising %d distinct phone numbers", phones)
    staged = session.table(staging_table)
    records = _in_duckdb(records_sql(_BATCH, f", s.{_ROW} AS {_ROW}"), staged.columns, RECORDS_SCHEMA, phone_region)
    staged.select(records(*staged.columns).alias("r")).select("r.*").createOrReplaceTempView("c360_normalised")
    create_table(con, target, "SELECT * FROM c360_normalised ORDER BY unique_id")
    # Spark's split reads a pattern; `;` means itself, as in DuckDB's string_split
    extras = session.sql(f"""
        SELECT s.source || ':' || s.source_record_id AS unique_id, extra
        FROM {staging_table} s LATERAL VIEW explode(split(s.additional_emails, ';')) e AS extra
        WHERE s.additional_emails IS NOT NULL
    """)
    email = _in_duckdb(f"SELECT c360_email(trim(extra)) AS email, {_ROW} FROM {_BATCH}", ["extra"], EMAIL_SCHEMA, None)
    extras.select("unique_id", email("extra").email.alias("email")).localCheckpoint().createOrReplaceTempView(
        "c360_additional_emails"
    )
    return "SELECT unique_id, email FROM c360_additional_emails"
