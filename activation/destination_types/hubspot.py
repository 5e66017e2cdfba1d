"""HubSpot-style contacts (`hubspot`): batch upserts matched on the email or a unique property.

`POST {base_url}/crm/v3/objects/contacts/batch/upsert` with
`{"inputs": [{"idProperty": "email", "id": "<email>", "properties": {...}}]}`; null values are left
out so they never clear a CRM value. An erasure is HubSpot's GDPR delete, one request per contact:
`POST {base_url}/crm/v3/objects/contacts/gdpr-delete` with `{"idProperty": ..., "objectId": ...}`
(https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/gdpr-delete). Matched
on email, c360 no longer has the address after the erasure, so that removal waits until the
requester gives it again (`c360 forget --email E --now`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from activation.destination_types.base import Destination, Erasure, ErasureRequest, Record, Sender, Where
from activation.destination_types.crm import CRM_KEYS, CrmOptions, CrmType
from activation.destination_types.http import idempotency_key, send_json

UPSERT_PATH = "/crm/v3/objects/contacts/batch/upsert"
GDPR_DELETE_PATH = "/crm/v3/objects/contacts/gdpr-delete"
MAX_BATCH = 100  # HubSpot's batch limit


class HubSpot(CrmType):
    name = "hubspot"
    keys = CRM_KEYS | {"id_property", "membership_property"}
    default_batch_size = max_batch_size = MAX_BATCH
    max_batch_problem = f"exceeds HubSpot's batch limit of {MAX_BATCH}"

    external_id_key, membership_key, email_field = "id_property", "membership_property", "email"
    external_id_hint = "the HubSpot property holding the c360 customer_id"

    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], CrmOptions]:
        fields, crm = self.parse_crm(where, spec)
        return fields, CrmOptions(**crm)

    def upsert(self, dest: Destination, match_id: str, mapped: Record) -> Record:
        properties = {k: v for k, v in mapped.items() if v is not None}  # a null would clear the CRM value
        return {"idProperty": self.match_field(dest), "id": match_id, "properties": properties}

    def departure(self, dest: Destination, match_id: str) -> Record:
        properties = {dest.options.membership: "false"}
        return {"idProperty": self.match_field(dest), "id": match_id, "properties": properties}

    def sender(self, dest: Destination, segment: str, exports: Path) -> Sender:
        headers = self.auth_headers(dest)

        def send(records: list[Record]) -> None:
            key = idempotency_key(dest.name, segment, records)
            send_json(dest, headers, "POST", f"{dest.options.url}{UPSERT_PATH}", {"inputs": records}, key)

        return send

    def erasure(self, dest: Destination) -> Erasure:
        if dest.options.match_key == "external_id":
            return Erasure("hubspot_gdpr_delete")
        return Erasure("hubspot_gdpr_delete_by_email", needs_address=True)

    def forward_erasure(self, dest: Destination, request: ErasureRequest, exports: Path) -> None:
        """Addressed by the c360 id, or matched on email by the addresses the requester gave."""
        headers, key = self.auth_headers(dest), request.idempotency_key(dest.name)
        ids = request.addresses if self.erasure(dest).needs_address else request.customer_ids
        for object_id in ids:
            doc = {"idProperty": self.match_field(dest), "objectId": object_id}
            send_json(dest, headers, "POST", f"{dest.options.url}{GDPR_DELETE_PATH}", doc, f"{key}-{object_id}")


TYPES = (HubSpot(),)
