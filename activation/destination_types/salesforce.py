"""Salesforce-style bulk CSV (`salesforce`): Bulk API 2.0 upserts, one ingest job per batch.

`POST {base_url}/services/data/v60.0/jobs/ingest` opens the job (`{"object": "Contact",
"externalIdFieldName": ..., "contentType": "CSV", "operation": "upsert"}`), `PUT .../<id>/batches`
uploads the CSV, `PATCH .../<id>/` with `{"state": "UploadComplete"}` closes it. A blank cell in a
removal row leaves that field unchanged. An erasure, matched on the external id, is a delete file
for a Bulk API hard delete; matched on email it cannot be forwarded (a delete needs the record Id).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation.destination_types.base import Destination, Erasure, ErasureRequest, Record, Sender, Where, optional_text
from activation.destination_types.crm import CRM_KEYS, CrmOptions, CrmType
from activation.destination_types.files import removal_file
from activation.destination_types.http import idempotency_key, send_json
from activation.file_export import CSV
from activation.http_client import request

INGEST_PATH = "/services/data/v60.0/jobs/ingest"


@dataclass(frozen=True)
class SalesforceOptions(CrmOptions):
    sf_object: str = "Contact"


class Salesforce(CrmType):
    name = "salesforce"
    keys = CRM_KEYS | {"object", "external_id_field", "membership_field"}

    external_id_key, membership_key, email_field = "external_id_field", "membership_field", "Email"
    external_id_hint = "e.g. C360_Id__c"

    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], SalesforceOptions]:
        fields, crm = self.parse_crm(where, spec)
        return fields, SalesforceOptions(**crm, sf_object=optional_text(where, spec, "object") or "Contact")

    def upsert(self, dest: Destination, match_id: str, mapped: Record) -> Record:
        return {self.match_field(dest): match_id, **{k: "" if v is None else v for k, v in mapped.items()}}

    def departure(self, dest: Destination, match_id: str) -> Record:
        return {self.match_field(dest): match_id, dest.options.membership: "false"}

    def sender(self, dest: Destination, segment: str, exports: Path) -> Sender:
        headers = self.auth_headers(dest)
        ingest = f"{dest.options.url}{INGEST_PATH}"
        job_spec = {
            "object": dest.options.sf_object,
            "externalIdFieldName": self.match_field(dest),
            "contentType": "CSV",
            "operation": "upsert",
            "lineEnding": "LF",
        }

        def send(records: list[Record]) -> None:
            key = idempotency_key(dest.name, segment, records)
            job = json.loads(send_json(dest, headers, "POST", ingest, job_spec, key))
            upload = {**headers, "Content-Type": "text/csv", "Idempotency-Key": key}
            request("PUT", f"{ingest}/{job['id']}/batches", _csv(records), upload, dest.options.retry)
            send_json(dest, headers, "PATCH", f"{ingest}/{job['id']}/", {"state": "UploadComplete"}, key)

        return send

    def erasure(self, dest: Destination) -> Erasure:
        if dest.options.match_key == "external_id":
            return Erasure("salesforce_delete_file", local=True)
        return Erasure.refused(
            "matches on email, and a Salesforce delete needs the record Id, which c360 never had: "
            "remove the person there by hand, or use match_key external_id"
        )

    def forward_erasure(self, dest: Destination, request: ErasureRequest, exports: Path) -> None:
        column = self.match_field(dest)
        rows = [{column: cid} for cid in request.customer_ids]
        CSV.write(removal_file(exports, dest, request.erasure_id), [column], rows)


def _csv(records: list[Record]) -> bytes:
    """Header is every field in first-seen order; a field a row lacks is left blank (Bulk API: unchanged)."""
    header = list(dict.fromkeys(field for record in records for field in record))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


TYPES = (Salesforce(),)
