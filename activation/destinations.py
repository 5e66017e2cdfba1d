"""Destination configuration: parsed and validated up front so a typo fails loudly, naming the key.

Every check lives here, and every message names the file, the destination and the bad field.
Secrets never appear in the YAML: a destination names the environment variable that holds them.
The file also declares the consent purposes and what an unknown consent means for each
(`consent:`); every destination names the purposes it serves, so none can skip consent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from c360.errors import UserError
from c360.settings import CONFIG_DIR

DESTINATIONS_FILE = CONFIG_DIR / "destinations.yml"

FILE_TYPES = ("csv", "parquet", "jsonl")
AD_AUDIENCE_TYPE = "ad_audience"
HTTP_TYPES = ("webhook", "hubspot", "salesforce")
TYPES = (*FILE_TYPES, AD_AUDIENCE_TYPE, *HTTP_TYPES)
MODES = ("full", "diff")
UNKNOWN_CONSENT = ("grant", "deny")  # what a customer without any consent signal for a purpose counts as
DEFAULT_MAX_REMOVAL_SHARE = 0.5  # a sync removing more of a destination's members stops (--allow-mass-removal)
MATCH_KEYS = ("email", "external_id")
HUBSPOT_MAX_BATCH = 100
DEFAULT_FILE_FIELDS = ("customer_id", "email", "first_name", "last_name", "phone", "company_name", "since")
DEFAULT_WEBHOOK_FIELDS = ("customer_id", "email", "first_name", "last_name", "phone", "company_name")

COMMON_KEYS = {"type", "segment", "mode", "purposes", "fields", "max_removal_share"}
KEYS_BY_TYPE: dict[str, set[str]] = {
    **{t: {"path"} for t in FILE_TYPES},
    AD_AUDIENCE_TYPE: {"path"},
    "webhook": {"url", "batch_size", "auth", "retry"},
    "hubspot": {"base_url", "batch_size", "auth", "retry", "match_key", "id_property", "membership_property"},
    "salesforce": {
        "base_url",
        "batch_size",
        "auth",
        "retry",
        "match_key",
        "object",
        "external_id_field",
        "membership_field",
    },
}


class DestinationConfigError(UserError, ValueError):
    """A destinations file is invalid; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class Auth:
    env: str  # environment variable holding the secret
    header: str = "Authorization"
    prefix: str = "Bearer "


@dataclass(frozen=True)
class Retry:
    max_retries: int = 5
    backoff_s: float = 1.0  # first wait; doubles on each retry
    max_backoff_s: float = 60.0
    timeout_s: float = 30.0  # per request; a slower response counts as a retryable failure


@dataclass(frozen=True)
class Destination:
    """One configured destination. `fields` maps c360 column -> destination field name."""

    name: str
    config_file: Path  # where it was configured, for error messages found only at sync time
    type: str
    segment: str
    mode: str
    purposes: tuple[str, ...]  # consent purposes this destination serves; members need all of them granted
    fields: dict[str, str]
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    path: str | None = None  # file types, relative to Settings.exports
    url: str | None = None  # webhook endpoint, or the CRM base URL
    batch_size: int = 500
    auth: Auth | None = None
    retry: Retry = field(default_factory=Retry)
    match_key: str = "email"
    id_property: str | None = None  # hubspot: property holding the external id
    membership_property: str | None = None  # CRM field set true/false as customers enter/leave
    sf_object: str = "Contact"
    external_id_field: str | None = None  # salesforce: external id field (match_key external_id)

    def config_error(self, key: str, problem: str) -> DestinationConfigError:
        return _Where(self.config_file, self.name).error(key, problem)

    @property
    def is_file(self) -> bool:
        return self.type in FILE_TYPES or self.type == AD_AUDIENCE_TYPE


@dataclass(frozen=True)
class ActivationConfig:
    destinations: dict[str, Destination]
    unknown_consent: dict[str, str]  # purpose -> grant | deny: the declared purposes and their default


def load_destinations(path: Path = DESTINATIONS_FILE) -> dict[str, Destination]:
    return load_config(path).destinations


