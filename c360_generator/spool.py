"""Write rows in any order, publish them sorted.

Sources are generated person by person, but real exports are ordered by time or id.
Rows go to a side file prefixed by their sort key; `finish` sorts one file at a time,
so memory holds a single output file, never the whole data set.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def csv_line(row: list[object]) -> str:
    """One CSV record without its line terminator (fields never contain newlines here)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()


class SortedSpool:
    def __init__(self, target: Path, header: str | None = None) -> None:
        self.target = target
        self._header = header
        self._side = target.with_name(target.name + ".spool")
        self._handle = self._side.open("w", encoding="utf-8", newline="")
        self.rows = 0

    def add(self, key: str, line: str) -> None:
        self._handle.write(f"{key}\t{line}\n")
        self.rows += 1

    def finish(self) -> int:
        """Publish the sorted file and return its row count (header excluded)."""
        self._handle.close()
        lines = self._side.read_text(encoding="utf-8").splitlines()
        lines.sort()
        with self.target.open("w", encoding="utf-8", newline="") as out:
            if self._header is not None:
                out.write(self._header + "\n")
            for line in lines:
                out.write(line.split("\t", 1)[1] + "\n")
        self._side.unlink()
        return len(lines)
