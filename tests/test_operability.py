"""Operating c360 at 03:00: honest run status, preflight in seconds, a summary that matches the
warehouse, one line per log event, and one-line user errors."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from c360.cli import main
from c360.runner import STATUS_TAG, run_pipeline_with_summary
from c360.settings import PROJECT_ROOT, SAMPLE_DIR
from tests.conftest import sample_settings


def c360_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "c360.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def landing_with_a_broken_crm_file(root: Path) -> Path:
    """The sample plus a contacts export that is not UTF-8 (Windows-1252 with a required column missing)."""
    landing = root / "landing"
    shutil.copytree(SAMPLE_DIR, landing)
    (landing / "crm" / "contacts_broken.csv").write_bytes("Vorname;Nachname\nJürgen;Groß\n".encode("cp1252"))
    return landing


@pytest.mark.e2e
def test_a_file_that_fails_to_load_fails_the_run_and_warn_mode_marks_it(tmp_path, monkeypatch):
    settings = sample_settings(tmp_path)
    settings = type(settings)(**{**vars(settings), "landing": landing_with_a_broken_crm_file(tmp_path)})
    result, summary = run_pipeline_with_summary(settings)
    assert not result.success
    assert summary.status == "FAILED"
    assert summary.files["crm"]["failed"] == 1
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["raw_load_accounting"]
    assert "raw_crm.contacts: contacts_broken.csv" in failures[0].event_specific_data.error.message
    # every other stage still ran: the good files are loaded, resolved, modelled and exported
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customers").fetchone()[0] == 4323

    monkeypatch.setenv("C360_ON_FILE_ERROR", "warn")
    result, summary = run_pipeline_with_summary(settings)
    assert result.success
    assert summary.status == "succeeded with warnings"
    check = next(
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == "raw_crm/contacts" and e.check_name == "load_accounting"
    )
    assert (check.passed, check.severity.value) == (False, "WARN")
    assert DagsterInstance.get().get_run_by_id(result.run_id).tags[STATUS_TAG] == "warn"


def test_summary_counts_equal_the_warehouse(sample_pipeline_summary, warehouse):
    summary = sample_pipeline_summary
    loaded = dict(
        warehouse.execute("""
        select 'crm', sum(rows_loaded) from raw_crm.load_report union all
        select 'web', sum(rows_loaded) from raw_web.load_report union all
        select 'email', sum(rows_loaded) from raw_email.load_report""").fetchall()
    )
    assert {source: rows["loaded"] for source, rows in summary.rows.items()} == loaded
    assert summary.files["web"] == {"loaded": 30, "unchanged (skipped)": 0}
    records, customers = warehouse.execute(
        "select count(*), count(distinct customer_id) from identity.customer_map"
    ).fetchone()
    assert summary.identity == {"records": records, "customers": customers, "merges": 0, "splits": 0}
    sizes = dict(warehouse.execute("select segment, count(*) from marts.segment_membership group by 1").fetchall())
    assert {segment: counts["members"] for segment, counts in summary.segments.items()} == sizes
    assert {segment: counts["entered"] for segment, counts in summary.segments.items()} == sizes
    assert summary.checks.get("failed", 0) == 0 and summary.checks["passed"] > 60
    # every dbt model once, whichever of dbt's steps (before and after identity) built it
    models = [path for path in (PROJECT_ROOT / "dbt_project" / "models").rglob("*") if path.suffix in (".sql", ".py")]
    assert summary.models_built == len(models)
    assert set(summary.stage_seconds) == {"ingestion", "identity", "dbt", "activation", "checks"}
    sent = warehouse.execute("""select status, added, changed, removed from activation.sync_runs
                                where destination = 'pricing_visitors_csv'""").fetchone()
    assert summary.exports["pricing_visitors_csv"] == dict(zip(("status", "added", "changed", "removed"), sent))
    assert "run succeeded" in summary.render()


def test_preflight_stops_a_missing_landing_folder_in_one_line(tmp_path):
    done = c360_cli("run", "--landing", str(tmp_path / "nosuch"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"c360 run: landing folder {tmp_path / 'nosuch'} does not exist (set C360_LANDING or pass --landing)"
    ]
    assert not (tmp_path / "w.duckdb").exists()


def test_preflight_stops_a_mapping_that_matches_no_file(tmp_path):
    landing = tmp_path / "landing"
    for source in ("crm", "web", "email"):
        (landing / source).mkdir(parents=True)
    (landing / "crm" / "Contact.csv").write_text("Id,FirstName\n1,Ada\n")
    done = c360_cli("run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "c360 run: crm: mapping hubspot.yml matches none of the 1 files in the folder "
        "(choose another with SOURCES__CRM__MAPPING; flavours are in config/sources/)"
    ]


def test_preflight_names_every_folder_it_will_read_and_entities_without_files(tmp_path, capsys):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE_DIR, landing)
    (landing / "crm" / "deals.csv").unlink()
    from c360.preflight import preflight

    checked = preflight(type(sample_settings(tmp_path))(**{**vars(sample_settings(tmp_path)), "landing": landing}))
    assert checked.problems == []
    assert f"crm: {landing / 'crm'} (3 files)" in checked.notes
    assert any(note.startswith("crm: no file for deals") for note in checked.notes)


def test_an_unknown_stage_is_refused_with_the_valid_choices(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--select", "modelling"])
    assert exit_.value.code == 2
    assert (
        "invalid choice: 'modelling' (choose from 'ingestion', 'identity', 'dbt', 'activation')"
        in capsys.readouterr().err
    )


@pytest.mark.e2e
def test_a_sample_run_prints_each_log_line_once_and_no_library_chatter(tmp_path):
    settings = sample_settings(tmp_path)
    done = c360_cli(
        "run", "--warehouse", str(settings.warehouse), env={"C360_EXPORTS": str(settings.exports), "DAGSTER_HOME": ""}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = (done.stdout + done.stderr).splitlines()
    messages = Counter(re.sub(r"^\d\d:\d\d:\d\d ", "", line) for line in lines if line.strip())
    assert [m for m, n in messages.items() if n > 1] == []
    assert not [
        line
        for line in lines
        if "alembic" in line or "AssetObservation" in line or " DEBUG " in line or "START " in line
    ]
    assert "run succeeded" in done.stdout
    assert len(lines) < 150


@pytest.mark.e2e
def test_ui_starts_and_a_sigterm_stops_it_with_all_its_children(tmp_path):
    port = free_port()
    ui = subprocess.Popen(
        [sys.executable, "-m", "c360.cli", "ui", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path), "C360_WAREHOUSE": str(tmp_path / "w.duckdb")},
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "ui.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not answers(f"http://127.0.0.1:{port}/server_info"):
            assert ui.poll() is None, (tmp_path / "ui.log").read_text()[-2000:]
            time.sleep(1)
        assert answers(f"http://127.0.0.1:{port}/server_info"), "the UI never answered"
        children = descendants(ui.pid)
        assert children, "dagster dev runs a webserver and a daemon as children"
        ui.send_signal(signal.SIGTERM)
        assert ui.wait(timeout=60) == 0
        time.sleep(1)
        assert [pid for pid in children if alive(pid)] == []
    finally:
        if ui.poll() is None:
            ui.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children] + [d for child in children for d in descendants(int(child))]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False
