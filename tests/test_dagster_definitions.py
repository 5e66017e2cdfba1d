"""The Dagster project: one graph from landing folders to exports, checks that catch broken tables."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import duckdb
import pytest
from dagster import AssetKey, AssetSelection, Definitions, define_asset_job

from c360.settings import PROJECT_ROOT
from dagster_defs.build import build_definitions
from dagster_defs.checks import identity_checks, load_accounting_checks
from dagster_defs.engine_resource import EngineResource
from dagster_defs.identity_assets import identity_assets
from registry import identity_models
from tests.conftest import sample_settings


def run_checks_only(settings, assets, checks) -> dict[str, bool]:
    defs = Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[define_asset_job("checks", selection=AssetSelection.all_asset_checks())],
        resources={"engine": EngineResource.from_settings(settings)},
    )
    result = defs.resolve_job_def("checks").execute_in_process(raise_on_error=False)
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed for e in result.get_asset_check_evaluations()}


def copy_of_sample_warehouse(sample_run, tmp_path):
    settings = replace(sample_run, warehouse=tmp_path / "copy.duckdb")
    shutil.copy(sample_run.warehouse, settings.warehouse)
    return settings


def test_graph_runs_from_landing_folders_through_dbt_to_exports(sample_run):
    graph = build_definitions(sample_run).resolve_asset_graph()
    upstream_of = lambda key: {k.to_user_string() for k in graph.get(AssetKey(key)).parent_keys}  # noqa: E731
    assert upstream_of(["raw_crm", "contacts"]) == {"landing/crm"}
    # identity reads the person-record staging models (one per registered source) and the staging
    # models its deterministic rules read; those read the raw tables through dbt staging
    assert upstream_of(["identity", "customer_map"]) == {f"staging/{model}" for model in identity_models()}
    assert {
        "staging/stg_crm__contact_records",
        "staging/stg_web__user_records",
        "staging/stg_web__device_records",
        "staging/stg_email__recipient_records",
        "staging/stg_email__subscriber_records",
        "staging/stg_web__events",
    } <= upstream_of(["identity", "customer_map"])
    assert "staging/stg_crm__contacts" in upstream_of(["staging", "stg_crm__contact_records"])
    assert "raw_crm/contacts" in upstream_of(["staging", "stg_crm__contacts"])
    assert "identity/customer_map" in upstream_of(["staging", "stg_identity__customer_map"])
    assert {"marts/segment_membership", "marts/dim_customers"} <= upstream_of(["exports", "pricing_visitors_csv"])


def test_schedule_sensors_and_stage_jobs_are_defined(sample_run):
    defs = build_definitions(sample_run)
    assert defs.resolve_schedule_def("daily_pipeline").cron_schedule == "0 3 * * *"
    main_table = {"crm": "contacts", "web": "events", "email": "activity"}
    for source, table in main_table.items():
        assert defs.resolve_sensor_def(f"{source}_landing_sensor").job_name == f"ingest_{source}_job"
        job = defs.resolve_job_def(f"ingest_{source}_job")
        raw_tables = {k.path[0] for k in job.asset_layer.executable_asset_keys if k.path[0].startswith("raw_")}
        assert raw_tables == {f"raw_{source}"}, "a source's job loads only that source"
        assert {
            AssetKey([f"raw_{source}", table]),
            AssetKey(["identity", "customer_map"]),
            AssetKey(["marts", "dim_customers"]),
        } <= set(job.asset_layer.executable_asset_keys)
    for job in ("ingestion_job", "identity_job", "dbt_job", "activation_job"):
        assert defs.resolve_job_def(job).name == job


def test_sample_run_passes_every_asset_check_including_dbt_tests(sample_pipeline):
    _, result = sample_pipeline
    evaluations = result.get_asset_check_evaluations()
    failed = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations if not e.passed]
    assert failed == []
    names = {e.check_name for e in evaluations}
    assert {"load_accounting", "every_record_has_a_customer", "no_oversized_customer"} <= names
    assert any(name.startswith("unique_") for name in names), "dbt tests should surface as asset checks"


def test_run_records_segment_sizes_for_the_ui_to_plot(sample_pipeline, warehouse):
    _, result = sample_pipeline
    observed = [
        e.event_specific_data.asset_observation.metadata
        for e in result.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
    ]
    sizes = dict(warehouse.execute("select segment, count(*) from marts.segment_membership group by 1").fetchall())
    assert {k: v.value for k, v in observed[-1].items()} == {f"members/{s}": n for s, n in sizes.items()}


def test_identity_check_fails_when_records_lose_their_customer(sample_run, tmp_path):
    settings = copy_of_sample_warehouse(sample_run, tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("delete from identity.customer_map where source = 'email_recipient'")
    outcome = run_checks_only(settings, [identity_assets(settings)], [identity_checks(settings)])
    assert outcome == {
        "identity/customer_map:every_record_has_a_customer": False,
        "identity/customer_map:no_oversized_customer": True,
    }


def test_load_accounting_check_fails_when_a_file_is_not_accounted_for(sample_run, tmp_path):
    settings = copy_of_sample_warehouse(sample_run, tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("update raw_crm.load_report set rows_loaded = rows_loaded - 1 where entity = 'contacts'")
    keys = [AssetKey(["raw_crm", "contacts"]), AssetKey(["raw_crm", "deals"])]
    outcome = run_checks_only(settings, [], [load_accounting_checks(settings, keys)])
    assert outcome == {"raw_crm/contacts:load_accounting": False, "raw_crm/deals:load_accounting": True}


def test_another_process_reads_the_run_s_materializations_and_check_results_from_the_instance(sample_pipeline):
    """The Dagster UI is another process reading the instance the run wrote (configured like
    dagster_home/dagster.yaml, whose event log keeps its connections open): it must see every event."""
    _, result = sample_pipeline
    read = """
