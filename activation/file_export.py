"""Writes a destination's records to a file atomically, so a reader never sees a half-written export.

Every file c360 writes for a destination (the export itself, an export rewritten without an erased
person, an erasure's removal file) goes through `atomic_write`: a temporary file beside the target,
then `os.replace`, so a crash leaves the previous file whole and never a half one.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from activation.destinations import AD_AUDIENCE_TYPE, Destination
from activation.payloads import AD_AUDIENCE_COLUMNS

log = logging.getLogger(__name__)


def export_path(dest: Destination, exports_dir: Path) -> Path:
    return exports_dir / str(dest.path)


def file_columns(dest: Destination) -> list[str]:
    return list(AD_AUDIENCE_COLUMNS) if dest.type == AD_AUDIENCE_TYPE else list(dest.fields.values())


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` fills a temporary file that then replaces `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_records(path: Path, kind: str, columns: list[str], records: list[dict[str, Any]]) -> None:
    """`kind` is csv, parquet or jsonl (an ad audience or a removal file is csv)."""

    def write(tmp: Path) -> None:
        if kind == "jsonl":
            with tmp.open("w") as f:
                f.writelines(json.dumps({c: r[c] for c in columns}) + "\n" for r in records)
            return
        table = pa.table({c: pa.array([r[c] for r in records], pa.string() if not records else None) for c in columns})
        if kind == "parquet":
            pq.write_table(table, tmp)
        else:
            pa_csv.write_csv(table, tmp, pa_csv.WriteOptions(quoting_style="needed"))

    atomic_write(path, write)


def read_records(path: Path, kind: str) -> list[dict[str, Any]]:
    """An export as written by `write_records` (values as written: CSV cells are text)."""
    if kind == "jsonl":
        with path.open() as f:
            return [json.loads(line) for line in f if line.strip()]
    if kind == "parquet":
        return pq.read_table(path).to_pylist()
    with path.open(newline="") as f:  # an empty cell is how a null was written
        return [{k: v if v != "" else None for k, v in row.items()} for row in csv.DictReader(f)]


def write_file(dest: Destination, records: list[dict[str, Any]], exports_dir: Path) -> Path:
    """Ad audiences and CSV files are CSV; parquet and jsonl as named. Returns the file written."""
    target = export_path(dest, exports_dir)
    kind = "csv" if dest.type == AD_AUDIENCE_TYPE else dest.type
    write_records(target, kind, file_columns(dest), records)
    log.info("wrote %d records of destination %s to %s", len(records), dest.name, target)
    return target
