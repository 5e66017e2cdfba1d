"""A pipeline killed (SIGKILL) inside ingestion, identity or dbt, then rerun, ends exactly like an uninterrupted run.

The real `c360 run` runs as a subprocess against a persistent Dagster instance (as `./dev c360 run`
does). Each kill lands while a stage is working, recognised by a line the stage logs; the next
run starts from whatever the kill left behind (half-loaded dlt packages, an open DuckDB WAL, a
claimed Dagster pool slot), and the last run completes. Its tables must equal those of the
uninterrupted session run: nothing duplicated, nothing lost.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from c360.settings import PROJECT_ROOT, Settings
from c360.warehouse_lock import exclusive_warehouse
from ingestion.pipelines import pipelines_dir
from tests.conftest import sample_settings
from tests.fingerprint import table_fingerprints

RUN_TIMEOUT_S = 300
# (where the kill lands, the log line that says the stage is at work, seconds to wait after it)
KILL_POINTS = [
    ("ingestion: dlt extract, parsing web event files", r"ingestion\.file_loop: events: file 10/30 ", 0.0),
    ("ingestion: dlt normalize/load of the web events", r"ingestion\.file_loop: events: file 30/30 .* read", 0.3),
    ("identity: Splink scoring candidate pairs", r"identity\.deterministic: deterministic edges", 0.0),
    (
        "dbt: building incremental model int_web_sessions",
        r"START sql incremental model intermediate\.int_web_sessions",
        0.0,
    ),
    ("dbt: building incremental model segment_history", r"START sql incremental model marts\.segment_history", 0.0),
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", re.IGNORECASE)
PHONE = re.compile(r"\(\d{3}\) ?\d{3}-\d{4}|\+\d{11,14}\b")


@pytest.fixture(scope="module")
def sample_names(sample_run: Settings) -> list[str]:
    """Every full name in the sample CRM: none may reach a log line."""
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        return [
            name
            for (name,) in con.execute(
                "select distinct first_name || ' ' || last_name from raw_crm.contacts "
                "where first_name is not null and last_name is not null"
            ).fetchall()
        ]


def _environment(settings: Settings, dagster_home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "C360_WAREHOUSE": str(settings.warehouse),
        "C360_EXPORTS": str(settings.exports),
        "C360_REPORTS": str(settings.reports),
        "C360_LANDING": str(settings.landing),
        "DAGSTER_HOME": str(dagster_home),
        "PYTHONUNBUFFERED": "1",
    }


def run_cli(env: dict[str, str], kill_at: str | None = None, delay_s: float = 0.0) -> tuple[int | None, str]:
    """Run `c360 run`; with `kill_at`, SIGKILL its whole process group (dbt included) once a log line matches.

    Returns (exit code, or None when killed; the output).
    """
    # --verbose: a quiet run prints no per-model dbt lines, and the dbt kill points wait for them
    proc = subprocess.Popen(
        [sys.executable, "-m", "c360.cli", "--verbose", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    timer = threading.Timer(RUN_TIMEOUT_S, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    lines, killed = [], False
    try:
        for line in proc.stdout:
            lines.append(line)
            if kill_at and not killed and re.search(kill_at, line):
                time.sleep(delay_s)
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
        proc.wait()
    finally:
        timer.cancel()
    return (None if killed else proc.returncode), "".join(lines)


def pending_dlt_packages(settings: Settings) -> int:
    """Load packages a killed run left half-way (extracted, normalized, or partly loaded)."""
    root = pipelines_dir(settings)
    return sum(
        1
        for stage in ("normalize/extracted", "load/normalized")
        for pipeline in root.glob("c360_*")
        for package in (pipeline / stage).glob("*")
        if package.is_dir()
    )


def test_killed_runs_recover_to_the_uninterrupted_result(tmp_path, sample_fingerprints, sample_names):
    settings = sample_settings(tmp_path)
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", dagster_home)  # pools and run queue as deployed
    env = _environment(settings, dagster_home)
    outputs = []
    for where, pattern, delay in KILL_POINTS:
        code, output = run_cli(env, kill_at=pattern, delay_s=delay)
        outputs.append(output)
        assert code is None, f"the run ended before reaching {where!r}:\n{output[-3000:]}"
        print(f"killed during {where}; pending dlt packages: {pending_dlt_packages(settings)}")
    code, output = run_cli(env)
    outputs.append(output)
    assert code == 0, output[-3000:]
    assert "died with its process" in output  # the last killed run's pool slot was freed, not waited on
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        recovered = table_fingerprints(con)
    differing = sorted(
        t for t in recovered.keys() | sample_fingerprints.keys() if recovered.get(t) != sample_fingerprints.get(t)
    )
    assert differing == [], {t: (recovered.get(t), sample_fingerprints.get(t)) for t in differing}

    # PII hygiene: every log line of these real runs carries ids and counts only
    logs = "".join(outputs)
    assert EMAIL.findall(logs) == []
    assert PHONE.findall(logs) == []
    assert [name for name in sample_names if name in logs] == []


def test_a_lock_holder_may_take_the_lock_again(tmp_path):
    """A step holding the warehouse lock calls code that takes it too (the activation asset around
    `sync_destination`); flock would make the process wait on itself forever."""
    warehouse = tmp_path / "w.duckdb"
    with exclusive_warehouse(warehouse, timeout_s=2):
        with exclusive_warehouse(warehouse, timeout_s=2):
            duckdb.connect(str(warehouse)).close()
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from c360.warehouse_lock import "
            "exclusive_warehouse\nwith exclusive_warehouse(Path(sys.argv[1]), timeout_s=2): pass",
            str(warehouse),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr  # released after the outer hold ends