def load_config(path: Path = DESTINATIONS_FILE) -> ActivationConfig:
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DestinationConfigError(f"{path}: cannot read destinations: {exc}") from exc
    doc = doc if isinstance(doc, dict) else {}
    unknown_consent = _consent(path, doc.get("consent"))
    entries = doc.get("destinations")
    if not isinstance(entries, dict) or not entries:
        raise DestinationConfigError(f"{path}: 'destinations' must be a mapping of name -> settings")
    destinations = {str(name): _parse(_Where(path, str(name)), spec, unknown_consent) for name, spec in entries.items()}
    return ActivationConfig(destinations, unknown_consent)


def _consent(path: Path, raw: Any) -> dict[str, str]:
    """`consent: {<purpose>: {unknown: grant|deny}}`: the purposes destinations may declare."""
    if not isinstance(raw, dict) or not raw:
        raise DestinationConfigError(f"{path}: consent: required, a mapping of purpose -> {{unknown: grant|deny}}")
    policy = {}
    for purpose, spec in raw.items():
        value = spec.get("unknown") if isinstance(spec, dict) else None
        if value not in UNKNOWN_CONSENT or set(spec) != {"unknown"}:
            raise DestinationConfigError(f"{path}: consent.{purpose}: must be {{unknown: grant}} or {{unknown: deny}}")
        policy[str(purpose)] = value
    return policy


@dataclass(frozen=True)
class _Where:
    path: Path
    name: str

    def error(self, key: str | None, problem: str) -> DestinationConfigError:
        at = f"destinations.{self.name}" + (f".{key}" if key else "")
        return DestinationConfigError(f"{self.path}: {at}: {problem}")


def _parse(where: _Where, spec: Any, unknown_consent: dict[str, str]) -> Destination:
    if not isinstance(spec, dict):
        raise where.error(None, "must be a mapping")
    kind = spec.get("type")
    if kind not in TYPES:
        raise where.error("type", f"{kind!r} is not one of {list(TYPES)}")
    unknown = set(spec) - COMMON_KEYS - KEYS_BY_TYPE[kind]
    if unknown:
        raise where.error(None, f"unknown key(s) {sorted(unknown)} for type {kind}")
    segment = _text(where, spec, "segment")
    mode = spec.get("mode", "full")
    if mode not in MODES:
        raise where.error("mode", f"{mode!r} is not one of {list(MODES)}")
    if mode == "diff" and kind not in HTTP_TYPES:
        raise where.error("mode", "diff needs an HTTP destination; a file is always rewritten in full")
    purposes = spec.get("purposes")
    if not isinstance(purposes, list) or not purposes or not all(_is_text(p) for p in purposes):
        raise where.error(
            "purposes", f"required: a list of the consent purposes it serves, from {sorted(unknown_consent)}"
        )
    undeclared = sorted(set(purposes) - set(unknown_consent))
    if undeclared:
        raise where.error("purposes", f"{undeclared} not declared under consent:; known: {sorted(unknown_consent)}")
    share = spec.get("max_removal_share", DEFAULT_MAX_REMOVAL_SHARE)
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        raise where.error("max_removal_share", f"{share!r} must be a number from 0 to 1")
    common = dict(
        name=where.name,
        config_file=where.path,
        type=kind,
        segment=segment,
        mode=mode,
        purposes=tuple(dict.fromkeys(purposes)),
        max_removal_share=float(share),
    )
    if kind in FILE_TYPES or kind == AD_AUDIENCE_TYPE:
        if kind == AD_AUDIENCE_TYPE and "fields" in spec:
            raise where.error("fields", "an ad audience always sends hashed email and phone")
        path = _text(where, spec, "path")
        if Path(path).is_absolute() or ".." in Path(path).parts:
            raise where.error("path", f"{path!r} must stay inside the exports folder (a relative path without '..')")
        return Destination(**common, fields=_fields(where, spec, DEFAULT_FILE_FIELDS), path=path)
    return _http(where, spec, common)


