"""Excel (.xlsx) exports to RawRecords with openpyxl: the first sheet, its first row the header."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingestion.landing import UnreadableFile
from ingestion.records import RawRecords, Reject, string_table


def read_xlsx(path: Path, source_file: str, footer_lines: Sequence[str] = ()) -> RawRecords:
    """Every non-empty row below the header is a record whose line number is its sheet row.

    Cells become the text a CSV export would hold (dates ISO 8601, whole numbers without
    `.0`), so the same mapping and typing apply. Trailing empty rows and footer rows (one
    filled cell matching `footer_lines`) are skipped and counted.
    """
    import openpyxl  # only for workbooks: most runs read none, and every `c360 run` imports this module

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFile(f"{source_file}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        rows = [
            (number, [_text(v) for v in values])
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1)
        ]
    finally:
        workbook.close()
    rows, skipped = _strip_footer(rows, [re.compile(p) for p in footer_lines])
    if not rows:
        return RawRecords(string_table({}, []), lines_skipped=skipped)
    header = list(rows[0][1])
    while header and header[-1] is None:  # the sheet is as wide as its widest row: blank header cells at the end
        header.pop()
    names = [name.strip() if name else f"column_{i + 1}" for i, name in enumerate(header)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UnreadableFile(f"{source_file}: header repeats column(s) {repeated}; each header must be unique")
    data, rejects = [], []
    for number, cells in rows[1:]:
        surplus = [cell for cell in cells[len(names) :] if cell is not None]
        if surplus:  # a value with no header would otherwise be lost without a trace
            rejects.append(
                Reject(
                    number,
                    ",".join(cell or "" for cell in cells),
                    f"expected {len(names)} columns, found a value beyond them",
                )
            )
        elif any(cell is not None for cell in cells):
            data.append((number, cells))
    columns = {name: [cells[i] if i < len(cells) else None for _, cells in data] for i, name in enumerate(names)}
    return RawRecords(string_table(columns, [number for number, _ in data]), rejects, lines_skipped=skipped)


def _strip_footer(rows: list[tuple[int, list[str | None]]], patterns: list[re.Pattern]) -> tuple[list, int]:
    skipped = 0
    while len(rows) > 1:
        filled = [cell for cell in rows[-1][1] if cell is not None and cell.strip()]
        if filled and not (len(filled) == 1 and any(p.search(filled[0].strip()) for p in patterns)):
            break
        rows, skipped = rows[:-1], skipped + 1
    return rows, skipped


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
