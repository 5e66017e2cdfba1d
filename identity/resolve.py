"""The identity stage: person-record models (dbt staging) -> records -> edges -> clusters -> persistent ids."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from c360.engine import connect
from c360.settings import Settings
from identity.clusters import cluster_records
from identity.config import IdentityConfig, load_identity_config
from identity.deterministic import build_deterministic_edges
from identity.normalisation_report import PIPELINE_FIELDS as PIPELINE_REPORT_FIELDS
from identity.normalisation_report import failures, normalisation_report
from identity.overrides import load_overrides
from identity.persistent_ids import assign_customer_ids, ensure_identity_tables
from identity.person_models import build_person_models
from identity.probabilistic import score_pairs
from identity.records import RECORD_EMAILS, RECORDS, build_records, stage_raw_records
from identity.warehouse import create_table

logger = logging.getLogger(__name__)

DETERMINISTIC_EDGES = "identity.deterministic_edges"
SCORED_PAIRS = "identity.scored_pairs"
EDGES = "identity.edges"  # the customer graph: both edge kinds, kept for audit and charts
CLUSTERS = "identity.clusters"


def _union_edges(con: duckdb.DuckDBPyConnection) -> None:
    create_table(
        con,
        EDGES,
        f"""
        SELECT unique_id_l, unique_id_r, kind, CAST(1.0 AS DOUBLE) AS match_probability FROM {DETERMINISTIC_EDGES}
        UNION ALL
        SELECT unique_id_l, unique_id_r, 'splink', match_probability FROM {SCORED_PAIRS}
        ORDER BY unique_id_l, unique_id_r, kind
    """,
    )


def resolve_warehouse(con: duckdb.DuckDBPyConnection, config: IdentityConfig) -> dict:
    """Run the whole stage on an open warehouse connection."""
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    ensure_identity_tables(con)
    stage_raw_records(con, "c360_staged_records")
    records = build_records(con, "c360_staged_records", RECORDS, RECORD_EMAILS, config.phone_default_region)
    not_normalised = failures(
        normalisation_report(con, "c360_staged_records", RECORDS, [(f, f, f) for f in PIPELINE_REPORT_FIELDS])
    )
    if not_normalised:
        logger.warning("values that could not be normalised (now NULL), per source and field: %s", not_normalised)
    edge_counts = build_deterministic_edges(con, RECORDS, RECORD_EMAILS, DETERMINISTIC_EDGES)
    edge_counts["splink"] = score_pairs(
        con, RECORDS, config.model_path, config.match_threshold, SCORED_PAIRS, config.require_first_name_agreement
    )
    _union_edges(con)
    cluster_records(con, RECORDS, EDGES, CLUSTERS, overrides=load_overrides(config.overrides_path))
    ids = assign_customer_ids(con, CLUSTERS, started_at)
    result = {
        **ids,
        "records": records,
        "edges": edge_counts,
        "not_normalised": not_normalised,
        "seconds": round(time.perf_counter() - started, 2),
    }
    logger.info("identity stage done: %s", result)
    return result


def run_identity(
    settings: Settings,
    config: IdentityConfig | None = None,
    person_models: Callable[[Settings], None] = build_person_models,
) -> dict:
    """Resolve the warehouse of `settings` on the configured engine; returns counts (records,
    customers, edges, time). `person_models` first makes sure the person-record models identity
    reads are current (by default dbt rebuilds them from the raw tables; the pipeline, whose dbt
    step has just built them, only builds missing ones)."""
    config = config or load_identity_config()
    person_models(settings)
    with connect(settings) as con:
        return resolve_warehouse(con, config)
