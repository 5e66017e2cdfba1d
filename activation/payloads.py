"""Each destination's record shape: what one member (or one departure) looks like to that tool.

The shaped record is exactly what is sent, so its hash (activation.state) tells whether the
destination already holds it.
"""

from __future__ import annotations

from typing import Any

from activation.destinations import AD_AUDIENCE_TYPE, FILE_TYPES, Destination
from activation.identifiers import hashed_email, hashed_phone, normalise_email

# Google Ads Customer Match upload columns for pre-hashed identifiers.
AD_AUDIENCE_COLUMNS = ("Email", "Phone")


def check_fields(dest: Destination, columns: list[str]) -> None:
    unknown = sorted(set(dest.fields) - set(columns))
    if unknown and dest.type != AD_AUDIENCE_TYPE:
        raise dest.config_error("fields", f"unknown c360 column(s) {unknown}; available: {sorted(columns)}")


def shape_member(dest: Destination, member: dict[str, Any]) -> dict[str, Any] | None:
    """None when the member cannot be addressed in this destination (e.g. no email to match on)."""
    mapped = {field: member[column] for column, field in dest.fields.items()}
    if dest.type in FILE_TYPES:
        return mapped
    if dest.type == AD_AUDIENCE_TYPE:
        email, phone = hashed_email(member.get("email")), hashed_phone(member.get("phone"))
        return {"Email": email or "", "Phone": phone or ""} if email or phone else None
    if dest.type == "webhook":
        return {"op": "upsert", "customer_id": member["customer_id"], **mapped}
    match_id = _match_id(dest, member)
    if match_id is None:
        return None
    if dest.membership_property:
        mapped[dest.membership_property] = "true"
    if dest.type == "hubspot":
        properties = {k: v for k, v in mapped.items() if v is not None}  # a null would clear the CRM value
        return {"idProperty": _hubspot_id_property(dest), "id": match_id, "properties": properties}
    return {salesforce_match_field(dest): match_id, **{k: "" if v is None else v for k, v in mapped.items()}}


def shape_removal(dest: Destination, customer_id: str, contact: dict[str, Any] | None) -> dict[str, Any] | None:
    """None when the destination has no way to express a departure (files are rewritten whole;
    a CRM without a membership field keeps the contact) or the contact can no longer be addressed."""
    if dest.type == "webhook":
        return {"op": "remove", "customer_id": customer_id}
    if dest.is_file or not dest.membership_property:
        return None
    match_id = _match_id(dest, contact or {"customer_id": customer_id, "email": None})
    if match_id is None:
        return None
    if dest.type == "hubspot":
        return {
            "idProperty": _hubspot_id_property(dest),
            "id": match_id,
            "properties": {dest.membership_property: "false"},
        }
    return {salesforce_match_field(dest): match_id, dest.membership_property: "false"}


def _match_id(dest: Destination, member: dict[str, Any]) -> str | None:
    if dest.match_key == "external_id":
        return member["customer_id"]
    return normalise_email(member.get("email"))


def _hubspot_id_property(dest: Destination) -> str:
    return "email" if dest.match_key == "email" else str(dest.id_property)


def salesforce_match_field(dest: Destination) -> str:
    return "Email" if dest.match_key == "email" else str(dest.external_id_field)
