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


CONTACTS = Entity(
    "contacts",
    (
        Field("contact_id", "id", required=True),
        *_text("first_name", "last_name"),
        Field("email", "email"),
        *_text("additional_emails", "phone", "company_name", "job_title", "street", "city", "postal_code"),
        Field("date_of_birth", "date", birth_date=True),
        Field("lifecycle_stage", case="lower"),
        Field("owner", "id"),
        Field("created_at", "timestamp", happened=True),
        Field("updated_at", "timestamp", required=True, happened=True),
        Field("is_archived", "boolean"),
        Field("email_opt_out", "boolean"),  # CRM opt-outs, read by marts.customer_consent
        Field("do_not_call", "boolean"),
    ),
    primary_key="contact_id",
    updated_at="updated_at",
)
COMPANIES = Entity(
    "companies",
    (
        Field("company_id", "id", required=True),
        *_text("name", "domain", "industry"),
        Field("employees", "integer"),
        *_text("city", "country"),
        Field("created_at", "timestamp", happened=True),
        Field("updated_at", "timestamp", required=True, happened=True),
        Field("is_archived", "boolean"),
    ),
    primary_key="company_id",
    updated_at="updated_at",
)
DEALS = Entity(
    "deals",
    (
        Field("deal_id", "id", required=True),
        Field("deal_name"),
        Field("stage", case="lower"),
        Field("pipeline"),
        Field("amount", "number"),
        Field("close_date", "timestamp"),
        Field("owner", "id"),
        Field("contact_id", "id"),
        Field("company_id", "id"),
        Field("created_at", "timestamp", happened=True),
        Field("updated_at", "timestamp", required=True, happened=True),
        Field("is_archived", "boolean"),
    ),
    primary_key="deal_id",
    updated_at="updated_at",
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
