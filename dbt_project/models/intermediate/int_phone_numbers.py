"""Every distinct phone number a source record asserts, as typed and in E.164.

The golden record shows phones in E.164 with the same `phonenumbers` normaliser and default
region (config/identity.yml) identity resolution matches on, so the two never disagree about
what a number is. One thing is added before it: a leading `00` (the ITU international call
prefix, as in `001 971 746 8448`) is read as `+`, which phonenumbers does only when the default
region itself dials 00 abroad; no national number starts with 00, so the rewrite is safe in every
region. Incremental: only numbers not seen before make the Arrow round trip.
"""
from identity.config import load_identity_config
from identity.normalise import build_phone_lookup


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="phone_as_entered", incremental_strategy="append")
    phones = dbt.ref("int_source_records").filter("phone is not null").project("phone").distinct()
    if dbt.is_incremental:
        phones = phones.except_(session.query(f"select phone_as_entered from {dbt.this}"))
    phones = phones.project(r"phone, regexp_replace(phone, '^\s*00\s*', '+') as dialable")
    # dbt-duckdb wraps the session's execute(), which hides the normaliser's Arrow tables from
    # DuckDB's replacement scans: the lookup runs on a plain cursor of the same database
    plain = session.cursor()
    plain.register("c360_phones_to_normalise", phones.to_arrow_table())
    build_phone_lookup(plain, "select dialable from c360_phones_to_normalise", "c360_phone_lookup",
                       load_identity_config().phone_default_region)
    return plain.sql("""
        select phones.phone as phone_as_entered, lookup.e164 as phone_e164
        from c360_phones_to_normalise as phones
        left join c360_phone_lookup as lookup on lookup.raw = phones.dialable
    """).to_arrow_table()
