"""Syncs that cannot silently destroy: unknown names, mass removals and crashes leave exports as they were."""

from __future__ import annotations

import csv

import duckdb
import pyarrow.csv as pa_csv
import pytest

from activation.state import load_state
from activation.sync import SyncRefused, sync_destination
from c360.cli import main
from tests.test_activation_server import RecordingServer
from tests.test_activation_sync import (
    SEGMENT,
    build_marts,
    ids,
    make_settings,
    webhook,
    write_config,
)

CSV = {"type": "csv", "segment": SEGMENT, "purposes": ["analytics"], "path": "members.csv"}


def exported(settings) -> list[str]:
    with (settings.exports / "members.csv").open(newline="") as f:
        return [r["customer_id"] for r in csv.DictReader(f)]


@pytest.fixture
def exported_once(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    build_marts(settings, range(20))
    config = write_config(tmp_path, members=CSV)
    assert sync_destination(settings, "members", config_path=config).added == 20
    monkeypatch.setenv("C360_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("C360_EXPORTS", str(settings.exports))
    return settings, config


def test_a_mistyped_segment_fails_in_one_line_listing_the_known_ones_and_writes_nothing(exported_once, capsys):
    settings, config = exported_once
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        runs = con.execute("select count(*) from activation.sync_runs").fetchone()[0]

    assert main(["sync", "members", "--segment", "newsleter", "--config", str(config)]) == 2

    err = capsys.readouterr().err.strip()
    assert err.startswith("c360 sync: unknown segment 'newsleter'; known segments: [") and "\n" not in err
    assert "'newsletter'" in err and "'pricing_visitors_not_customers'" in err  # warehouse and segments.yml
    assert exported(settings) == ids(range(20))
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from activation.sync_runs").fetchone()[0] == runs


def test_an_unknown_destination_fails_in_one_line_listing_the_configured_ones(exported_once, capsys):
    _, config = exported_once
    assert main(["sync", "membres", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"c360 sync: {config}: no destination 'membres'; configured: ['members']"


def test_a_sync_removing_more_than_half_the_members_stops_unless_allowed(exported_once, capsys):
    settings, config = exported_once
    build_marts(settings, range(9))  # 11 of 20 members would leave: 55 %

    assert main(["sync", "members", "--config", str(config)]) == 2

    assert "would remove 11 of its 20 members (55%, more than max_removal_share 50%)" in capsys.readouterr().err
    assert exported(settings) == ids(range(20))
    assert main(["sync", "members", "--dry-run", "--config", str(config)]) == 2  # a dry run says so too
    assert main(["sync", "members", "--allow-mass-removal", "--config", str(config)]) == 0
    assert exported(settings) == ids(range(9))


def test_the_removal_share_is_configurable_per_destination(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(10))
    with RecordingServer() as server:
        config = write_config(tmp_path, hook=webhook(server, mode="diff", max_removal_share=0.2))
        sync_destination(settings, "hook", config_path=config)
        build_marts(settings, range(7))
        server.requests.clear()
        with pytest.raises(SyncRefused, match="would remove 3 of its 10 members"):
            sync_destination(settings, "hook", config_path=config)
        assert server.requests == []
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            assert len(load_state(con, "hook", SEGMENT)) == 10
        build_marts(settings, range(8))  # 2 of 10 is within 20 %
        assert sync_destination(settings, "hook", config_path=config).removed == 2


def test_a_crash_while_writing_an_export_leaves_the_previous_file_whole(exported_once, monkeypatch):
    settings, config = exported_once
    build_marts(settings, range(15))
    before = (settings.exports / "members.csv").read_bytes()

    def crash(table, path, *args, **kwargs):
        with open(path, "w") as f:
            f.write('"customer_id","email"\n"c000","person0@')  # half a file, then the process dies
        raise MemoryError("killed mid-write")

    monkeypatch.setattr(pa_csv, "write_csv", crash)
    with pytest.raises(MemoryError):
        sync_destination(settings, "members", config_path=config)

    assert (settings.exports / "members.csv").read_bytes() == before
    assert sorted(p.name for p in settings.exports.iterdir()) == ["members.csv"]  # no temporary file left
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert len(load_state(con, "members", SEGMENT)) == 20  # nothing confirmed
