"""Mapped all-text records to typed raw-table rows in one DuckDB pass; rows that fail go to quarantine."""
from __future__ import annotations

import csv
import io
import re

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.emails import normalize_emails
from ingestion.entities import Entity, Field
from ingestion.outcomes import FileResult
from ingestion.records import LINE, RawRecords, Reject

LINEAGE = ("_source_file", "_source_line", "_file_hash")


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def type_records(
    con: duckdb.DuckDBPyConnection,
    records: RawRecords,
    entity: Entity,
    columns: dict[str, str],
    source_file: str,
    file_hash: str,
) -> FileResult:
    """Apply the mapping and types; extra export columns are kept as text and reported as new."""
    headers = records.headers
    missing = [
        f"'{columns[f.name]}' ({f.name})"
        for f in entity.fields
        if f.required and columns.get(f.name) not in headers
    ]
    if missing:
        reason = f"missing required column(s) {', '.join(missing)}"
        return FileResult(
            data=None,
            rejects=_rejects_for(con, records, None, reason) + records.rejects,
            error=f"{source_file}: {reason}; fix the export or the column mapping",
        )

    mapped = set(columns.values())
    extras = [h for h in headers if h not in mapped]
    taken = {f.name for f in entity.fields} | set(LINEAGE) | {entity.primary_key, LINE}
    selects, flags, reasons = [], [], []
    for f in entity.fields:
        header = columns.get(f.name) if columns.get(f.name) in headers else None
        selects.append(f"{_typed(f, header)} AS {ident(f.name)}")
        if header is not None and f.kind not in ("text", "email", "id"):
            flags.append(f"__given_{f.name}")
            selects.append(f"NULLIF(trim({ident(header)}), '') IS NOT NULL AS {flags[-1]}")
        reasons.extend(_checks(f, header))
    selects.extend(f"{ident(h)} AS {ident(_extra_name(h, taken))}" for h in extras)
    reason_sql = f"concat_ws('; ', {', '.join(reasons)})" if reasons else "''"

    # typing is an inner projection so each cast runs once, then checks read the typed columns
    con.register("raw_records", records.table)
    checked = con.sql(
        f"SELECT *, {reason_sql} AS _reason FROM (SELECT {LINE}, {', '.join(selects)} FROM raw_records)"
    ).to_arrow_table()
    ok = pc.equal(checked.column("_reason"), "")
    refused_rows = checked.filter(pc.invert(ok)).select([LINE, "_reason"])
    refused = dict(zip(refused_rows.column(LINE).to_pylist(), refused_rows.column("_reason").to_pylist()))
    good = checked.filter(ok) if refused else checked
    lines = good.column(LINE)
    good = good.drop_columns([LINE, "_reason", *flags])
    for name, values in (("_source_file", source_file), ("_source_line", None), ("_file_hash", file_hash)):
        good = good.append_column(name, lines if values is None else pa.repeat(values, good.num_rows))
    rejects = sorted(
        _rejects_for(con, records, refused, "") + records.rejects, key=lambda r: r.line_number
    )
    con.unregister("raw_records")
    return FileResult(data=_derive(con, good, entity), rejects=rejects, new_columns=extras)


def _typed(f: Field, header: str | None) -> str:
    """SQL for the typed value of `f` read from `header` (NULL when the export lacks the column)."""
    sql_type = {
        "timestamp": "TIMESTAMPTZ", "date": "DATE", "number": "DOUBLE", "integer": "BIGINT", "boolean": "BOOLEAN"
    }.get(f.kind, "VARCHAR")
    if header is None:
        return f"CAST(NULL AS {sql_type})"
    text = f"NULLIF(trim({ident(header)}), '')"
    if f.case:
        return f"{f.case}({text})"
    return {
        "text": f"NULLIF({ident(header)}, '')",
        "email": f"NULLIF({ident(header)}, '')",
        "id": text,
        "timestamp": f"TRY_CAST({text} AS TIMESTAMPTZ)",
        "date": f"TRY_CAST({text} AS DATE)",
        "number": f"TRY_CAST({text} AS DOUBLE)",
        "integer": f"TRY_CAST(TRY_CAST({text} AS DOUBLE) AS BIGINT)",
        "boolean": f"CASE WHEN lower({text}) IN ('true','t','1','yes','y') THEN true"
        f" WHEN lower({text}) IN ('false','f','0','no','n') THEN false END",
    }[f.kind]


def _checks(f: Field, header: str | None) -> list[str]:
    """SQL reasons (NULL when fine) to refuse a row, over the typed column and its `__given_` flag."""
    column = ident(f.name)
    checks: list[str] = []
    if header is not None:
        label = f"column '{header}' ({f.name})"
        if f.kind not in ("text", "email", "id"):
            checks.append(
                f"CASE WHEN __given_{f.name} AND {column} IS NULL THEN {literal(f'invalid {f.kind} in ' + label)} END"
            )
        if f.choices:
            allowed = ", ".join(literal(c) for c in f.choices)
            checks.append(f"CASE WHEN {column} NOT IN ({allowed}) THEN {literal('unknown value in ' + label)} END")
    if f.required:
        checks.append(
            f"CASE WHEN {column} IS NULL THEN {literal(f'missing required value in column {header!r} ({f.name})')} END"
        )
    return checks


def _extra_name(header: str, taken: set[str]) -> str:
    """Keep the export's header unless dlt's snake_case of it would collide with a c360 column."""
    snake = re.sub(r"[^0-9a-z]+", "_", header.lower()).strip("_")
    return f"export_{snake}" if snake in taken else header


def _derive(con: duckdb.DuckDBPyConnection, good: pa.Table, entity: Entity) -> pa.Table:
    """Add normalised email columns and, for exports without ids, the business-key hash id."""
    for f in entity.fields:
        if f.kind == "email":
            position = good.column_names.index(f.name) + 1
            good = good.add_column(position, f"{f.name}_normalized", normalize_emails(good.column(f.name)))
    if entity.key_of:
        parts = ", ".join(f"coalesce(CAST({ident(name)} AS VARCHAR), '')" for name in entity.key_of)
        con.register("keyed", good)
        good = con.sql(f"SELECT md5(concat_ws('|', {parts})) AS {ident(entity.primary_key)}, * FROM keyed").to_arrow_table()
        con.unregister("keyed")
    return good


def _rejects_for(
    con: duckdb.DuckDBPyConnection, records: RawRecords, refused: dict[int, str] | None, reason: str
) -> list[Reject]:
    """Quarantine rows with their fields re-joined as CSV (the parsed record, not the original bytes)."""
    if refused is not None and not refused:
        return []
    table = records.table
    if refused is not None:
        con.register("refused_lines", pa.table({LINE: pa.array(list(refused), pa.int64())}))
        table = con.sql(f"SELECT r.* FROM raw_records r SEMI JOIN refused_lines USING ({LINE})").to_arrow_table()
        con.unregister("refused_lines")
    headers = [h for h in table.column_names if h != LINE]
    rejects = []
    for row in table.to_pylist():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow([row[h] if row[h] is not None else "" for h in headers])
        line = row[LINE]
        rejects.append(Reject(line, buffer.getvalue(), refused[line] if refused is not None else reason))
    return rejects
