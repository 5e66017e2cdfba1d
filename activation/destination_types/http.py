"""What every HTTP destination type shares: its URL, batch size, secret and retry settings, the
auth header, and one JSON request carrying an idempotency key.

A type subclasses `HttpType` and says what a member looks like and how a batch is sent.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from activation.destination_types.base import Destination, DestinationType, Where, is_text, text
from activation.http_client import Retry, request

HTTP_KEYS = frozenset({"batch_size", "auth", "retry"})  # every HTTP type's keys, besides its URL's
DEFAULT_BATCH_SIZE = 500
MAX_BATCH_SIZE = 10_000


@dataclass(frozen=True)
class Auth:
    env: str  # environment variable holding the secret
    header: str = "Authorization"
    prefix: str = "Bearer "


@dataclass(frozen=True)
class HttpOptions:
    url: str  # the endpoint, or a CRM's base URL
    batch_size: int
    auth: Auth | None
    retry: Retry = field(default_factory=Retry)


class HttpType(DestinationType):
    """`url_key` names the URL's key (`url`, or `base_url` for an API the type appends paths to);
    a subclass's `keys` are HTTP_KEYS, its URL's key and its own."""

    url_key = "url"
    default_batch_size = DEFAULT_BATCH_SIZE
    max_batch_size = MAX_BATCH_SIZE
    max_batch_problem = ""  # the error when batch_size exceeds max_batch_size, for a vendor's own limit

    def parse_http(self, where: Where, spec: dict[str, Any]) -> dict[str, Any]:
        """The HTTP options as keyword arguments, for the type's own options dataclass."""
        url = text(where, spec, self.url_key)
        if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
            raise where.error(self.url_key, f"{url!r} is not an http(s) URL")
        batch_size = spec.get("batch_size", self.default_batch_size)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise where.error("batch_size", f"{batch_size!r} must be an integer from 1 to {MAX_BATCH_SIZE}")
        if batch_size > self.max_batch_size:
            raise where.error("batch_size", f"{batch_size} {self.max_batch_problem}")
        return {
            "url": url.rstrip("/") if self.url_key == "base_url" else url,
            "batch_size": batch_size,
            "auth": _auth(where, spec.get("auth")),
            "retry": _retry(where, spec.get("retry")),
        }

    def target(self, dest: Destination, exports: Path) -> str:
        return dest.options.url

    def batches(self, dest: Destination, records: list[Any]) -> list[list[Any]]:
        size = dest.options.batch_size
        return [records[start : start + size] for start in range(0, len(records), size)]

    def auth_headers(self, dest: Destination) -> dict[str, str]:
        """Read the secret now: a missing one fails the sync before anything is sent."""
        auth = dest.options.auth
        if auth is None:
            return {}
        return {auth.header: f"{auth.prefix}{self.secret(dest, auth.env, 'auth.env')}"}

    def secret(self, dest: Destination, env: str, key: str) -> str:
        """The value of environment variable `env`, named by the destination's `key`."""
        value = os.environ.get(env)
        if not value:
            raise dest.config_error(key, f"environment variable {env} is not set")
        return value


def send_json(dest: Destination, headers: dict[str, str], method: str, url: str, doc: Any, key: str) -> bytes:
    """One JSON request with the destination's retries; `key` is its Idempotency-Key."""
    body = json.dumps(doc).encode()
    sent = {**headers, "Content-Type": "application/json", "Idempotency-Key": key}
    return request(method, url, body, sent, dest.options.retry)


def idempotency_key(destination: str, segment: str, records: list[dict]) -> str:
    """Same batch content, same key: a receiver can drop a batch it already applied."""
    content = json.dumps([destination, segment, records], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def _auth(where: Where, raw: Any) -> Auth | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not is_text(raw.get("env")):
        raise where.error(
            "auth",
            "must be a mapping with 'env' naming the environment variable holding the secret (never the secret itself)",
        )
    unknown = set(raw) - {"env", "header", "prefix"}
    if unknown:
        raise where.error("auth", f"unknown key(s) {sorted(unknown)}")
    return Auth(env=raw["env"], header=raw.get("header", "Authorization"), prefix=raw.get("prefix", "Bearer "))


def _retry(where: Where, raw: Any) -> Retry:
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
