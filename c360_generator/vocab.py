"""Built-in word lists, so the generator needs no download and no faker dependency.

Weights make some names common (Smith, John) so that distinct people naturally share
names, which is exactly the kind of hard negative identity resolution must survive. The lists
are data, kept in vocab.yml beside this module; here they get their Python types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_VOCAB: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("vocab.yml").read_text(encoding="utf-8"))


def _rows(key: str) -> list[tuple]:
    """A list of rows as tuples (YAML has lists only), a list inside a row as a tuple too."""
    return [tuple(tuple(value) if isinstance(value, list) else value for value in row) for row in _VOCAB[key]]


FIRST_NAMES: list[tuple[str, int]] = _rows("first_names")
LAST_NAMES: list[tuple[str, int]] = _rows("last_names")
NICKNAMES: dict[str, list[str]] = _VOCAB["nicknames"]
EMAIL_PERSONAL_DOMAINS: list[tuple[str, int]] = _rows("email_personal_domains")
STREET_NAMES: list[str] = _VOCAB["street_names"]
STREET_SUFFIXES: list[str] = _VOCAB["street_suffixes"]
CITIES: list[tuple[str, str, str, tuple[str, ...]]] = _rows("cities")
JOB_TITLES: list[str] = _VOCAB["job_titles"]
COMPANY_WORDS_A: list[str] = _VOCAB["company_words_a"]
COMPANY_WORDS_B: list[str] = _VOCAB["company_words_b"]
COMPANY_SUFFIXES: list[str] = _VOCAB["company_suffixes"]
INDUSTRIES: list[str] = _VOCAB["industries"]
COMPANY_COUNTRIES: list[tuple[str, int]] = _rows("company_countries")
FOREIGN_CITIES: dict[str, list[str]] = _VOCAB["foreign_cities"]
OWNERS: list[str] = _VOCAB["owners"]
LIFECYCLE_STAGES: list[tuple[str, int]] = _rows("lifecycle_stages")
DEAL_STAGES: list[tuple[str, int]] = _rows("deal_stages")
DEAL_PRODUCTS: list[str] = _VOCAB["deal_products"]
ACTIVITY_SUBJECTS: dict[str, list[str]] = _VOCAB["activity_subjects"]
SITE: str = _VOCAB["site"]
PAGES: dict[str, str] = _VOCAB["pages"]
BROWSE_PATHS: list[tuple[str, int]] = _rows("browse_paths")
PRODUCTS: list[tuple[str, str, float]] = _rows("products")
REFERRERS: list[tuple[str, int]] = _rows("referrers")
UTM_CAMPAIGNS: list[tuple[str, str, str, str, str]] = _rows("utm_campaigns")
USER_AGENTS_DESKTOP: list[str] = _VOCAB["user_agents_desktop"]
USER_AGENTS_MOBILE: list[str] = _VOCAB["user_agents_mobile"]
CAMPAIGNS: list[tuple[str, str, float]] = _rows("campaigns")
CAMPAIGN_LINK_PATHS: list[str] = _VOCAB["campaign_link_paths"]
