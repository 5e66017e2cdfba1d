"""CSV to RawRecords: DuckDB's reader for speed, a line-exact Python reader when DuckDB cannot account for every line.

DuckDB's reader (ignore_errors + store_rejects) is fast and reports bad rows, but it silently
drops the rest of a file after an unterminated quote and skips blank lines. So the fast result
is accepted only if its records (plus embedded newlines) cover every physical line of the file;
otherwise the file is re-read by `_python_read`, which recovers after broken quoting.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.landing import MAX_LINE_BYTES, UnreadableFile, physical_lines
from ingestion.records import LINE, RawRecords, Reject, string_table

DELIMITERS = (",", "\t", ";", "|")


def read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, delimiter: str = ",", footer_lines: Sequence[str] = ()
) -> RawRecords:
    """Parse a CSV export whose first line is the header; every data line ends up a row or a reject.

    `delimiter` "auto" takes the most frequent of `DELIMITERS` in the header (Excel's "Unicode
    text" is tab-separated). Trailing blank lines and lines matching `footer_lines` (report
    totals, copyright) are skipped and counted; such files take the line-exact reader.
    """
    if delimiter == "auto":
        delimiter = sniff_delimiter(text)
    text, skipped = strip_footer(text, footer_lines)
    header = _header(path, text, delimiter)
    if not header:
        return RawRecords(pa.table({LINE: pa.array([], pa.int64())}), lines_skipped=skipped)
    records = (None if skipped else _duckdb_read(con, path, text, header, delimiter)) or _python_read(
        text, header, delimiter
    )
    records.lines_skipped = skipped
    return records


def sniff_delimiter(text: str) -> str:
    first_line = text[: text.find("\n")] if "\n" in text else text
    counts = {candidate: first_line.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def strip_footer(text: str, footer_lines: Sequence[str]) -> tuple[str, int]:
    """`text` without its trailing block of blank lines and footer lines, and how many lines that was.

    A footer line is compared with its surrounding quotes and delimiters removed (Salesforce
    quotes every value: `"Grand Totals (3 records)"`); the header line is never removed.
    """
    patterns = [re.compile(p) for p in footer_lines]
    cut, skipped = len(text), 0
    while True:
        body = text[:cut]
        trimmed = body.removesuffix("\n")
        start = trimmed.rfind("\n") + 1
        if start == 0:
            return text[:cut], skipped
        line = trimmed[start:].strip()
        if _is_blank(line) or any(p.search(line.strip('",;|\t ')) for p in patterns):
            cut, skipped = start, skipped + 1
        else:
            return text[:cut], skipped


def _is_blank(line: str) -> bool:
    """Empty, or only empty quoted values and delimiters (a lone quote is not blank: it may close a field)."""
    return not re.sub(r'""|[\s,;|]', "", line)


def _header(path: Path, text: str, delimiter: str) -> list[str]:
    end = text.find("\n")
    first_line = (text if end < 0 else text[:end]).rstrip("\r")  # not split(): that copies the whole file
    if not first_line.strip():
        return []
    names = [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter))]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UnreadableFile(f"{path.name}: header repeats column(s) {repeated}; each header must be unique")
    return [name or f"column_{i + 1}" for i, name in enumerate(names)]


def _duckdb_read(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, header: list[str], delimiter: str
) -> RawRecords | None:
    """DuckDB's parse, or None when its records do not cover every physical line of the file."""
    positional = [f"c{i}" for i in range(len(header))]
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in positional) + "}"
    # newlines inside quoted fields shift later line numbers; only count them if the file has quotes,
    # and only in values that hold one (`contains` is a scan; `replace` would copy every value)
    newlines = (
        " + ".join(
            f"CASE WHEN contains({c}, chr(10)) THEN length({c}) - length(replace({c}, chr(10), '')) ELSE 0 END"
            for c in positional
        )
        if '"' in text
        else "0"
    )
    con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_reject_scans")
    delimiter_sql = delimiter.replace("'", "''")
    table = con.sql(
        f"""SELECT *, {newlines}::BIGINT AS _nl FROM read_csv($path, columns={columns}, auto_detect=false,
            header=false, skip=1, delim='{delimiter_sql}', quote='"', escape='"', strict_mode=true,
            parallel=false, ignore_errors=true, store_rejects=true, rejects_table='csv_rejects',
            rejects_scan='csv_reject_scans', max_line_size={MAX_LINE_BYTES})""",
        params={"path": str(path)},
    ).to_arrow_table()
    rejected = con.sql(
        "SELECT line, any_value(csv_line), string_agg(DISTINCT error_message, '; ')"
        " FROM csv_rejects GROUP BY line ORDER BY line"
    ).fetchall()

    laid_out = _record_starts(table.column("_nl"), rejected)
    if laid_out is None or laid_out[1] != physical_lines(text):
        return None
    good_starts, _, reject_starts = laid_out
    table = table.drop_columns(["_nl"]).rename_columns(header).append_column(LINE, good_starts)
    rejects = [
        Reject(line, row[1] or "", " ".join((row[2] or "unparseable row").split()))
        for line, row in zip(reject_starts, rejected)
    ]
    return RawRecords(table, rejects)


