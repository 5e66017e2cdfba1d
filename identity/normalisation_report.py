"""How many values of each field could not be normalised (and are NULL in identity.records), per source.

A phone that is no phone or a date in no known format must not vanish in silence: both the
pipeline and `c360 resolve` count them per source and field, from the staged raw values and the
records built from them.
"""

from __future__ import annotations

import duckdb

REPORT_COLUMNS = ("file", "field", "values", "normalised", "not_normalised", "note")
PIPELINE_FIELDS = ("first_name", "last_name", "email", "phone", "street", "city", "postcode", "dob")


def normalisation_report(
    con: duckdb.DuckDBPyConnection,
    staged: str,
    records: str,
    fields: list[tuple[str, str, str]],
    notes: dict[tuple[str, str], str] | None = None,
) -> list[dict]:
    """One row per (source, field): `fields` are (name, raw column of `staged` s, column of `records` r).

    One join of staged rows to records counts every field at once."""
    counts = ", ".join(
        f"count(nullif(trim(CAST(s.{raw} AS STRING)), '')), count(r.{normalised})" for _, raw, normalised in fields
    )
    per_source = (
        con.execute(f"""
        SELECT s.source, {counts}
        FROM {staged} s JOIN {records} r ON r.unique_id = s.source || ':' || s.source_record_id
        GROUP BY s.source ORDER BY s.source""").fetchall()
        if fields
        else []
    )
    rows = []
    for number, (field, _, _) in enumerate(fields):
        for source, *values in per_source:
            given, kept = values[2 * number], values[2 * number + 1]
            note = (notes or {}).get((source, field), "")
            rows.append(dict(zip(REPORT_COLUMNS, (source, field, given, kept, given - kept, note))))
    return rows


def failures(report: list[dict]) -> dict[str, int]:
    """{'source.field': count} for the fields with values that could not be normalised."""
    return {f"{row['file']}.{row['field']}": row["not_normalised"] for row in report if row["not_normalised"]}
