"""File exports (`csv`, `parquet`, `jsonl`): the segment's members rewritten whole on every sync.

A file holds no departures: a member who left is simply not in the new file. An erasure rewrites
the existing export at once without the person's rows, matched on the mapped customer id, or on
the hash of the mapped email or phone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation.destination_types.base import (
    Destination,
    DestinationType,
    Erasure,
    ErasureRequest,
    Record,
    Sender,
    Where,
    parse_fields,
    text,
)
from activation.file_export import CSV, JSONL, PARQUET, FileFormat
from activation.identifiers import hashed_email, hashed_phone

log = logging.getLogger(__name__)

DEFAULT_FIELDS = ("customer_id", "email", "first_name", "last_name", "phone", "company_name", "since")
ERASURES_DIR = "erasures"  # under the exports folder: removal files, one per erasure and destination


@dataclass(frozen=True)
class FileOptions:
    path: str  # relative to Settings.exports


def removal_file(exports: Path, dest: Destination, erasure_id: str) -> Path:
    """Where a removal file for a destination's own upload goes (ad audiences, CRM delete files)."""
    return exports / ERASURES_DIR / dest.name / f"{erasure_id}.csv"


class FileType(DestinationType):
    """A file under the exports folder, in `format`, with the mapped fields as columns."""

    keys = frozenset({"path"})
    local = True
    diffable = False

    def __init__(self, name: str, file_format: FileFormat) -> None:
        self.name = name
        self.format = file_format

    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], FileOptions]:
        path = text(where, spec, "path")
        if Path(path).is_absolute() or ".." in Path(path).parts:
            raise where.error("path", f"{path!r} must stay inside the exports folder (a relative path without '..')")
        return parse_fields(where, spec, DEFAULT_FIELDS), FileOptions(path)

    def path(self, dest: Destination, exports: Path) -> Path:
        return exports / dest.options.path

    def target(self, dest: Destination, exports: Path) -> str:
        return str(self.path(dest, exports))

    def columns(self, dest: Destination) -> list[str]:
        return list(dest.fields.values())

    def shape_member(self, dest: Destination, member: Record) -> Record | None:
        return {field: member[column] for column, field in dest.fields.items()}

    def batches(self, dest: Destination, records: list[Any]) -> list[list[Any]]:
        return [records]  # the whole file, even when empty: nobody is left in it

    def sender(self, dest: Destination, segment: str, exports: Path) -> Sender:
        def write(records: list[Record]) -> None:
            target = self.path(dest, exports)
            self.format.write(target, self.columns(dest), records)
            log.info("wrote %d records of destination %s to %s", len(records), dest.name, target)

        return write

    def erasure(self, dest: Destination) -> Erasure:
        return Erasure("file_rewrite", local=True)

    def forward_erasure(self, dest: Destination, request: ErasureRequest, exports: Path) -> None:
        self.rewrite_without(dest, exports, request)

    def erased(self, dest: Destination, row: Record, request: ErasureRequest) -> bool:
        id_field, email_field, phone_field = (dest.fields.get(c) for c in ("customer_id", "email", "phone"))
        return (
            (id_field is not None and str(row.get(id_field)) in request.customer_ids)
            or (email_field is not None and hashed_email(row.get(email_field)) in request.email_hashes)
            or (phone_field is not None and hashed_phone(row.get(phone_field)) in request.phone_hashes)
        )

    def rewrite_without(self, dest: Destination, exports: Path, request: ErasureRequest) -> None:
        """Rewrite an existing export without the person's rows."""
        path = self.path(dest, exports)
        if not path.exists():
            return
        rows = self.format.read(path)
        kept = [row for row in rows if not self.erased(dest, row, request)]
        if len(kept) < len(rows):
            self.format.write(path, self.columns(dest), kept)
        log.info("destination %s: export rewritten without %d erased row(s)", dest.name, len(rows) - len(kept))


TYPES = (FileType("csv", CSV), FileType("parquet", PARQUET), FileType("jsonl", JSONL))
