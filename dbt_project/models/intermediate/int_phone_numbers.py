"""The phone number each source record asserts, as typed and in E.164.

The golden record shows phones in E.164 with the same `phonenumbers` normaliser and default
region (config/identity.yml) identity resolution matches on, so the two never disagree about
what a number is. One thing is added before it: a leading `00` (the ITU international call
prefix, as in `001 971 746 8448`) is read as `+`, which phonenumbers does only when the default
region itself dials 00 abroad; no national number starts with 00, so the rewrite is safe in every
region. Rows are keyed by source record, so erasing a person's records erases their numbers.
Incremental: only records with a new or changed number are written, and only numbers never seen
before make the Arrow round trip through phonenumbers.
"""
from identity.config import load_identity_config
from identity.normalise import build_phone_lookup


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key=["source", "source_record_id"],
               incremental_strategy="delete+insert")
    records = dbt.ref("int_source_records").filter("phone is not null").project("source, source_record_id, phone")
    known = session.query("select null::varchar as phone_as_entered, null::varchar as phone_e164 where false")
    if dbt.is_incremental:
        stored = session.query(f"select source, source_record_id, phone_as_entered from {dbt.this}")
        records = records.except_(stored)
        known = session.query(f"select distinct phone_as_entered, phone_e164 from {dbt.this}")
    plain = session.cursor()
    # dbt-duckdb wraps the session's execute(), which hides the normaliser's Arrow tables from
    # DuckDB's replacement scans: the lookup runs on a plain cursor of the same database
    plain.register("c360_phone_records", records.to_arrow_table())
    plain.register("c360_known_phones", known.to_arrow_table())
    plain.execute(r"""
        create or replace temp table c360_phones_to_normalise as
        select distinct phone, regexp_replace(phone, '^\s*00\s*', '+') as dialable
        from c360_phone_records
        where phone not in (select phone_as_entered from c360_known_phones)
    """)
    build_phone_lookup(plain, "select dialable from c360_phones_to_normalise", "c360_phone_lookup",
                       load_identity_config().phone_default_region)
    return plain.sql("""
        with numbers as (
            select phones.phone, lookup.e164
            from c360_phones_to_normalise as phones
            left join c360_phone_lookup as lookup on lookup.raw = phones.dialable
            union all
            select phone_as_entered, phone_e164 from c360_known_phones
        )
        select records.source, records.source_record_id, records.phone as phone_as_entered,
            numbers.e164 as phone_e164
        from c360_phone_records as records
        inner join numbers on numbers.phone = records.phone
    """).to_arrow_table()
