"""Probabilistic edges: the saved Splink model scores blocked pairs inside the warehouse."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb

from identity.model import load_linker, register_table, splink_relation, splink_session
from identity.warehouse import create_table

logger = logging.getLogger(__name__)


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    records_table: str,
    model: Path | dict,
    threshold: float,
    target: str,
    require_first_name_agreement: bool,
) -> int:
    """Write `target(unique_id_l, unique_id_r, match_weight, match_probability)` for pairs >= threshold.

    With `require_first_name_agreement` and a model comparing first names, pairs whose first names
    disagree outright (not equal, not nickname variants, not a likely typo) are dropped unless their
    dates of birth are equal or a mapped id agrees (exactly or within one edit):
    relatives sharing surname, address and landline otherwise outweigh one disagreeing name
    under Splink's independence assumption.
    """
    started = time.perf_counter()
    with splink_session(con) as db_api:
        linker = load_linker(register_table(db_api, records_table, "records"), model)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        scored = splink_relation(predictions)
        columns = set(con.sql(f"SELECT * FROM {scored} LIMIT 0").to_arrow_table().column_names)
        guard = ""
        if require_first_name_agreement and "gamma_first_name" in columns:
            # a personal id equal or one typo apart is no household's: levels >= 2 are exact and one edit
            personal = [
                *(["dob_l = dob_r"] if "dob_l" in columns else []),
                *(f"{c} >= 2" for c in sorted(columns) if c.startswith("gamma_id_")),
            ]
            guard = "WHERE " + " OR ".join(["gamma_first_name <> 0", *personal])
        create_table(
            con,
            target,
            f"""
            SELECT least(unique_id_l, unique_id_r) AS unique_id_l,
                   greatest(unique_id_l, unique_id_r) AS unique_id_r,
                   match_weight, match_probability
            FROM {scored}
            {guard}
            ORDER BY 1, 2
        """,
        )
    count = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    logger.info("probabilistic edges: %d at p>=%.3f in %.1fs", count, threshold, time.perf_counter() - started)
    return count