def _record_starts(good_newlines: pa.ChunkedArray, rejected: list[tuple]) -> tuple[pa.Array, int, list[int]] | None:
    """Physical start line of every good and rejected record, and the number of lines they cover.

    DuckDB numbers records, not lines (a quoted newline does not count), so records are laid
    out in order and each advances the line counter by 1 + its embedded newlines.
    """
    if not rejected:
        spans = pc.add(pc.fill_null(good_newlines, 0), 1)
        ends = pc.cumulative_sum(spans)
        covered = 1 + (ends[-1].as_py() if len(ends) else 0)
        return pc.add(pc.subtract(ends, spans), 2).combine_chunks().cast(pa.int64()), covered, []
    total = len(good_newlines) + len(rejected)
    reject_at = {int(row[0]) - 2: (row[1] or "").count("\n") for row in rejected}
    if len(reject_at) != len(rejected) or max(reject_at) >= total or min(reject_at) < 0:
        return None
    good = iter(good_newlines.to_pylist())
    line, good_starts, reject_starts = 2, [], []
    for record in range(total):
        if record in reject_at:
            reject_starts.append(line)
            line += 1 + reject_at[record]
        else:
            good_starts.append(line)
            line += 1 + (next(good) or 0)
    return pa.array(good_starts, pa.int64()), line - 1, reject_starts


def _python_read(text: str, header: list[str], delimiter: str) -> RawRecords:
    """Quote-parity record splitting: an unterminated quote rejects only the line it starts on."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    values: list[list[str | None]] = [[] for _ in header]
    line_numbers: list[int] = []
    rejects: list[Reject] = []
    i = 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        end, quotes = i, lines[i].count('"')
        while quotes % 2 and end + 1 < len(lines):
            end += 1
            quotes += lines[end].count('"')
        if quotes % 2:
            rejects.append(Reject(i + 1, lines[i].rstrip("\r"), "unterminated quoted field"))
            i += 1
            continue
        record = "\n".join(line.rstrip("\r") for line in lines[i : end + 1])
        reason, fields = _parse_record(record, delimiter, len(header))
        if reason:
            rejects.append(Reject(i + 1, record, reason))
        else:
            for column, value in zip(values, fields):
                column.append(value)
            line_numbers.append(i + 1)
        i = end + 1
    return RawRecords(string_table(dict(zip(header, values)), line_numbers), rejects)


def _parse_record(record: str, delimiter: str, width: int) -> tuple[str, list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return f"malformed quoting: {exc}", []
    if len(rows) != 1:
        return "malformed record", []
    if len(rows[0]) != width:
        return f"expected {width} columns, found {len(rows[0])}", []
    return "", rows[0]
