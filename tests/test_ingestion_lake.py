"""The lake Spark reads its raw tables from (ingestion.lake): dlt's filesystem destination appends
Parquet, c360 merges each load's keys into the earlier loads as DuckDB's merge does. No Spark needed."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from ingestion.lake import lake_dir, merge_loads
from ingestion.pipelines import load_options, make_pipeline, make_source, with_first_loads_appended
from tests.test_ingestion_helpers import contact, csv_text, settings_for


def land_and_merge(settings, file_name: str, contacts: list[dict[str, str]]) -> None:
    (settings.landing / "crm" / file_name).write_text(csv_text(contacts))
    pipeline = make_pipeline("crm", settings)
    pipeline.run(with_first_loads_appended(pipeline, make_source("crm", settings)), **load_options(pipeline))
    merge_loads(pipeline, settings)


def test_a_contact_updated_by_a_later_export_is_one_row_in_the_lake(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """dlt alone would append the update beside the old row (the filesystem destination has no merge)."""
    monkeypatch.setenv("C360_ENGINE", "spark")
    settings = settings_for(tmp_path)
    land_and_merge(settings, "contacts.csv", [contact("1", email="old@x.test"), contact("2", email="two@x.test")])
    land_and_merge(settings, "contacts_2.csv", [contact("1", email="new@x.test", modified="2026-05-01 00:00:00")])
    land_and_merge(settings, "contacts_2.csv", [contact("1", email="new@x.test", modified="2026-05-01 00:00:00")])

    contacts = pq.read_table(lake_dir(settings) / "raw_crm" / "contacts").select(["contact_id", "email"])
    assert sorted(contacts.to_pylist(), key=lambda row: row["contact_id"]) == [
        {"contact_id": "1", "email": "new@x.test"},
        {"contact_id": "2", "email": "two@x.test"},
    ]
    reports = pq.read_table(lake_dir(settings) / "raw_crm" / "load_report").select(["source_file", "rows_loaded"])
    assert sorted(reports.to_pylist(), key=lambda row: row["source_file"]) == [
        {"source_file": "contacts.csv", "rows_loaded": 2},
        {"source_file": "contacts_2.csv", "rows_loaded": 1},
    ]


def test_a_load_left_unmerged_by_a_crash_is_merged_by_the_next_run(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """dlt commits the files as loaded with the load, so the merge must catch up later, not re-read."""
    monkeypatch.setenv("C360_ENGINE", "spark")
    settings = settings_for(tmp_path)
    land_and_merge(settings, "contacts.csv", [contact("1", email="old@x.test")])
    (settings.landing / "crm" / "contacts_2.csv").write_text(
        csv_text([contact("1", email="new@x.test", modified="2026-05-01 00:00:00")])
    )
    pipeline = make_pipeline("crm", settings)
    pipeline.run(with_first_loads_appended(pipeline, make_source("crm", settings)), **load_options(pipeline))
    folder = lake_dir(settings) / "raw_crm" / "contacts"
    assert sorted(pq.read_table(folder).column("email").to_pylist()) == ["new@x.test", "old@x.test"]  # unmerged

    land_and_merge(settings, "contacts_2.csv", [contact("1", email="new@x.test", modified="2026-05-01 00:00:00")])

    assert pq.read_table(folder).select(["contact_id", "email"]).to_pylist() == [
        {"contact_id": "1", "email": "new@x.test"}
    ]
