"""Mapped all-text records to typed raw-table rows in one DuckDB pass; rows that fail go to quarantine."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ingestion.emails import normalize_emails
from ingestion.entities import Entity, Field
from ingestion.mapping import EntityMapping
from ingestion.outcomes import FileResult
from ingestion.records import LINE, RawRecords, Reject
from ingestion.settings import IngestionConfig

SNAKE_CASE = NamingConvention()  # dlt's own normalisation: column names must stay distinct after it
# an ISO-style time with an offset at the end: such values keep their offset, others take the mapping's zone
OFFSET_AT_END = r"\d:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"

LINEAGE = ("_source_file", "_source_line", "_file_hash")


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


ARROW_TYPES = {
    "text": pa.string(),
    "id": pa.string(),
    "email": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}


def contract_schema(entity: Entity) -> pa.Schema:
    """The columns and types `type_records` produces for `entity` (before extra export columns):
    the raw table is created with them before its first file, so models can always read it."""
    fields = [pa.field(entity.primary_key, pa.string())] if entity.key_of else []
    for f in entity.fields:
        fields.append(pa.field(f.name, ARROW_TYPES[f.kind]))
        if f.kind == "email":
            fields.append(pa.field(f"{f.name}_normalized", pa.string()))
    fields += [
        pa.field("_source_file", pa.string()),
        pa.field("_source_line", pa.int64()),
        pa.field("_file_hash", pa.string()),
    ]
    return pa.schema(fields)


@dataclass(frozen=True)
class Limits:
    """Plausibility limits fixed for one run, so every file of it is judged alike."""

    latest_timestamp: dt.datetime  # now + tolerance
    earliest_birth_date: dt.date
    latest_birth_date: dt.date  # today

    @classmethod
    def of(cls, config: IngestionConfig, now: dt.datetime | None = None) -> Limits:
        now = now or dt.datetime.now(dt.UTC)
        return cls(now + config.future_tolerance, config.earliest_birth_date, now.date())


def type_records(
    con: duckdb.DuckDBPyConnection,
    records: RawRecords,
    entity: Entity,
    mapping: EntityMapping,
    source_file: str,
    file_hash: str,
    limits: Limits,
) -> FileResult:
    """Apply the mapping and types; extra export columns are kept as text and reported as new.

    Extra columns whose names collide after dlt's normalisation (`Lead Status`, `lead_status`)
    or with a c360 column are renamed deterministically (`lead_status_2`, `export_email`) and reported.
    """
    columns = mapping.columns
    headers = records.headers
    missing = [
        f"'{columns[f.name]}' ({f.name})" for f in entity.fields if f.required and columns.get(f.name) not in headers
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
    # SQL reads headers by position: DuckDB identifiers ignore case, and `Lead Status` / `Lead status` are two columns
    alias = {h: f"__c{i}" for i, h in enumerate(headers)}
    selects, flags, reasons = [], [], []
    for f in entity.fields:
        header = columns.get(f.name) if columns.get(f.name) in headers else None
        selects.append(f"{_typed(f, alias.get(header), mapping)} AS {ident(f.name)}")
        if header is not None and f.kind not in ("text", "email", "id"):
            flags.append(f"__given_{f.name}")
            selects.append(f"NULLIF(trim({ident(alias[header])}), '') IS NOT NULL AS {flags[-1]}")
        reasons.extend(_checks(f, header, limits))
    names, renamed = extra_column_names(entity, extras)
    selects.extend(f"{ident(alias[h])} AS {ident(names[h])}" for h in extras)
    reason_sql = f"concat_ws('; ', {', '.join(reasons)})" if reasons else "''"

    # typing is an inner projection so each cast runs once, then checks read the typed columns
    con.register("raw_records", records.table.rename_columns([alias.get(c, c) for c in records.table.column_names]))
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
    rejects = sorted(_rejects_for(con, records, refused, "") + records.rejects, key=lambda r: r.line_number)
    con.unregister("raw_records")
    return FileResult(data=_derive(con, good, entity), rejects=rejects, new_columns=extras, renamed_columns=renamed)


def extra_column_names(entity: Entity, extras: list[str]) -> tuple[dict[str, str], list[str]]:
    """Raw-table names for unmapped headers, distinct after normalisation, and the renames made.

    A name taken by a c360 column gets the `export_` prefix; a name taken by an earlier header
    of the file gets `_2`, `_3`, ... in header order, so the same header row always gives the same names.
    """
    reserved = {f.name for f in entity.fields} | {f"{f.name}_normalized" for f in entity.fields if f.kind == "email"}
    taken = reserved | set(LINEAGE) | {entity.primary_key, LINE}
    names, renamed = {}, []
    for header in extras:
        snake = SNAKE_CASE.normalize_identifier(header)
        base = f"export_{snake}" if snake in reserved | set(LINEAGE) | {entity.primary_key} else snake
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        names[header] = name
        if name != snake:
            renamed.append(f"{header} -> {name}")
    return names, renamed


def _typed(f: Field, header: str | None, mapping: EntityMapping) -> str:
    """SQL for the typed value of `f` read from column `header` (NULL when the export lacks the column)."""
    sql_type = {
        "timestamp": "TIMESTAMPTZ",
        "date": "DATE",
        "number": "DOUBLE",
        "integer": "BIGINT",
        "boolean": "BOOLEAN",
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
        "timestamp": _timestamp(text, mapping),
        "date": _parsed(text, mapping.date_formats, "DATE"),
        "number": f"TRY_CAST({text} AS DOUBLE)",
        "integer": f"TRY_CAST(TRY_CAST({text} AS DOUBLE) AS BIGINT)",
        "boolean": f"CASE WHEN lower({text}) IN ('true','t','1','yes','y') THEN true"
        f" WHEN lower({text}) IN ('false','f','0','no','n') THEN false END",
    }[f.kind]


def _parsed(text: str, formats: tuple[str, ...], sql_type: str) -> str:
    """The vendor's declared formats first, then ISO 8601."""
    iso = f"TRY_CAST({text} AS {sql_type})"
    if not formats:
        return iso
    return f"coalesce(TRY_CAST(try_strptime({text}, [{', '.join(literal(f) for f in formats)}]) AS {sql_type}), {iso})"


