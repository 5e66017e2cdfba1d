"""JSON exports to RawRecords, and any line-oriented file to a (line number, text) Arrow table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from ingestion.landing import UnreadableFile, starts_with_bom
from ingestion.records import LINE, RawRecords, Reject, string_table

TEXT = "text"


def line_rejects(con: duckdb.DuckDBPyConnection, parsed: str, lines: str) -> list[Reject]:
    """Rows of `parsed` with a non-empty `_reason`, with the original text of their line from `lines`."""
    return [
        Reject(line, raw, reason)
        for line, raw, reason in con.sql(
            f"SELECT p.{LINE}, l.{TEXT}, p._reason FROM {parsed} p JOIN {lines} l USING ({LINE})"
            f" WHERE p._reason <> '' ORDER BY p.{LINE}"
        ).fetchall()
    ]


def load_lines(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, table: str, from_text: bool = False, first_line: int = 1
) -> None:
    """Create temp table `table` (_line, text) of the file's non-empty lines, split inside DuckDB.

    Plain UTF-8 files are re-read by DuckDB from the (page-cached) file, the fastest path;
    decompressed or BOM-prefixed text, or `from_text` (text that is not the file's own bytes), is
    passed in as a parameter. `text`'s first line is numbered `first_line` (a file read from the middle).
    """
    if (
        from_text or path.name.lower().endswith(".gz") or starts_with_bom(path)
    ):  # read_text neither decompresses nor drops a BOM
        content, params = "(SELECT $text AS content)", {"text": text}
    else:
        content, params = "read_text($path)", {"path": str(path)}
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT {LINE}, CASE WHEN suffix({TEXT}, chr(13)) THEN rtrim({TEXT}, chr(13)) ELSE {TEXT} END AS {TEXT} FROM (
            SELECT generate_subscripts(parts, 1) + {int(first_line) - 1} AS {LINE}, unnest(parts) AS {TEXT}
            FROM (SELECT string_split(content, chr(10)) AS parts FROM {content})
        ) WHERE {TEXT} <> '' AND {TEXT} <> chr(13)""",
        params,
    )


def json_array_as_lines(path: Path, text: str) -> str | None:
    """A file holding one JSON array, re-written one element per line (element n on line n); None for JSON lines."""
    if not text.lstrip().startswith("["):
        return None
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UnreadableFile(f"{path.name}: not valid JSON ({exc}); re-export the file") from exc
    if not isinstance(document, list):
        raise UnreadableFile(f"{path.name}: a JSON file must hold an array of events or one event per line")
    return "".join(json.dumps(item, separators=(",", ":")) + "\n" for item in document)


def read_json_records(con: duckdb.DuckDBPyConnection, path: Path, text: str) -> RawRecords:
    """A JSON array of records or JSON lines; HubSpot API-style `properties` objects are flattened.

    In a JSON array the "line number" is the record's 1-based position in the array.
    """
    items: list[tuple[int, str, Any]] = []
    rejects: list[Reject] = []
    if text.lstrip().startswith("["):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(f"{path.name}: not valid JSON ({exc}); re-export the file") from exc
        items = [(i + 1, "", item) for i, item in enumerate(document)]
    else:
        load_lines(con, path, text, "json_lines")
        for number, line in con.sql(f"SELECT {LINE}, {TEXT} FROM json_lines ORDER BY {LINE}").fetchall():
            try:
                items.append((number, line, json.loads(line)))
            except json.JSONDecodeError as exc:
                rejects.append(Reject(number, line, f"not valid JSON: {exc}"))

    records: list[tuple[int, dict[str, str | None]]] = []
    for number, line, item in items:
        if isinstance(item, dict):
            records.append((number, _flatten(item)))
        else:
            rejects.append(Reject(number, line or json.dumps(item), "record is not a JSON object"))

    headers: dict[str, None] = {}
    for _, record in records:
        headers.update(dict.fromkeys(record))
    columns = {name: [record.get(name) for _, record in records] for name in headers}
    return RawRecords(
        string_table(columns, [number for number, _ in records]), sorted(rejects, key=lambda r: r.line_number)
    )


def _flatten(item: dict[str, Any]) -> dict[str, str | None]:
    merged = {key: value for key, value in item.items() if key != "properties"}
    if isinstance(item.get("properties"), dict):
        merged.update(item["properties"])
    return {key: _as_text(value) for key, value in merged.items()}


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
