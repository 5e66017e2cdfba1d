"""Normalisation installed into a DuckDB connection, so 1M-row inputs stay in SQL.

Phones go through `phonenumbers` (E.164), nicknames come from the `nicknames` dataset,
phonetic codes from `jellyfish` (Soundex), dates from identity.dates,
accents are stripped with DuckDB's own `strip_accents`; only trivially stable rules
(case, whitespace, plus-addressing, postcode spacing) are written here.
"""

from __future__ import annotations

import functools
import re

import duckdb
import jellyfish
import phonenumbers
import pyarrow as pa
from nicknames import NickNamer

from identity.dates import DATE_MACROS, DAY_FIRST

NAME_VARIANTS_TABLE = "c360_name_variants"
PHONE_LOOKUP = "c360_phone_lookup"  # identity's own: raw phone -> E.164

_SQL_MACROS = """
CREATE OR REPLACE TEMP MACRO c360_email(x) AS (
    CASE WHEN position('@' IN lower(trim(CAST(x AS VARCHAR)))) > 1 THEN
        regexp_replace(split_part(lower(trim(CAST(x AS VARCHAR))), '@', 1), '\\+.*$', '')
        || '@' || split_part(lower(trim(CAST(x AS VARCHAR))), '@', 2)
    END
);
CREATE OR REPLACE TEMP MACRO c360_name(x) AS (
    nullif(trim(regexp_replace(
        regexp_replace(lower(strip_accents(CAST(x AS VARCHAR))), '[^a-z\\s''-]', '', 'g'),
        '\\s+', ' ', 'g')), '')
);
CREATE OR REPLACE TEMP MACRO c360_text(x) AS (
    nullif(trim(regexp_replace(lower(strip_accents(CAST(x AS VARCHAR))), '\\s+', ' ', 'g')), '')
);
CREATE OR REPLACE TEMP MACRO c360_postcode(x) AS (
    nullif(regexp_replace(upper(CAST(x AS VARCHAR)), '[^A-Z0-9]', '', 'g'), '')
);
"""
# Sources of the pipeline hand over typed dates or ISO text; `c360 resolve` reads each column's
# format first (identity.dates.read_dates) and stages ISO text, so this reading only breaks ties.
_DOB_MACRO = f"CREATE OR REPLACE TEMP MACRO c360_dob(x) AS (c360_date(x, '{DAY_FIRST}'));"


_INTERNATIONAL_PREFIX = re.compile(r"^\s*00\s*")


def _e164_converter(default_region: str):
    """A leading `00` (the ITU international call prefix, as in `001 971 746 8448`) is read as `+`:
    phonenumbers does so only when the default region itself dials 00 abroad, and no national number
    starts with 00, so the rewrite is safe in every region."""

    def to_e164(raw: str | None) -> str | None:
        if raw is None or not raw.strip():
            return None
        try:
            number = phonenumbers.parse(_INTERNATIONAL_PREFIX.sub("+", raw), default_region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    return to_e164


def _name_variant_rows() -> list[tuple[str, str]]:
    """(name, canonical) pairs: a name and each of its nicknames share a canonical form."""
    namer = NickNamer()
    rows: set[tuple[str, str]] = set()
    for canonical, nicks in namer.nickname_lookup.items():
        rows.add((canonical, canonical))
        for nick in nicks:
            rows.add((nick, canonical))
    return sorted(rows)


@functools.lru_cache(maxsize=1)
def _name_variants_arrow() -> pa.Table:
    rows = _name_variant_rows()
    return pa.table({"name": [r[0] for r in rows], "canonical": [r[1] for r in rows]})


def install_normalisers(con: duckdb.DuckDBPyConnection) -> None:
    """Create the c360_* macros and the name-variant lookup on this connection."""
    con.execute(_SQL_MACROS + DATE_MACROS + _DOB_MACRO)
    variants = _name_variants_arrow()  # noqa: F841 - read by the SQL below
    con.execute(f"CREATE OR REPLACE TEMP TABLE {NAME_VARIANTS_TABLE} AS SELECT * FROM variants")


def build_phone_lookup(
    con: duckdb.DuckDBPyConnection,
    raw_phones_sql: str,
    table: str,
    default_region: str,
    known_sql: str | None = None,
) -> int:
    """Map each distinct raw phone to E.164 in `table(raw, e164)`; returns how many were parsed
    (the caller reports it: identity and the golden record's dbt model both build a lookup).

    `known_sql` selects numbers already normalised under the same default region, `(raw, e164)`
    (known_numbers_sql): those are taken as they are, so a daily run parses only new numbers.
    DuckDB Python UDFs need numpy, which the stack does not ship, so only the distinct raw
    strings left make one Arrow round trip through `phonenumbers`.
    """
    known = known_sql or "SELECT CAST(NULL AS VARCHAR) AS raw, CAST(NULL AS VARCHAR) AS e164 WHERE false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE c360_known_phone_numbers AS SELECT DISTINCT raw, e164 FROM ({known}) k")
    raw = (
        con.sql(f"""
            SELECT DISTINCT CAST(p AS VARCHAR) AS raw FROM ({raw_phones_sql}) t(p)
            WHERE p IS NOT NULL AND CAST(p AS VARCHAR) NOT IN (
                SELECT raw FROM c360_known_phone_numbers WHERE raw IS NOT NULL
            )""")
        .to_arrow_table()
        .column("raw")
        .to_pylist()
    )
    to_e164 = _e164_converter(default_region)
    lookup = pa.table(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        {
            "raw": pa.array(raw, pa.string()),
            "e164": pa.array([to_e164(r) for r in raw], pa.string()),
        }
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM lookup UNION ALL SELECT * FROM c360_known_phone_numbers"
    )
    return len(raw)


def known_numbers_sql(relation: str, default_region: str) -> str:
    """The numbers a build of the golden record's phone table (`int_phone_numbers`: phone_as_entered,
    phone_e164, default_region) normalised under `default_region`, as `known_sql` for
    build_phone_lookup. Its rows are keyed by source record, so erasing a person erases them too."""
    region = default_region.replace("'", "''")
    return f"SELECT phone_as_entered AS raw, phone_e164 AS e164 FROM {relation} WHERE default_region = '{region}'"


def build_phonetic_lookup(con: duckdb.DuckDBPyConnection, names_sql: str, table: str) -> None:
    """Map each distinct normalised name to its Soundex code in `table(name, phonetic)`, so blocking
    finds Meyer/Maier and Smith/Smyth; the same Arrow round trip as phones."""
    names = (
        con.sql(f"SELECT DISTINCT n FROM ({names_sql}) t(n) WHERE n IS NOT NULL").to_arrow_table().column(0).to_pylist()
    )
    lookup = pa.table(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        {
            "name": pa.array(names, pa.string()),
            "phonetic": pa.array([jellyfish.soundex(n) or None for n in names], pa.string()),
        }
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM lookup")