def _http(where: _Where, spec: dict, common: dict) -> Destination:
    kind = common["type"]
    url_key = "url" if kind == "webhook" else "base_url"
    url = _text(where, spec, url_key)
    if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        raise where.error(url_key, f"{url!r} is not an http(s) URL")
    batch_size = spec.get("batch_size", HUBSPOT_MAX_BATCH if kind == "hubspot" else 500)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= 10_000:
        raise where.error("batch_size", f"{batch_size!r} must be an integer from 1 to 10000")
    if kind == "hubspot" and batch_size > HUBSPOT_MAX_BATCH:
        raise where.error("batch_size", f"{batch_size} exceeds HubSpot's batch limit of {HUBSPOT_MAX_BATCH}")
    http = dict(
        url=url.rstrip("/") if kind != "webhook" else url,
        batch_size=batch_size,
        auth=_auth(where, spec.get("auth")),
        retry=_retry(where, spec.get("retry")),
    )
    if kind == "webhook":
        return Destination(**common, **http, fields=_fields(where, spec, DEFAULT_WEBHOOK_FIELDS))
    if "fields" not in spec:
        raise where.error("fields", "required: a mapping of c360 column -> CRM field")
    fields = _fields(where, spec, ())
    match_key = spec.get("match_key", "email")
    if match_key not in MATCH_KEYS:
        raise where.error("match_key", f"{match_key!r} is not one of {list(MATCH_KEYS)}")
    if kind == "hubspot":
        id_property = spec.get("id_property")
        if match_key == "external_id" and not _is_text(id_property):
            raise where.error(
                "id_property", "required with match_key external_id (the HubSpot property holding the c360 customer_id)"
            )
        return Destination(
            **common,
            **http,
            fields=fields,
            match_key=match_key,
            id_property=id_property,
            membership_property=_optional_text(where, spec, "membership_property"),
        )
    external_id_field = spec.get("external_id_field")
    if match_key == "external_id" and not _is_text(external_id_field):
        raise where.error("external_id_field", "required with match_key external_id (e.g. C360_Id__c)")
    return Destination(
        **common,
        **http,
        fields=fields,
        match_key=match_key,
        external_id_field=external_id_field,
        sf_object=_optional_text(where, spec, "object") or "Contact",
        membership_property=_optional_text(where, spec, "membership_field"),
    )


def _fields(where: _Where, spec: dict, default: tuple[str, ...]) -> dict[str, str]:
    raw = spec.get("fields")
    if raw is None:
        return {c: c for c in default}
    if isinstance(raw, list) and raw and all(_is_text(c) for c in raw):
        return {c: c for c in raw}
    if isinstance(raw, dict) and raw and all(_is_text(k) and _is_text(v) for k, v in raw.items()):
        return {str(k): str(v) for k, v in raw.items()}
    raise where.error("fields", "must be a non-empty list of c360 columns or a mapping column -> field name")


def _auth(where: _Where, raw: Any) -> Auth | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not _is_text(raw.get("env")):
        raise where.error(
            "auth",
            "must be a mapping with 'env' naming the environment variable holding the secret (never the secret itself)",
        )
    unknown = set(raw) - {"env", "header", "prefix"}
    if unknown:
        raise where.error("auth", f"unknown key(s) {sorted(unknown)}")
    return Auth(env=raw["env"], header=raw.get("header", "Authorization"), prefix=raw.get("prefix", "Bearer "))


def _retry(where: _Where, raw: Any) -> Retry:
    if raw is None:
        return Retry()
    if not isinstance(raw, dict):
        raise where.error("retry", "must be a mapping")
    defaults = Retry()
    values = {}
    for key, value in raw.items():
        if key not in defaults.__dataclass_fields__:
            raise where.error(f"retry.{key}", f"unknown; expected one of {sorted(defaults.__dataclass_fields__)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise where.error(f"retry.{key}", f"{value!r} must be a non-negative number")
        values[key] = int(value) if key == "max_retries" else float(value)
    return Retry(**values)


def _text(where: _Where, spec: dict, key: str) -> str:
    if not _is_text(spec.get(key)):
        raise where.error(key, "required, a non-empty string")
    return spec[key]


def _optional_text(where: _Where, spec: dict, key: str) -> str | None:
    if key in spec and not _is_text(spec[key]):
        raise where.error(key, "must be a non-empty string")
    return spec.get(key)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
