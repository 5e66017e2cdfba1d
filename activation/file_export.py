"""File formats destinations write, each written atomically so a reader never sees a half-written file.

Every file c360 writes for a destination (the export itself, an export rewritten without an erased
person, an erasure's removal file) goes through `atomic_write`: a temporary file beside the target,
then `os.replace`, so a crash leaves the previous file whole and never a half one.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

Rows = list[dict[str, Any]]


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` fills a temporary file that then replaces `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class FileFormat:
    """`write(tmp, columns, rows)` fills a file; `read(path)` gives its rows back as written
    (CSV cells are text, an empty cell is how a null was written)."""

    write_to: Callable[[Path, list[str], Rows], None]
    read: Callable[[Path], Rows]

    def write(self, path: Path, columns: list[str], rows: Rows) -> None:
        atomic_write(path, lambda tmp: self.write_to(tmp, columns, rows))


def _table(columns: list[str], rows: Rows) -> pa.Table:
    return pa.table({c: pa.array([r[c] for r in rows], pa.string() if not rows else None) for c in columns})


def _write_csv(tmp: Path, columns: list[str], rows: Rows) -> None:
    pa_csv.write_csv(_table(columns, rows), tmp, pa_csv.WriteOptions(quoting_style="needed"))


def _read_csv(path: Path) -> Rows:
    with path.open(newline="") as f:
        return [{k: v if v != "" else None for k, v in row.items()} for row in csv.DictReader(f)]


def _write_jsonl(tmp: Path, columns: list[str], rows: Rows) -> None:
    with tmp.open("w") as f:
        f.writelines(json.dumps({c: r[c] for c in columns}) + "\n" for r in rows)


def _read_jsonl(path: Path) -> Rows:
    with path.open() as f:
        return [json.loads(line) for line in f if line.strip()]


CSV = FileFormat(_write_csv, _read_csv)
PARQUET = FileFormat(
    lambda tmp, columns, rows: pq.write_table(_table(columns, rows), tmp), lambda path: pq.read_table(path).to_pylist()
)
JSONL = FileFormat(_write_jsonl, _read_jsonl)
