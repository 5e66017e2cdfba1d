"""Normalisation for a warehouse on Spark: the same DuckDB normalisers, run over Arrow batches.

On DuckDB identity normalises inside the warehouse (identity.normalise installs macros and Arrow
lookups). Spark has neither DuckDB's macros nor `strip_accents`, and rewriting them in Spark SQL
would keep two versions of each rule. Instead each Spark task hands its rows to an in-memory DuckDB
as Arrow (`mapInArrow`), which runs identity.records' own SQL: vectorised, in parallel over the
cluster, and the same answer by construction. DuckDB is a dependency of c360 wherever it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import duckdb
import pyarrow as pa

from identity.normalise import PHONE_LOOKUP, build_phone_lookup, install_normalisers
from identity.warehouse import create_table

logger = logging.getLogger(__name__)

_BATCH = "c360_staged_batch"
RECORDS_SCHEMA = pa.schema(
    [
        *((name, pa.string()) for name in ("unique_id", "source", "source_record_id", "first_name", "last_name")),
        *((name, pa.string()) for name in ("email", "phone", "street", "city", "postcode")),
        ("dob", pa.date32()),
        ("first_name_variants", pa.list_(pa.string())),
    ]
)
EMAILS_SCHEMA = pa.schema([("unique_id", pa.string()), ("email", pa.string())])


def _in_duckdb(sql: str, schema: pa.Schema, phone_region: str | None) -> Callable[[Iterator[pa.RecordBatch]], Iterator]:
    """A mapInArrow function: `sql` over each batch (as table `c360_staged_batch`) in DuckDB, with
    the batch's phone lookup when `phone_region` is given."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        with duckdb.connect() as con:
            install_normalisers(con)
            for batch in batches:
                con.register(_BATCH, pa.Table.from_batches([batch]))
                if phone_region:
                    build_phone_lookup(con, f"SELECT phone FROM {_BATCH}", PHONE_LOOKUP, phone_region)
                yield from con.execute(sql).to_arrow_table().cast(schema).to_batches()

    return run


def normalise_on_spark(con, staging_table: str, target: str, phone_region: str) -> str:
    """Write `target` (identity.records) from the staged rows; returns a relation of the additional
    (unique_id, email) pairs the staged rows list, for identity.records' email table."""
    from identity.records import additional_emails_sql, records_sql

    session = con.session
    phones = session.sql(f"SELECT count(DISTINCT phone) FROM {staging_table} WHERE phone IS NOT NULL").first()[0]
    logger.info("identity records: normalising %d distinct phone numbers", phones)
    staged = session.table(staging_table)
    spark_schema = session.createDataFrame(RECORDS_SCHEMA.empty_table()).schema
    normalised = staged.mapInArrow(_in_duckdb(records_sql(_BATCH), RECORDS_SCHEMA, phone_region), spark_schema)
    normalised.createOrReplaceTempView("c360_normalised_records")
    create_table(con, target, "SELECT * FROM c360_normalised_records ORDER BY unique_id")
    emails_schema = session.createDataFrame(EMAILS_SCHEMA.empty_table()).schema
    emails = staged.mapInArrow(_in_duckdb(additional_emails_sql(_BATCH), EMAILS_SCHEMA, None), emails_schema)
    emails.localCheckpoint().createOrReplaceTempView("c360_additional_emails")
    return "SELECT unique_id, email FROM c360_additional_emails"
