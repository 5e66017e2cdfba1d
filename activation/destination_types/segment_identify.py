"""Segment-compatible identify batches (`segment_identify`): members' traits sent as `identify` calls
to a Segment HTTP Tracking API `batch` endpoint, or any service that accepts its shape (RudderStack,
Customer.io Data Pipelines, Jitsu...).

`POST url` (Segment: https://api.segment.io/v1/batch) with `{"batch": [{"type": "identify",
"userId": <customer_id>, "traits": {<mapped fields>}}]}`, authenticated with HTTP Basic auth whose
user name is the source's write key (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/).
A batch holds at most 2,500 calls. Null values are left out so they never clear a trait; with
`membership_trait` members get it `true` and leaving members an identify setting it `false`.
Segment deletes a user only through a workspace regulation (its Public API or Privacy Portal), so an
erasure is recorded as not forwardable, telling the operator to delete the userId there.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation.destination_types.base import (
    Destination,
    Erasure,
    Record,
    Sender,
    Where,
    optional_text,
    parse_fields,
    text,
)
from activation.destination_types.http import HTTP_KEYS, HttpOptions, HttpType, idempotency_key, send_json

MAX_BATCH = 2_500  # Segment's limit of calls per batch request
DEFAULT_FIELDS = ("email", "first_name", "last_name", "phone", "company_name")


@dataclass(frozen=True)
class SegmentOptions(HttpOptions):
    write_key_env: str = ""  # environment variable holding the source's write key
    membership_trait: str | None = None


class SegmentIdentify(HttpType):
    name = "segment_identify"
    keys = (HTTP_KEYS - {"auth"}) | {"url", "write_key_env", "membership_trait"}
    max_batch_size = MAX_BATCH
    max_batch_problem = f"exceeds the Segment batch limit of {MAX_BATCH} calls"
    dagster_kind = "segment"

    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], SegmentOptions]:
        options = SegmentOptions(
            **self.parse_http(where, spec),
            write_key_env=text(where, spec, "write_key_env"),
            membership_trait=optional_text(where, spec, "membership_trait"),
        )
        return parse_fields(where, spec, DEFAULT_FIELDS), options

    def auth_headers(self, dest: Destination) -> dict[str, str]:
        """HTTP Basic auth, the write key as user name and no password."""
        write_key = self.secret(dest, dest.options.write_key_env, "write_key_env")
        return {"Authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()}

    def shape_member(self, dest: Destination, member: Record) -> Record | None:
        traits = {field: member[column] for column, field in dest.fields.items() if member[column] is not None}
        if dest.options.membership_trait:
            traits[dest.options.membership_trait] = True
        return {"type": "identify", "userId": member["customer_id"], "traits": traits}

    def shape_removal(self, dest: Destination, customer_id: str, contact: Record | None) -> Record | None:
        if not dest.options.membership_trait:
            return None
        return {"type": "identify", "userId": customer_id, "traits": {dest.options.membership_trait: False}}

    def sender(self, dest: Destination, segment: str, exports: Path) -> Sender:
        headers = self.auth_headers(dest)

        def send(records: list[Record]) -> None:
            key = idempotency_key(dest.name, segment, records)
            send_json(dest, headers, "POST", dest.options.url, {"batch": records}, key)

        return send

    def erasure(self, dest: Destination) -> Erasure:
        return Erasure.refused(
            "Segment deletes a user only through a deletion regulation: delete the userId (the c360 customer id) "
            "in its Privacy Portal or Public API"
        )


TYPES = (SegmentIdentify(),)