def _timestamp(text: str, mapping: EntityMapping) -> str:
    """A timestamp: its own offset if written with one, else the mapping's `timezone` (default UTC)."""
    if mapping.timezone is None:
        return _parsed(text, mapping.timestamp_formats, "TIMESTAMPTZ")
    local = f"timezone({literal(mapping.timezone)}, {_parsed(text, mapping.timestamp_formats, 'TIMESTAMP')})"
    return f"CASE WHEN regexp_matches({text}, {literal(OFFSET_AT_END)}) THEN TRY_CAST({text} AS TIMESTAMPTZ) ELSE {local} END"


def _checks(f: Field, header: str | None, limits: Limits) -> list[str]:
    """SQL reasons (NULL when fine) to refuse a row, over the typed column and its `__given_` flag."""
    column = ident(f.name)
    checks: list[str] = []
    if header is not None:
        label = f"column '{header}' ({f.name})"
        if f.kind not in ("text", "email", "id"):
            checks.append(
                f"CASE WHEN __given_{f.name} AND {column} IS NULL THEN {literal(f'invalid {f.kind} in ' + label)} END"
            )
        if f.happened:
            latest = limits.latest_timestamp.isoformat()
            checks.append(
                f"CASE WHEN {column} > TIMESTAMPTZ {literal(latest)} THEN"
                f" {literal(f'implausible future timestamp in {label} (later than {latest})')} END"
            )
        if f.birth_date:
            earliest, latest = limits.earliest_birth_date.isoformat(), limits.latest_birth_date.isoformat()
            checks.append(
                f"CASE WHEN {column} < DATE {literal(earliest)} OR {column} > DATE {literal(latest)} THEN"
                f" {literal(f'implausible birth date in {label} (outside {earliest} .. {latest})')} END"
            )
        if f.choices:
            allowed = ", ".join(literal(c) for c in f.choices)
            checks.append(f"CASE WHEN {column} NOT IN ({allowed}) THEN {literal('unknown value in ' + label)} END")
    if f.required:
        checks.append(
            f"CASE WHEN {column} IS NULL THEN {literal(f'missing required value in column {header!r} ({f.name})')} END"
        )
    return checks


def _derive(con: duckdb.DuckDBPyConnection, good: pa.Table, entity: Entity) -> pa.Table:
    """Add normalised email columns and, for exports without ids, the business-key hash id."""
    for f in entity.fields:
        if f.kind == "email":
            position = good.column_names.index(f.name) + 1
            good = good.add_column(position, f"{f.name}_normalized", normalize_emails(good.column(f.name)))
    if entity.key_of:
        parts = ", ".join(f"coalesce(CAST({ident(name)} AS VARCHAR), '')" for name in entity.key_of)
        con.register("keyed", good)
        good = con.sql(
            f"SELECT md5(concat_ws('|', {parts})) AS {ident(entity.primary_key)}, * FROM keyed"
        ).to_arrow_table()
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
