"""The destination-type interface, and the configuration primitives every type parses with.

A destination type is one object (registered by name in `activation.destination_types`) that knows
everything particular to one kind of tool: which keys its YAML entry takes, what a member and a
departure look like there, how a batch travels, and how an erasure is forwarded. Everything else
(consent, diffs, state, batching, reports, the erasure queue) is the same for every type and never
asks which type it serves.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from c360.errors import UserError

Record = dict[str, Any]
Sender = Callable[[list[Record]], None]  # returns once the destination accepted the whole batch


class DestinationConfigError(UserError, ValueError):
    """A destinations file is invalid; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class Where:
    """Where a destination is configured, so every error names the file, the destination and the key."""

    path: Path
    name: str

    def error(self, key: str | None, problem: str) -> DestinationConfigError:
        at = f"destinations.{self.name}" + (f".{key}" if key else "")
        return DestinationConfigError(f"{self.path}: {at}: {problem}")


@dataclass(frozen=True)
class Destination:
    """One configured destination. `fields` maps c360 column -> destination field name; `options`
    holds what only its type takes (a path, a URL, a match key...), as that type's own dataclass."""

    name: str
    config_file: Path  # where it was configured, for error messages found only at sync time
    kind: DestinationType
    segment: str
    mode: str
    purposes: tuple[str, ...]  # consent purposes this destination serves; members need all of them granted
    fields: dict[str, str]
    max_removal_share: float
    options: Any

    @property
    def type(self) -> str:
        return self.kind.name

    @property
    def is_file(self) -> bool:
        return self.kind.local

    def config_error(self, key: str, problem: str) -> DestinationConfigError:
        return Where(self.config_file, self.name).error(key, problem)


NOT_FORWARDABLE = "not_forwardable"  # the method recorded for a removal c360 cannot make


@dataclass(frozen=True)
class Erasure:
    """How a destination is told that a person was erased (recorded per destination in
    privacy.erasure_forwarding)."""

    method: str  # recorded as the removal's method
    local: bool = False  # done at once by `c360 forget` (a file); otherwise on the next sync or `forget --now`
    needs_address: bool = False  # keyed by the email's hash: sent only when the requester gives the address again
    not_forwardable: str | None = None  # why it cannot be forwarded, for the audit; None when it can

    @classmethod
    def refused(cls, reason: str) -> Erasure:
        """A destination c360 cannot remove a person from: `reason` says what to do by hand."""
        return cls(NOT_FORWARDABLE, not_forwardable=reason)


@dataclass(frozen=True)
class ErasureRequest:
    """One queued removal, keyed by what the destination knows: never an email, phone or name,
    except `addresses`, held in memory only while the requester gives them."""

    erasure_id: str
    customer_ids: list[str]
    email_hashes: set[str]
    phone_hashes: set[str]
    addresses: list[str]

    def idempotency_key(self, destination: str) -> str:
        return hashlib.sha256(f"erasure|{self.erasure_id}|{destination}".encode()).hexdigest()


class DestinationType(ABC):
    """One kind of destination. Subclasses set the class attributes and override what differs."""

    name: str  # the `type:` of a destinations.yml entry
    keys: frozenset[str] = frozenset()  # the keys it takes besides the common ones
    local = False  # writes under the exports folder: the pipeline never needs a live endpoint for it
    diffable = True  # can apply a diff (`mode: diff`); a file is rewritten whole
    dagster_kind: str | None = None  # the asset's kind tag; its name when None

    @abstractmethod
    def parse(self, where: Where, spec: dict[str, Any]) -> tuple[dict[str, str], Any]:
        """Validate the type's own keys: returns (fields, options)."""

    @abstractmethod
    def target(self, dest: Destination, exports: Path) -> str:
        """Where it sends to, for the Dagster asset's description."""

    def check_fields(self, dest: Destination, columns: list[str]) -> None:
        """Fail before anything is sent when a mapped column does not exist."""
        unknown = sorted(set(dest.fields) - set(columns))
        if unknown:
            raise dest.config_error("fields", f"unknown c360 column(s) {unknown}; available: {sorted(columns)}")

    @abstractmethod
    def shape_member(self, dest: Destination, member: Record) -> Record | None:
        """The record sent for one member, exactly (its hash says whether the destination holds it);
        None when the member cannot be addressed there (e.g. no email to match on)."""

    def shape_removal(self, dest: Destination, customer_id: str, contact: Record | None) -> Record | None:
        """The record that tells the destination a member left; None when it has no way to say so
        (the member is then only forgotten). `contact` is the customer's current row, if any."""
        return None

    @abstractmethod
    def batches(self, dest: Destination, records: list[Any]) -> list[list[Any]]:
        """How the records of one sync are split into batches."""

    @abstractmethod
    def sender(self, dest: Destination, segment: str, exports: Path) -> Sender:
        """Opens delivery for one sync (e.g. reads its secret, failing before anything is sent) and
        returns `send(records)`, which returns only once the destination accepted the whole batch
        and raises `activation.http_client.DeliveryError` otherwise."""

    @abstractmethod
    def erasure(self, dest: Destination) -> Erasure:
        """How an erasure reaches this destination, as configured."""

    def forward_erasure(self, dest: Destination, request: ErasureRequest, exports: Path) -> None:
        """Apply or send one removal; raises DeliveryError, OSError or DestinationConfigError when
        it did not happen (it stays pending). Only called when `erasure` is not `Erasure.refused`."""
        raise RuntimeError(f"destination type {self.name} forwards no erasure")


def text(where: Where, spec: dict, key: str) -> str:
    if not is_text(spec.get(key)):
        raise where.error(key, "required, a non-empty string")
    return spec[key]


def optional_text(where: Where, spec: dict, key: str) -> str | None:
    if key in spec and not is_text(spec[key]):
        raise where.error(key, "must be a non-empty string")
    return spec.get(key)


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def parse_fields(where: Where, spec: dict, default: tuple[str, ...]) -> dict[str, str]:
    raw = spec.get("fields")
    if raw is None:
        return {c: c for c in default}
    if isinstance(raw, list) and raw and all(is_text(c) for c in raw):
        return {c: c for c in raw}
    if isinstance(raw, dict) and raw and all(is_text(k) and is_text(v) for k, v in raw.items()):
        return {str(k): str(v) for k, v in raw.items()}
    raise where.error("fields", "must be a non-empty list of c360 columns or a mapping column -> field name")
