"""The phone number each source record asserts, as typed and in E.164.

The golden record shows phones in E.164 with the same `phonenumbers` normaliser and default
region (config/identity.yml) identity resolution matches on, so the two never disagree about
what a number is (a leading `00` included). Rows are keyed by source record, so erasing a person's
records erases their numbers.

A table rebuilt every run (an incremental Python model would leave dbt-duckdb's working copy
behind, phones included), yet only numbers the previous build did not read under the same
default region make the Arrow round trip through phonenumbers.
"""

from c360.dbt_python_models import local_inputs, runs_on_spark, to_spark
from identity.config import load_identity_config
from identity.normalise import build_phone_lookup, known_numbers_sql


def model(dbt, session):
    dbt.config(materialized="table")
    region = load_identity_config().phone_default_region
    if runs_on_spark(session):
        # dbt-spark drops the previous build before a Python model runs: every number is looked up,
        # in an in-memory DuckDB over the records as Arrow
        local, inputs = local_inputs(dbt, ["int_source_records"])
        records = inputs["int_source_records"].filter("phone is not null").project("source, source_record_id, phone")
        return to_spark(session, _numbers(local, records, None, region))
    records = dbt.ref("int_source_records").filter("phone is not null").project("source, source_record_id, phone")
    previous_build = session.query(
        "select count(*) from information_schema.tables "
        f"where table_catalog = '{dbt.this.database}' and table_schema = '{dbt.this.schema}' "
        f"and table_name = '{dbt.this.identifier}'"
    ).fetchall()[0][0]
    known = session.query(known_numbers_sql(str(dbt.this), region)) if previous_build else None
    # dbt-duckdb wraps the session's execute(), which hides the normaliser's Arrow tables from
    # DuckDB's replacement scans: the lookup runs on a plain cursor of the same database
    return _numbers(session.cursor(), records, known, region)


def _numbers(plain, records, known, region):
    """Each record's phone as entered and in E.164, looking up only numbers `known` lacks."""
    plain.register("c360_phone_records", records.to_arrow_table())
    if known is not None:
        plain.register("c360_known_phones", known.to_arrow_table())
    build_phone_lookup(
        plain,
        "select phone from c360_phone_records",
        "c360_phone_lookup",
        region,
        "select raw, e164 from c360_known_phones" if known is not None else None,
    )
    return plain.sql(
        """
        select records.source, records.source_record_id, records.phone as phone_as_entered,
            lookup.e164 as phone_e164, ? as default_region
        from c360_phone_records as records
        inner join c360_phone_lookup as lookup on lookup.raw = records.phone
    """,
        params=[region],
    ).to_arrow_table()