import json, sys
from dagster import AssetKey, DagsterEventType, DagsterInstance
instance, run_id = DagsterInstance.get(), sys.argv[1]
count = lambda kind: len(instance.all_logs(run_id, of_type=kind))
print(json.dumps({
    "storage": type(instance.event_log_storage).__name__,
    "status": instance.get_run_by_id(run_id).status.value,
    "planned": count(DagsterEventType.ASSET_MATERIALIZATION_PLANNED),
    "materializations": count(DagsterEventType.ASSET_MATERIALIZATION),
    "check_results": count(DagsterEventType.ASSET_CHECK_EVALUATION),
    "dim_customers_last_run": instance.get_latest_materialization_event(AssetKey(["marts", "dim_customers"])).run_id,
}))
"""
    done = subprocess.run([sys.executable, "-c", read, result.run_id], capture_output=True, text=True, check=True)
    materialized = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    assert json.loads(done.stdout) == {
        "storage": "PooledSqliteEventLogStorage",
        "status": "SUCCESS",
        "planned": len({e.asset_key for e in materialized}),
        "materializations": len(materialized),
        "check_results": len(result.get_asset_check_evaluations()),
        "dim_customers_last_run": result.run_id,
    }


@pytest.mark.e2e
@pytest.mark.parametrize("attempt", range(5))
def test_two_pipeline_runs_started_together_both_succeed(tmp_path, attempt):
    """DuckDB allows one writer per file; the warehouse lock makes concurrent runs take turns.

    Both runs build their Dagster definitions (dlt pipeline state, `dbt parse`) at the same moment,
    which once raced on dlt's working folder; five fresh pairs make a race show up. The runs stop after
    identity: what races is the set-up and the lock, not the later stages.
    """
    settings = sample_settings(tmp_path)
    env = {
        "C360_WAREHOUSE": str(settings.warehouse),
        "C360_EXPORTS": str(settings.exports),
        "C360_REPORTS": str(settings.reports),
        "C360_LANDING": str(settings.landing),
    }
    # Logs go to files, not pipes: an undrained pipe would stall a run while it holds the lock.
    logs = [tmp_path / f"run{i}.log" for i in range(2)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "c360.cli", "run", "--select", "ingestion", "identity"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env, "DAGSTER_HOME": ""},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    for run, log in zip(runs, logs):
        run.wait(timeout=600)
        output = log.read_text()
        assert run.returncode == 0, output[-3000:]
        assert "Could not set lock" not in output
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from identity.customer_map").fetchone()[0] == 8544
