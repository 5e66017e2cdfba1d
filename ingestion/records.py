"""The shape every reader hands to the typing step: all-text columns plus line numbers, and rejects."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

LINE = "_line"


@dataclass(frozen=True)
class Reject:
    """A row that never became a record: where it was, what it said, why it was refused."""

    line_number: int
    raw_text: str
    reason: str


@dataclass
class RawRecords:
    """Parsed rows as strings keyed by the file's own headers, with the 1-based line each starts on."""

    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    lines_skipped: int = 0  # footer, total and trailing blank lines: not records

    @property
    def rows_read(self) -> int:
        return self.table.num_rows + len(self.rejects)

    @property
    def headers(self) -> list[str]:
        return [name for name in self.table.column_names if name != LINE]


def string_table(columns: dict[str, list[str | None]], lines: list[int]) -> pa.Table:
    """Build a RawRecords table from Python lists (small files and slow paths only)."""
    arrays = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    arrays[LINE] = pa.array(lines, pa.int64())
    return pa.table(arrays)
