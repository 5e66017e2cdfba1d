"""What the CRM types (HubSpot, Salesforce) share: a required field mapping, a match key (the
lower-cased email, or the c360 customer id kept in an external-id field) and an optional
membership field set true as customers enter the segment and false as they leave.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from activation.destination_types.base import Destination, Record, Where, is_text, optional_text, parse_fields
from activation.destination_types.http import HTTP_KEYS, HttpOptions, HttpType
from activation.identifiers import normalise_email

MATCH_KEYS = ("email", "external_id")
CRM_KEYS = HTTP_KEYS | {"base_url", "match_key"}


@dataclass(frozen=True)
class CrmOptions(HttpOptions):
    match_key: str = "email"
    external_id: str | None = None  # the CRM field holding the c360 customer_id (match_key external_id)
    membership: str | None = None  # the CRM field set "true" / "false" as customers enter / leave


class CrmType(HttpType):
    """Subclasses name their keys for the external-id and membership fields, and the CRM's email field."""

    url_key = "base_url"
    external_id_key: str  # e.g. id_property
    external_id_hint: str  # what the external-id field is, for the error when it is missing
    membership_key: str  # e.g. membership_property
    email_field: str  # the CRM field matched on with match_key email

    def parse_crm(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
        """(fields, the CRM options as keyword arguments)."""
        http = self.parse_http(where, spec)
        if "fields" not in spec:
            raise where.error("fields", "required: a mapping of c360 column -> CRM field")
        fields = parse_fields(where, spec, ())
        match_key = spec.get("match_key", "email")
        if match_key not in MATCH_KEYS:
            raise where.error("match_key", f"{match_key!r} is not one of {list(MATCH_KEYS)}")
        external_id = spec.get(self.external_id_key)
        if match_key == "external_id" and not is_text(external_id):
            raise where.error(self.external_id_key, f"required with match_key external_id ({self.external_id_hint})")
        membership = optional_text(where, spec, self.membership_key)
        return fields, {**http, "match_key": match_key, "external_id": external_id, "membership": membership}

    def match_field(self, dest: Destination) -> str:
        """The CRM field a record is matched on."""
        return self.email_field if dest.options.match_key == "email" else str(dest.options.external_id)

    def match_id(self, dest: Destination, member: Record) -> str | None:
        if dest.options.match_key == "external_id":
            return member["customer_id"]
        return normalise_email(member.get("email"))

    def shape_member(self, dest: Destination, member: Record) -> Record | None:
        match_id = self.match_id(dest, member)
        if match_id is None:
            return None
        mapped = {field: member[column] for column, field in dest.fields.items()}
        if dest.options.membership:
            mapped[dest.options.membership] = "true"
        return self.upsert(dest, match_id, mapped)

    def shape_removal(self, dest: Destination, customer_id: str, contact: Record | None) -> Record | None:
        """Without a membership field a leaving member is only forgotten: the CRM keeps the contact."""
        if not dest.options.membership:
            return None
        match_id = self.match_id(dest, contact or {"customer_id": customer_id, "email": None})
        return None if match_id is None else self.departure(dest, match_id)

    @abstractmethod
    def upsert(self, dest: Destination, match_id: str, mapped: Record) -> Record:
        """The record that creates or updates the contact with these mapped fields."""

    @abstractmethod
    def departure(self, dest: Destination, match_id: str) -> Record:
        """The record that sets the contact's membership field to false."""
