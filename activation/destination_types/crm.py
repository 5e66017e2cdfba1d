"""What the CRM types (HubSpot, Salesforce) share: a required field mapping, a match key (the
lower-cased email, or the c360 customer id kept in an external-id field) and an optional
membership field set true as customers enter the segment and false as they leave.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from activation.destination_types.base import Destination, Record, Where, parse_fields
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
    url_key = "base_url"

    def parse_crm(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
        """(fields, the CRM options as keyword arguments) without the type's own keys."""
        http = self.parse_http(where, spec)
        if "fields" not in spec:
            raise where.error("fields", "required: a mapping of c360 column -> CRM field")
        fields = parse_fields(where, spec, ())
        match_key = spec.get("match_key", "email")
        if match_key not in MATCH_KEYS:
            raise where.error("match_key", f"{match_key!r} is not one of {list(MATCH_KEYS)}")
        return fields, {**http, "match_key": match_key}

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
