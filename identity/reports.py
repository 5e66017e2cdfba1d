"""Splink's diagnostic charts for the current model and customer map, as offline HTML files."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker
from splink.internals.splink_dataframe import SplinkDataFrame

from identity.model import (
    SPLINK_SCHEMA,
    load_linker,
    register_table,
    splink_session,
)

logger = logging.getLogger(__name__)


def write_identity_charts(
    con: duckdb.DuckDBPyConnection, model_path: Path, threshold: float, reports_dir: Path, sample_size: int = 10
) -> list[Path]:
    """Match weights, m/u parameters, waterfalls of sample pairs and a cluster studio whose edges
    are the customer graph's (deterministic and override edges too, not only Splink's).

    Reads identity.records and identity.customer_map, so it needs a resolved warehouse.
    Charts embed their JavaScript (inline) so they open without network access.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with splink_session(con) as db_api:
        linker = load_linker(register_table(db_api, "identity.records", "records"), model_path)
        for name, chart in (
            ("match_weights", linker.visualisations.match_weights_chart()),
            ("m_u_parameters", linker.visualisations.m_u_parameters_chart()),
        ):
            path = reports_dir / f"identity_{name}.html"
            chart.save(str(path), inline=True)
            written.append(path)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        # the most and the least certain accepted pairs say most about the model
        sample = predictions.as_duckdbpyrelation().order("match_weight").limit(sample_size // 2).fetchall()
        columns = predictions.as_duckdbpyrelation().columns
        top = predictions.as_duckdbpyrelation().order("match_weight DESC").limit(sample_size // 2).fetchall()
        records = [dict(zip(columns, row)) for row in sample + top]
        if records:
            path = reports_dir / "identity_waterfall.html"
            linker.visualisations.waterfall_chart(records, remove_sensitive_data=True).save(str(path), inline=True)
            written.append(path)
        clustered = register_table(
            db_api,
            """(
            SELECT r.*, m.customer_id AS cluster_id FROM identity.records r
            JOIN identity.customer_map m USING (source, source_record_id))""",
            "clustered",
        )
        cluster_ids = [
            row[0]
            for row in con.execute(
                """
            SELECT customer_id FROM identity.customer_map GROUP BY customer_id HAVING count(*) > 2
            ORDER BY hash(customer_id) LIMIT ?""",
                [sample_size],
            ).fetchall()
        ]
        if cluster_ids:
            path = reports_dir / "identity_cluster_studio.html"
            linker.visualisations.cluster_studio_dashboard(
                _graph_edges(con, db_api, linker, cluster_ids),
                clustered,
                str(path),
                cluster_ids=cluster_ids,
                overwrite=True,
            )
            written.append(path)
    logger.info("wrote %d identity charts under %s", len(written), reports_dir)
    return written


def _graph_edges(
    con: duckdb.DuckDBPyConnection, db_api: DuckDBAPI, linker: Linker, cluster_ids: list[str]
) -> SplinkDataFrame:
    """Every edge of the customer graph inside the given customers, deterministic and override
    edges included, each with Splink's comparison of its two records and `edge_kind` saying what
    joined them (a rule, `splink`, or `override`), so the studio shows why a customer holds together."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SPLINK_SCHEMA}")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {SPLINK_SCHEMA}.c360_studio_input AS
        SELECT r.* FROM identity.records r JOIN identity.customer_map m USING (source, source_record_id)
        WHERE m.customer_id IN (SELECT unnest(?))""",
        [cluster_ids],
    )
    side = register_table(db_api, f"{SPLINK_SCHEMA}.c360_studio_input", "studio_records")
    compared = linker.inference.score_pairs(side, side)
    con.execute(f"""
        CREATE OR REPLACE TABLE {SPLINK_SCHEMA}.c360_graph_edges AS
        SELECT c.*, e.edge_kind
        FROM {SPLINK_SCHEMA}.{compared.physical_name} c
        JOIN (SELECT unique_id_l, unique_id_r, string_agg(kind, ', ' ORDER BY kind) AS edge_kind
              FROM identity.edges GROUP BY ALL) e
          ON e.unique_id_l = c.unique_id_l AND e.unique_id_r = c.unique_id_r
    """)
    return register_table(db_api, f"{SPLINK_SCHEMA}.c360_graph_edges", "studio_edges")
