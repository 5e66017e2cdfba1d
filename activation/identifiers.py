"""Normalised, hashed identifiers: the form ad platforms match on and privacy suppressions are keyed by.

The normalisation follows Google Customer Match / Meta custom audiences: email trimmed and
lower-cased, phone in E.164 with its leading '+', then SHA-256 as lowercase hex. The privacy
stage keys `privacy.suppressions.identity_hash` with these same `hashed_email` / `hashed_phone` so the two agree.
"""

from __future__ import annotations

import functools
import hashlib

import phonenumbers

from identity.config import load_identity_config


def normalise_email(raw: str | None) -> str | None:
    email = (raw or "").strip().lower()
    return email if "@" in email else None


@functools.lru_cache(maxsize=1)
def _default_region() -> str:
    return load_identity_config().phone_default_region


def to_e164(raw: str | None, default_region: str | None = None) -> str | None:
    """None when the number cannot be a real phone number; sending garbage would only waste a match."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_region or _default_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hashed_email(raw: str | None) -> str | None:
    email = normalise_email(raw)
    return sha256_hex(email) if email else None


def hashed_phone(raw: str | None) -> str | None:
    phone = to_e164(raw)
    return sha256_hex(phone) if phone else None
