"""How one batch of records travels to each HTTP destination type.

A sender returns only once the destination accepted the whole batch, and raises
`DeliveryError` otherwise; the sync confirms state per accepted batch.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from typing import Any

from activation.destinations import Destination
from activation.http_client import request
from activation.payloads import salesforce_match_field

HUBSPOT_UPSERT_PATH = "/crm/v3/objects/contacts/batch/upsert"
HUBSPOT_GDPR_DELETE_PATH = "/crm/v3/objects/contacts/gdpr-delete"
SALESFORCE_INGEST_PATH = "/services/data/v60.0/jobs/ingest"

Sender = Callable[[list[dict[str, Any]], str], None]  # (records, idempotency key)


def http_sender(dest: Destination, segment: str) -> Sender:
    base_headers = _auth_headers(dest)

    def headers(content_type: str, key: str) -> dict[str, str]:
        return {**base_headers, "Content-Type": content_type, "Idempotency-Key": key}

    def send_json(method: str, url: str, doc: Any, key: str) -> bytes:
        return request(method, url, json.dumps(doc).encode(), headers("application/json", key), dest.retry)

    def webhook(records: list[dict[str, Any]], key: str) -> None:
        send_json("POST", str(dest.url), {"destination": dest.name, "segment": segment, "members": records}, key)

    def hubspot(records: list[dict[str, Any]], key: str) -> None:
        send_json("POST", f"{dest.url}{HUBSPOT_UPSERT_PATH}", {"inputs": records}, key)

    def salesforce(records: list[dict[str, Any]], key: str) -> None:
        """Bulk API 2.0 upsert: open a job, upload the CSV, mark the upload complete."""
        ingest = f"{dest.url}{SALESFORCE_INGEST_PATH}"
        job = json.loads(
            send_json(
                "POST",
                ingest,
                {
                    "object": dest.sf_object,
                    "externalIdFieldName": salesforce_match_field(dest),
                    "contentType": "CSV",
                    "operation": "upsert",
                    "lineEnding": "LF",
                },
                key,
            )
        )
        request("PUT", f"{ingest}/{job['id']}/batches", _csv(records), headers("text/csv", key), dest.retry)
        send_json("PATCH", f"{ingest}/{job['id']}/", {"state": "UploadComplete"}, key)

    return {"webhook": webhook, "hubspot": hubspot, "salesforce": salesforce}[dest.type]


def erasure_sender(dest: Destination) -> Callable[[list[str], str], None]:
    """Sends an erasure keyed by what the destination matches on: c360 customer ids, or for a
    HubSpot destination matched on email, the addresses.

    webhook: one POST with `{"op": "erase", "customer_id": ...}` members; HubSpot: its GDPR delete,
    one request per id, addressed by `idProperty` (`email`, or the property holding the c360 id).
    """
    headers = {**_auth_headers(dest), "Content-Type": "application/json"}

    def webhook(customer_ids: list[str], key: str) -> None:
        doc = {
            "destination": dest.name,
            "segment": None,
            "members": [{"op": "erase", "customer_id": cid} for cid in customer_ids],
        }
        request("POST", str(dest.url), json.dumps(doc).encode(), {**headers, "Idempotency-Key": key}, dest.retry)

    def hubspot(customer_ids: list[str], key: str) -> None:
        for cid in customer_ids:
            doc = {"idProperty": "email" if dest.match_key == "email" else dest.id_property, "objectId": cid}
            request(
                "POST",
                f"{dest.url}{HUBSPOT_GDPR_DELETE_PATH}",
                json.dumps(doc).encode(),
                {**headers, "Idempotency-Key": f"{key}-{cid}"},
                dest.retry,
            )

    return {"webhook": webhook, "hubspot": hubspot}[dest.type]


def _auth_headers(dest: Destination) -> dict[str, str]:
    if dest.auth is None:
        return {}
    secret = os.environ.get(dest.auth.env)
    if not secret:
        raise dest.config_error("auth.env", f"environment variable {dest.auth.env} is not set")
    return {dest.auth.header: f"{dest.auth.prefix}{secret}"}


def _csv(records: list[dict[str, Any]]) -> bytes:
    """Header is every field in first-seen order; a field a row lacks is left blank (Bulk API: unchanged)."""
    header = list(dict.fromkeys(field for record in records for field in record))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()
