"""Shared fixtures: one real end-to-end pipeline run on the bundled sample, reused by many tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import ExecuteInProcessResult

from c360.run_summary import RunSummary
from c360.runner import run_pipeline_with_summary
from c360.settings import PROJECT_ROOT, SAMPLE_DIR, Settings
from tests.fingerprint import table_fingerprints


@pytest.fixture(scope="session", autouse=True)
def dagster_instance(tmp_path_factory: pytest.TempPathFactory):
    """Test runs go to a throwaway Dagster instance configured like the project's, never into the
    developer's dagster_home/ (whose run history and pool slots belong to real runs)."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if previous is None:
        del os.environ["DAGSTER_HOME"]
    else:
        os.environ["DAGSTER_HOME"] = previous


def sample_settings(root: Path) -> Settings:
    return Settings(
        warehouse=root / "warehouse" / "c360.duckdb",
        landing=SAMPLE_DIR,
        exports=root / "exports",
        reports=root / "reports",
    )


@pytest.fixture(scope="session")
def sample_pipeline_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Settings, ExecuteInProcessResult, RunSummary]:
    """The whole pipeline, through Dagster, on data/sample into a fresh warehouse."""
    settings = sample_settings(tmp_path_factory.mktemp("sample_run"))
    engine = os.environ.pop("C360_ENGINE", None)  # on DuckDB, even when a Spark test came first
    try:
        result, summary = run_pipeline_with_summary(settings)
    finally:
        if engine is not None:
            os.environ["C360_ENGINE"] = engine
    assert result.success, "the end-to-end pipeline run failed"
    return settings, result, summary


@pytest.fixture(scope="session")
def sample_pipeline(sample_pipeline_run) -> tuple[Settings, ExecuteInProcessResult]:
    return sample_pipeline_run[:2]


@pytest.fixture(scope="session")
def sample_pipeline_summary(sample_pipeline_run) -> RunSummary:
    return sample_pipeline_run[2]


@pytest.fixture(scope="session")
def sample_run(sample_pipeline) -> Settings:
    return sample_pipeline[0]


@pytest.fixture(scope="session")
def sample_fingerprints(sample_run: Settings) -> dict[str, tuple[int, str]]:
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        return table_fingerprints(con)


@pytest.fixture
def warehouse(sample_run: Settings):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def spark_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Paths for in-process Spark work: a JVM holds one embedded metastore, so every Spark test of a
    pytest process shares this catalog (`<warehouse>.spark/`) and replaces the tables it needs."""
    previous = os.environ.get("C360_ENGINE")
    os.environ["C360_ENGINE"] = "spark"
    yield sample_settings(tmp_path_factory.mktemp("spark_run"))
    if previous is None:
        del os.environ["C360_ENGINE"]
    else:
        os.environ["C360_ENGINE"] = previous
