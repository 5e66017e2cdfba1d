"""`c360 profile` output: one section per part of the profile, `name: value` lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from profiles.lookup import Profile, Row


def format_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={format_value(v)}" for k, v in value.items())
    return str(value)


def _fields(title: str, row: Row) -> list[str]:
    if not row:
        return [f"{title}: none"]
    width = max(len(k) for k in row)
    return [f"{title}:", *(f"  {k.ljust(width)}  {format_value(v)}" for k, v in row.items())]


def _table(title: str, rows: list[Row], columns: list[str]) -> list[str]:
    if not rows:
        return [f"{title}: none"]
    cells = [[format_value(row[c]) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return [
        f"{title} ({len(rows)}):",
        *("  " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells),
    ]


def render_text(profile: Profile) -> str:
    header = f"customer {profile.customer_id}"
    if profile.asked_for:
        header += f" (id {profile.asked_for} was merged into it)"
    lines = [
        header,
        *_fields("golden record", profile.golden),
        *_table(
            "identifiers", profile.identifiers, ["identifier_type", "identifier_value", "source", "source_record_id"]
        ),
        *_fields("enrichment", profile.enrichment),
        *_fields("account", profile.account),
        *_table("segments", profile.segments, ["segment", "since"]),
        *_fields("consent", profile.consent),
        *_fields("traits", profile.traits),
        *_table("timeline, newest first", profile.timeline, ["occurred_at", "kind", "summary", "record"]),
    ]
    return "\n".join(lines)
