"""Email-tool audiences (`raw_email.audience`): one row per subscriber per tool, with status and consent.

Each tool's export shape is configuration: an `audience` section in config/sources/<tool>.yml
(Mailchimp's subscribed/unsubscribed/cleaned member exports, Klaviyo's profile export). A
Mailchimp file says the status by its name, so its section sets `values: {status: ...}`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ingestion.entities import Entity, Field
from ingestion.mapping import ExportMapping, MappingError, load_mapping

# Mailchimp member statuses (https://mailchimp.com/developer/marketing/api/list-members/) and
# Klaviyo's email consent states (SUBSCRIBED, UNSUBSCRIBED, NEVER_SUBSCRIBED)
STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived", "never_subscribed")

AUDIENCE = Entity(
    "audience",
    (
        Field("tool", required=True, case="lower"),  # which email tool's audience: mailchimp, klaviyo
        Field("subscriber_id", "id"),  # the tool's id for the subscriber (Mailchimp EUID = mc_eid in links)
        Field("email", "email", required=True),
        Field("first_name"),
        Field("last_name"),
        Field("phone"),
        Field("address"),  # one-line address (Mailchimp's Address merge field)
        Field("street"),
        Field("city"),
        Field("region"),
        Field("postal_code"),
        Field("country"),
        Field("company"),
        Field("status", required=True, case="lower", choices=STATUSES),
        Field("member_rating", "integer"),  # Mailchimp's 1-5 star engagement rating
        Field("opted_in_at", "timestamp"),
        Field("consent_at", "timestamp"),  # when the current status was confirmed
        Field("last_changed_at", "timestamp"),
        Field("last_activity_at", "timestamp"),
        Field("unsubscribed_at", "timestamp"),
        Field("unsubscribe_reason"),
        Field("cleaned_at", "timestamp"),
    ),
    primary_key="subscriber_key",
    updated_at="last_changed_at",
    key_of=("tool", "email_normalized"),
)


def audience_mapping(tools: Sequence[str], entities: Sequence[Entity]) -> ExportMapping:
    """The `audience` sections of every tool's mapping file, as one mapping (first matching kind wins)."""
    mappings = [load_mapping(tool.strip(), entities) for tool in tools if tool.strip()]
    kinds = tuple(kind for m in mappings for kind in m.entities.get(AUDIENCE.table, ()))
    if not kinds:
        raise MappingError(f"no audience section in the mapping files of {list(tools)}")
    delimiters = {m.delimiter for m in mappings if AUDIENCE.table in m.entities}
    if len(delimiters) > 1:
        raise MappingError(
            f"audience exports of {list(tools)} declare different csv_delimiter values {sorted(delimiters)}"
        )
    return ExportMapping(
        path=mappings[0].path,
        digest=hashlib.sha256("".join(m.digest for m in mappings).encode()).hexdigest(),
        delimiter=delimiters.pop(),
        entities={AUDIENCE.table: kinds},
    )
