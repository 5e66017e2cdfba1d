"""Landing-folder sensors: new files start exactly one run, and nothing new starts none."""

from __future__ import annotations

import os

from dagster import RunRequest, SkipReason, build_sensor_context, define_asset_job

from dagster_defs.sensors import landing_sensor

JOB = define_asset_job("ingest_crm_job")


def test_new_file_triggers_one_run_and_advances_the_cursor(tmp_path):
    (tmp_path / "contacts.csv").write_text("Record ID\n1\n")
    sensor = landing_sensor("crm", tmp_path, JOB)

    context = build_sensor_context()
    first = sensor(context)
    assert isinstance(first, RunRequest)
    assert first.tags["c360/new_files"] == "1"

    again = sensor(build_sensor_context(cursor=context.cursor))
    assert isinstance(again, SkipReason)


def test_two_new_files_trigger_a_single_run_keyed_by_the_newest(tmp_path):
    for name, mtime in (("a.csv", 1_000), ("b.csv", 2_000)):
        path = tmp_path / name
        path.write_text("x\n")
        os.utime(path, ns=(mtime * 10**9, mtime * 10**9))
    request = landing_sensor("crm", tmp_path, JOB)(build_sensor_context())
    assert request.tags["c360/new_files"] == "2"
    assert request.run_key == f"crm:{2_000 * 10**9}:b.csv"


def test_missing_landing_folder_skips(tmp_path):
    assert isinstance(landing_sensor("web", tmp_path / "absent", JOB)(build_sensor_context()), SkipReason)


def test_a_file_landing_in_a_dated_subfolder_triggers_a_run(tmp_path):
    """Ingestion reads subfolders (dated export folders), so the sensor watches them too."""
    (tmp_path / "2026-09").mkdir()
    (tmp_path / "2026-09" / "contacts.csv").write_text("Record ID\n1\n")
    request = landing_sensor("crm", tmp_path, JOB)(build_sensor_context())
    assert isinstance(request, RunRequest) and request.run_key.endswith(":2026-09/contacts.csv")
