"""The phone number each source record asserts, as typed and in E.164.

The golden record shows phones in E.164 with the same `phonenumbers` normaliser and default
region (config/identity.yml) identity resolution matches on, so the two never disagree about
what a number is (a leading `00` included). Rows are keyed by source record, so erasing a person's
records erases their numbers.

A table rebuilt every run (an incremental Python model would leave dbt-duckdb's working copy
behind, phones included), yet only numbers the previous build did not read under the same
default region make the Arrow round trip through phonenumbers.
"""

from identity.config import load_identity_config
from identity.normalise import build_phone_lookup


def model(dbt, session):
    dbt.config(materialized="table")
    region = load_identity_config().phone_default_region
    records = dbt.ref("int_source_records").filter("phone is not null").project("source, source_record_id, phone")
    previous_build = session.query(
        "select count(*) from information_schema.tables "
        f"where table_catalog = '{dbt.this.database}' and table_schema = '{dbt.this.schema}' "
        f"and table_name = '{dbt.this.identifier}'"
    ).fetchall()[0][0]
    if previous_build:
        known = session.query(
            f"select distinct phone_as_entered, phone_e164 from {dbt.this} where default_region = '{region}'"
        )
    else:
        known = session.query("select null::varchar as phone_as_entered, null::varchar as phone_e164 where false")
    # dbt-duckdb wraps the session's execute(), which hides the normaliser's Arrow tables from
    # DuckDB's replacement scans: the lookup runs on a plain cursor of the same database
    plain = session.cursor()
    plain.register("c360_phone_records", records.to_arrow_table())
    plain.register("c360_known_phones", known.to_arrow_table())
    plain.execute(r"""
        create or replace temp table c360_phones_to_normalise as
        select distinct phone
        from c360_phone_records
        where phone not in (select phone_as_entered from c360_known_phones)
    """)
    build_phone_lookup(plain, "select phone from c360_phones_to_normalise", "c360_phone_lookup", region)
    return plain.execute(
        """
        with numbers as (
            select phones.phone, lookup.e164
            from c360_phones_to_normalise as phones
            left join c360_phone_lookup as lookup on lookup.raw = phones.phone
            union all
            select phone_as_entered, phone_e164 from c360_known_phones
        )
        select records.source, records.source_record_id, records.phone as phone_as_entered,
            numbers.e164 as phone_e164, ? as default_region
        from c360_phone_records as records
        inner join numbers on numbers.phone = records.phone
    """,
        [region],
    ).to_arrow_table()
