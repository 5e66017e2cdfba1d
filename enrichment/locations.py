"""Region (state) and country from a postcode or city (`zipcodes`, US only) or a country name
(`pycountry`). Only what the shipped data settles is returned: a ZIP outside the US data set, a
city name shared by several states with no principal one, or a postcode of a customer known to live elsewhere gives
nothing rather than a guess."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from typing import NamedTuple

import pycountry
import zipcodes

US_ZIP = re.compile(r"(\d{5})(?:-?\d{4})?")
# A US city name settles the state when that state holds this share of the ZIP codes named after
# the city: Philadelphia (PA: 87 of 91) and Boston (MA: 55 of 62) do; Springfield (IL 38, MA 23,
# MO 16, ... of 119) and Columbus (OH 48 of 91) do not.
PRINCIPAL_CITY_SHARE = 0.8


class LocationFacts(NamedTuple):
    country: str  # ISO 3166-1 alpha-2
    region: str | None  # ISO 3166-2 subdivision code without the country, e.g. NY
    city: str | None
    based_on: str  # postcode, city or country: which input settled it


@functools.cache
def country_code(name: str) -> str | None:
    """`United Kingdom`, `GB`, `GBR` or `gb` -> GB; None when pycountry does not know the name."""
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return None


@functools.cache
def _zip_index() -> dict[str, tuple[str, str]]:
    """ZIP -> (state, city): one pass over the data set instead of a scan per `zipcodes.matching`."""
    return {zipcode["zip_code"]: (zipcode["state"], zipcode["city"]) for zipcode in zipcodes.list_all()}


@functools.cache
def _state_of_city() -> dict[str, str]:
    """Lower-cased US city name -> the state holding PRINCIPAL_CITY_SHARE of its ZIP codes."""
    zips_by_city: dict[str, Counter[str]] = defaultdict(Counter)
    for zipcode in zipcodes.list_all():
        for city in {zipcode["city"], *zipcode["acceptable_cities"]}:
            zips_by_city[city.lower()][zipcode["state"]] += 1
    principal = {}
    for city, states in zips_by_city.items():
        state, zips = states.most_common(1)[0]
        if zips >= PRINCIPAL_CITY_SHARE * states.total():
            principal[city] = state
    return principal


@functools.cache
def describe_location(
    postcode: str | None, city: str | None, country: str | None, phone_country: str | None = None
) -> LocationFacts | None:
    """`country` is the customer's stated country (any spelling pycountry knows); without one, the
    phone's country decides whether the US data set applies to a postcode or city."""
    code = country_code(country) if country else None
    assumed = code or phone_country
    if assumed in (None, "US"):
        match = US_ZIP.fullmatch(postcode.strip()) if postcode else None
        found = _zip_index().get(match.group(1)) if match else None
        if found:
            return LocationFacts("US", *found, "postcode")
    if assumed == "US" and city:
        state = _state_of_city().get(city.strip().lower())
        if state:
            return LocationFacts("US", state, city.strip(), "city")
    return LocationFacts(code, None, None, "country") if code else None
