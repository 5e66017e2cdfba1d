"""What one landed file produced: accepted rows, refused rows, and the load-report line describing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from ingestion.records import Reject

Status = Literal["loaded", "partial", "failed", "empty", "unmatched"]


@dataclass
class FileResult:
    data: pa.Table | None
    rejects: list[Reject] = field(default_factory=list)
    error: str | None = None  # set when the file as a whole could not be loaded
    new_columns: list[str] = field(default_factory=list)
    superseded: int = 0  # rows merged into another with the same key: a newer warehouse version or a repeat in this run
    suppressed: int = 0  # rows of erased people (privacy.suppressions), dropped unread by any table
    already_read: int = 0  # lines an earlier file already delivered (a grown or rotated log), not parsed again
    failed: int = 0  # rows of a file that failed as a whole and were neither loaded nor quarantined
    lines_skipped: int = 0  # report footer, total and trailing blank lines: not rows, skipped and counted
    renamed_columns: list[str] = field(
        default_factory=list
    )  # "header -> column" for names colliding after normalisation
    encoding: str | None = None

    @property
    def rows_loaded(self) -> int:
        """Rows accepted into the merge, superseded ones included."""
        return (self.data.num_rows if self.data is not None else 0) + self.superseded

    @property
    def rows_read(self) -> int:
        return self.rows_loaded + len(self.rejects) + self.suppressed + self.failed + self.already_read

    def fail_if_all_rejected(self, source_file: str, reason: str, expected: str) -> FileResult:
        """A file none of whose lines parse is the wrong format: fail it clearly (rows stay quarantined)."""
        if self.rejects and self.rows_loaded == 0 and all(r.reason == reason for r in self.rejects):
            self.error = f"{source_file}: no line is {expected}; is this the right kind of file?"
        return self

    @property
    def status(self) -> Status:
        if self.error:
            return "failed"
        if self.rows_read == 0:
            return "empty"
        return "partial" if self.rejects else "loaded"
