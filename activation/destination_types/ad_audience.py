"""Ad audience (`ad_audience`): a Google Ads Customer Match CSV of hashed identifiers.

Columns `Email` and `Phone`: SHA-256 (hex) of the email trimmed and lower-cased and of the phone in
E.164 (activation.identifiers, the same hashes privacy.suppressions is keyed by). A member with
neither is left out. An erasure rewrites the audience without the person and writes a removal
file of their hashes for the platform's removal upload
(https://support.google.com/google-ads/answer/7659867).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from activation.destination_types.base import Destination, Erasure, ErasureRequest, Record, Where
from activation.destination_types.files import FileOptions, FileType, removal_file
from activation.file_export import CSV
from activation.identifiers import hashed_email, hashed_phone

COLUMNS = ["Email", "Phone"]  # Customer Match upload columns for pre-hashed identifiers


class AdAudience(FileType):
    dagster_kind = "csv"

    def __init__(self) -> None:
        super().__init__("ad_audience", CSV)

    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], FileOptions]:
        if "fields" in spec:
            raise where.error("fields", "an ad audience always sends hashed email and phone")
        _, options = super().parse(where, spec)
        return {}, options

    def columns(self, dest: Destination) -> list[str]:
        return COLUMNS

    def check_fields(self, dest: Destination, columns: list[str]) -> None:
        """Nothing is mapped: the columns are always the hashed email and phone."""

    def shape_member(self, dest: Destination, member: Record) -> Record | None:
        email, phone = hashed_email(member.get("email")), hashed_phone(member.get("phone"))
        return {"Email": email or "", "Phone": phone or ""} if email or phone else None

    def erasure(self, dest: Destination) -> Erasure:
        return Erasure("ad_audience_removal_file", local=True)

    def erased(self, dest: Destination, row: Record, request: ErasureRequest) -> bool:
        return row.get("Email") in request.email_hashes or row.get("Phone") in request.phone_hashes

    def forward_erasure(self, dest: Destination, request: ErasureRequest, exports: Path) -> None:
        self.rewrite_without(dest, exports, request)
        rows = [{"Email": h, "Phone": ""} for h in sorted(request.email_hashes)]
        rows += [{"Email": "", "Phone": h} for h in sorted(request.phone_hashes)]
        CSV.write(removal_file(exports, dest, request.erasure_id), COLUMNS, rows)


TYPES = (AdAudience(),)
