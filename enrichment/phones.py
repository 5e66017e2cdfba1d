"""Country, region, line type and time zone of a phone number from `phonenumbers`' own metadata."""

from __future__ import annotations

import functools
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder, timezone

LINE_TYPES = {value: name for name, value in vars(PhoneNumberType).items() if name.isupper()}
UNKNOWN_TIMEZONE = "Etc/Unknown"


class PhoneFacts(NamedTuple):
    country: str  # ISO 3166-1 alpha-2
    region: str | None  # geocoder description (a city or state), none for mobiles in most countries
    line_type: str  # FIXED_LINE, MOBILE, FIXED_LINE_OR_MOBILE, TOLL_FREE, VOIP, ...
    timezone: str | None  # IANA zone when the number maps to exactly one


@functools.cache
def describe_phone(raw: str, default_region: str) -> PhoneFacts | None:
    """Facts about a valid number; None when it cannot be parsed or is not a valid number (those
    are counted as invalid in the coverage, never guessed). `default_region` applies to numbers
    written without a country code."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    # is_valid_number, number_type, the geocoder and the time-zone lookup would each work out the
    # region and line type again: do it once (phone numbers are most of the enrichment's time).
    region = phonenumbers.region_code_for_number(number)
    if region is None or not phonenumbers.is_valid_number_for_region(number, region):
        return None
    line_type = phonenumbers.number_type(number)
    if phonenumbers.is_number_type_geographical(line_type, number.country_code):
        zones = timezone.time_zones_for_geographical_number(number)
    else:
        zones = timezone.time_zones_for_number(number)
    zones = [zone for zone in zones if zone != UNKNOWN_TIMEZONE]
    return PhoneFacts(
        country=region,
        region=geocoder.description_for_valid_number(number, "en") or None,
        line_type=LINE_TYPES[line_type],
        timezone=zones[0] if len(zones) == 1 else None,
    )
