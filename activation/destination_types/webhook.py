"""Webhook (`webhook`): members as JSON upserts and removals, POSTed in batches to one URL.

Body: `{"destination": ..., "segment": ..., "members": [{"op": "upsert", "customer_id": ..., <fields>},
{"op": "remove", "customer_id": ...}]}`; an erasure is the same POST with `{"op": "erase", ...}`
members and `"segment": null`, sent on the next sync or with `forget --now`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from activation.destination_types.base import Destination, Erasure, ErasureRequest, Record, Sender, Where, parse_fields
from activation.destination_types.http import HTTP_KEYS, HttpOptions, HttpType, idempotency_key, send_json

DEFAULT_FIELDS = ("customer_id", "email", "first_name", "last_name", "phone", "company_name")


class Webhook(HttpType):
    name = "webhook"
    keys = HTTP_KEYS | {"url"}

    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], HttpOptions]:
        options = HttpOptions(**self.parse_http(where, spec))
        return parse_fields(where, spec, DEFAULT_FIELDS), options

    def shape_member(self, dest: Destination, member: Record) -> Record | None:
        mapped = {field: member[column] for column, field in dest.fields.items()}
        return {"op": "upsert", "customer_id": member["customer_id"], **mapped}

    def shape_removal(self, dest: Destination, customer_id: str, contact: Record | None) -> Record | None:
        return {"op": "remove", "customer_id": customer_id}

    def sender(self, dest: Destination, segment: str, exports: Path) -> Sender:
        headers = self.auth_headers(dest)

        def send(records: list[Record]) -> None:
            doc = {"destination": dest.name, "segment": segment, "members": records}
            send_json(dest, headers, "POST", dest.options.url, doc, idempotency_key(dest.name, segment, records))

        return send

    def erasure(self, dest: Destination) -> Erasure:
        return Erasure("webhook_erase")

    def forward_erasure(self, dest: Destination, request: ErasureRequest, exports: Path) -> None:
        members = [{"op": "erase", "customer_id": cid} for cid in request.customer_ids]
        doc = {"destination": dest.name, "segment": None, "members": members}
        send_json(dest, self.auth_headers(dest), "POST", dest.options.url, doc, request.idempotency_key(dest.name))


TYPES = (Webhook(),)
