"""The header row of a landed export, read from its first bytes: how a file whose name several entities
claim (Salesforce's `report<epoch>.csv`) finds the entity whose required columns it has."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib

from ingestion.csv_reader import sniff_delimiter
from ingestion.landing import LandingFile, UnreadableFile, decode, decompress

HEAD_BYTES = 64 * 1024


def export_headers(file: LandingFile, delimiter: str) -> set[str]:
    """The stripped header cells; empty when the file cannot be read (its load then reports why)."""
    try:
        if file.is_binary:
            return _xlsx_headers(file)
        text = decode(file.name, file.head(HEAD_BYTES)).text
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, UnreadableFile):
        return set()
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if delimiter == "auto":
        delimiter = sniff_delimiter(first_line)
    return {cell.strip() for cell in next(csv.reader([first_line], delimiter=delimiter), [])}


def _xlsx_headers(file: LandingFile) -> set[str]:
    import openpyxl  # only for workbooks: most runs read none, and every `c360 run` imports this module

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(decompress(file, file.read_bytes())), read_only=True, data_only=True
        )
    except Exception:  # noqa: BLE001 - a damaged workbook: its own load reports the reason
        return set()
    try:
        first = next(workbook.worksheets[0].iter_rows(values_only=True, max_row=1), ())
    finally:
        workbook.close()
    return {str(cell).strip() for cell in first if cell is not None}
