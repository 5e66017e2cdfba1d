"""A segment's holdout group is never exported, so its conversion stays a fair baseline for lift."""

from __future__ import annotations

import csv

import duckdb

from activation.members import load_audience
from activation.sync import sync_destination
from tests.test_activation_sync import (
    SEGMENT,
    build_marts,
    ids,
    make_settings,
    write_config,
)

CSV = {"type": "csv", "segment": SEGMENT, "purposes": ["analytics"], "path": "members.csv"}


def split(settings, holdout: list[int], treatment: list[int]) -> None:
    """marts.segment_split_groups as dbt writes it (models/segments/segment_split_groups.sql)."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            """create or replace table marts.segment_split_groups as
            select customer_id, ? as segment, case when is_holdout then 'holdout' else 'treatment' end as split_group,
                   is_holdout, timestamp '2026-01-01 00:00:00' as since
            from (select unnest(?::varchar[]) as customer_id, unnest(?::boolean[]) as is_holdout)""",
            [SEGMENT, ids(holdout) + ids(treatment), [True] * len(holdout) + [False] * len(treatment)],
        )


def test_holdout_members_are_counted_and_never_exported(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(10))
    split(settings, holdout=[3, 7], treatment=[0, 1, 2, 4, 5, 6, 8, 9])
    config = write_config(tmp_path, members=CSV)

    assert sync_destination(settings, "members", config_path=config).added == 8
    with (settings.exports / "members.csv").open(newline="") as f:
        exported = [row["customer_id"] for row in csv.DictReader(f)]
    assert exported == ids([0, 1, 2, 4, 5, 6, 8, 9])
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        audience = load_audience(con, SEGMENT, {"analytics": "deny"})
    assert (audience.holdout, len(audience.members)) == (2, 8)


def test_a_warehouse_without_splits_exports_every_member(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(5))
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        audience = load_audience(con, SEGMENT, {"analytics": "deny"})
    assert (audience.holdout, [m["customer_id"] for m in audience.members]) == (0, ids(range(5)))
