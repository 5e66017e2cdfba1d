"""The segment names a sync may use: those defined for dbt, plus any the warehouse holds (members or history).

A mistyped name must fail before anything is written, not sync an empty audience over a full one.
"""

from __future__ import annotations

import duckdb
import yaml

from c360.settings import DBT_PROJECT_DIR
from identity.warehouse import table_exists

SEGMENTS_FILE = DBT_PROJECT_DIR / "models" / "segments" / "segments.yml"


def defined_segments() -> set[str]:
    """Names under `meta.segments` of the models in segments.yml (see that file's header)."""
    doc = yaml.safe_load(SEGMENTS_FILE.read_text()) or {}
    return {
        segment["name"]
        for model in doc.get("models", [])
        for segment in ((model.get("config") or {}).get("meta") or {}).get("segments", [])
    }


def known_segments(con: duckdb.DuckDBPyConnection) -> set[str]:
    known = defined_segments()
    for table in ("segment_membership", "segment_history"):
        if table_exists(con, f"marts.{table}"):
            known |= {s for (s,) in con.execute(f"select distinct segment from marts.{table}").fetchall()}
    return known
