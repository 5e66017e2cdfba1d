"""The raw tables that mapped exports (CRM, email tool) land in: c360 column names, types and keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "id", "email", "timestamp", "date", "number", "integer", "boolean"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()  # allowed values after trimming and case folding
    case: Literal["lower", "upper"] | None = None
    happened: bool = False  # a timestamp of something past: later than now + tolerance is implausible
    birth_date: bool = False  # outside config/ingestion.yml's birth-date range is implausible


@dataclass(frozen=True)
class Entity:
    table: str
    fields: tuple[Field, ...]
    primary_key: str
    updated_at: str | None = None  # the latest version of a record wins within a load
    key_of: tuple[str, ...] = ()  # primary key is a hash of these columns (exports without an id): immutable rows


def _text(*names: str) -> tuple[Field, ...]:
    return tuple(Field(name) for name in names)


# what every versioned CRM record ends with: when it was made and changed (the latest change wins), and whether it is archived
VERSIONED = (
    Field("created_at", "timestamp", happened=True),
    Field("updated_at", "timestamp", required=True, happened=True),
    Field("is_archived", "boolean"),
)


def _versioned(table: str, primary_key: str, *fields: Field, after: tuple[Field, ...] = ()) -> Entity:
    """A CRM record kept at its latest `updated_at`: its id, `fields`, the VERSIONED ones, then `after`."""
    columns = (Field(primary_key, "id", required=True), *fields, *VERSIONED, *after)
    return Entity(table, columns, primary_key, updated_at="updated_at")


CONTACTS = _versioned(
    "contacts",
    "contact_id",
    *_text("first_name", "last_name"),
    Field("email", "email"),
    *_text("additional_emails", "phone", "company_name", "job_title", "street", "city", "postal_code"),
    Field("date_of_birth", "date", birth_date=True),
    Field("lifecycle_stage", case="lower"),
    Field("owner", "id"),
    # CRM opt-outs, read by marts.customer_consent
    after=(Field("email_opt_out", "boolean"), Field("do_not_call", "boolean")),
)
COMPANIES = _versioned(
    "companies",
    "company_id",
    *_text("name", "domain", "industry"),
    Field("employees", "integer"),
    *_text("city", "country"),
)
DEALS = _versioned(
    "deals",
    "deal_id",
    Field("deal_name"),
    Field("stage", case="lower"),
    Field("pipeline"),
    Field("amount", "number"),
    Field("close_date", "timestamp"),
    Field("owner", "id"),
    Field("contact_id", "id"),
    Field("company_id", "id"),
)
ACTIVITIES = Entity(
    "activities",
    (
        Field("activity_id", "id", required=True),
        Field("activity_type", required=True, case="upper"),  # HubSpot: CALL, MEETING, NOTE, EMAIL, TASK
        Field("occurred_at", "timestamp", required=True),
        Field("contact_id", "id"),
        Field("deal_id", "id"),
        Field("owner", "id"),
        Field("subject"),
        Field("is_archived", "boolean"),
    ),
    primary_key="activity_id",
)
CAMPAIGNS = Entity(
    "campaigns",
    (
        Field("campaign_id", "id", required=True),
        *_text("campaign_name", "subject"),
        Field("sent_at", "timestamp"),
    ),
    primary_key="campaign_id",
)
EMAIL_ACTIVITY = Entity(
    "activity",
    (
        Field("recipient_id", "id"),
        Field("email", "email", required=True),
        *_text("first_name", "last_name"),
        Field("campaign_id", "id", required=True),
        Field(
            "action",
            required=True,
            case="lower",
            choices=("sent", "open", "click", "bounce", "unsubscribe", "spam"),
        ),
        Field("occurred_at", "timestamp", required=True, happened=True),
        Field("url"),
        Field("bounce_type", case="lower", choices=("hard", "soft")),
    ),
    primary_key="activity_id",
    key_of=("email_normalized", "campaign_id", "action", "occurred_at", "url", "bounce_type"),
)

CRM_ENTITIES = (CONTACTS, COMPANIES, DEALS, ACTIVITIES)
EMAIL_ENTITIES = (CAMPAIGNS, EMAIL_ACTIVITY)
