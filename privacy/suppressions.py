"""Erased identities as hashes only, and dropping their rows while landing files are read.

An identity is the SHA-256 of a normalised email or E.164 phone (`activation.identifiers`, the
same hashes activation excludes from every destination) or of a source record id
(`<source>:<id>` in the identity source vocabulary), so a reloaded export cannot bring an erased
person back even on rows that carry no email or phone (page views, deals, activities).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import dlt
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from activation.identifiers import hashed_email, hashed_phone, sha256_hex
from c360.warehouse_lock import exclusive_warehouse
from ingestion.lake import lake_state_store, lands_in_lake
from privacy.tables import SUPPRESSIONS
from registry import email_columns, phone_columns, record_id_columns

log = logging.getLogger(__name__)

EMAIL, PHONE = "email", "phone"
# Raw-table columns that carry an erasable identity: normalised emails, phones, source record ids.
# Each registered source declares its columns (config/registry/).
EMAIL_COLUMNS = email_columns()
PHONE_COLUMNS = phone_columns()
RECORD_COLUMNS = record_id_columns()  # raw id column -> its source
EMAIL_IN_TEXT = re.compile(r"[^\s,;:<>\"'()\[\]{}]+@[^\s,;:<>\"'()\[\]{}]+")


class HasRawText(Protocol):
    raw_text: str


def record_hash(source: str, record_id: str) -> str:
    return sha256_hex(f"{source}:{record_id}")


def _hasher(column: str) -> Callable[[str], str | None] | None:
    if column in EMAIL_COLUMNS:
        return hashed_email
    if column in PHONE_COLUMNS:
        return hashed_phone
    if column in RECORD_COLUMNS:
        source = RECORD_COLUMNS[column]
        return lambda value: record_hash(source, value)
    return None


@dataclass(frozen=True)
class Suppressions:
    hashes: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def drop_rows(self, table: pa.Table) -> tuple[pa.Table, int]:
        """`table` without rows carrying a suppressed identity in any identity column."""
        if not self.hashes or table.num_rows == 0:
            return table, 0
        hit = None
        for column in table.column_names:
            hasher = _hasher(column)
            if hasher is None:
                continue
            values = table.column(column).cast(pa.string())
            erased = [v for v in pc.unique(values).to_pylist() if v is not None and hasher(v) in self.hashes]
            if erased:
                mask = pc.fill_null(pc.is_in(values, value_set=pa.array(erased, pa.string())), False)
                hit = mask if hit is None else pc.or_(hit, mask)
        if hit is None:
            return table, 0
        kept = table.filter(pc.invert(hit))
        return kept, table.num_rows - kept.num_rows

    def drop_rejects(self, rejects: Sequence[HasRawText]) -> tuple[list, int]:
        """Refused rows mentioning a suppressed email stay out of quarantine too (phones in free
        text are not recognised: only the typed phone columns are checked)."""
        if not self.hashes:
            return list(rejects), 0
        kept = [
            r
            for r in rejects
            if not any(hashed_email(m) in self.hashes for m in EMAIL_IN_TEXT.findall(r.raw_text or ""))
        ]
        return kept, len(rejects) - len(kept)


def read_suppressions(con: duckdb.DuckDBPyConnection) -> Suppressions:
    try:
        rows = con.execute(f"select identity_hash from {SUPPRESSIONS}").fetchall()
    except duckdb.CatalogException:  # nobody erased yet
        return Suppressions(frozenset())
    return Suppressions(frozenset(h for (h,) in rows))


def stored_suppressions(store: Path) -> Suppressions:
    if not store.exists():  # nothing erased or synced on this Spark warehouse yet
        return Suppressions(frozenset())
    with exclusive_warehouse(store), duckdb.connect(str(store), read_only=True) as con:
        return read_suppressions(con)


def current_suppressions() -> Suppressions:
    """The suppression list of the warehouse the running dlt pipeline loads into: on Spark, of the
    operational store beside the lake."""
    pipeline = dlt.current.pipeline()
    if lands_in_lake(pipeline):
        suppressions = stored_suppressions(lake_state_store(pipeline))
    else:
        with pipeline.sql_client() as client:
            suppressions = read_suppressions(client.native_connection)
    if suppressions:
        log.info("%d suppressed identities will be dropped while reading", len(suppressions.hashes))
    return suppressions
