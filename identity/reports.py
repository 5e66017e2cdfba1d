"""Splink's diagnostic charts for the current model and customer map, as offline HTML files."""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from identity.model import drop_splink_scratch, load_linker, register_table, splink_api

logger = logging.getLogger(__name__)


def write_identity_charts(con: duckdb.DuckDBPyConnection, model_path: Path, threshold: float,
                          reports_dir: Path, sample_size: int = 10) -> list[Path]:
    """Match weights, m/u parameters, waterfalls of sample pairs and a cluster studio.

    Reads identity.records and identity.customer_map, so it needs a resolved warehouse.
    Charts embed their JavaScript (inline) so they open without network access.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    db_api = splink_api(con)
    written: list[Path] = []
    try:
        linker = load_linker(register_table(db_api, "identity.records", "records"), model_path)
        for name, chart in (("match_weights", linker.visualisations.match_weights_chart()),
                            ("m_u_parameters", linker.visualisations.m_u_parameters_chart())):
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
        clustered = register_table(db_api, """(
            SELECT r.*, m.customer_id AS cluster_id FROM identity.records r
            JOIN identity.customer_map m USING (source, source_record_id))""", "clustered")
        cluster_ids = [row[0] for row in con.execute("""
            SELECT customer_id FROM identity.customer_map GROUP BY customer_id HAVING count(*) > 2
            ORDER BY hash(customer_id) LIMIT ?""", [sample_size]).fetchall()]
        if cluster_ids:
            path = reports_dir / "identity_cluster_studio.html"
            linker.visualisations.cluster_studio_dashboard(
                predictions, clustered, str(path), cluster_ids=cluster_ids, overwrite=True)
            written.append(path)
    finally:
        drop_splink_scratch(con)
    logger.info("wrote %d identity charts under %s", len(written), reports_dir)
    return written
