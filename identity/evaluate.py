"""Quality of a customer map against ground truth: pairwise and cluster-level measures."""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from c360.settings import Settings

logger = logging.getLogger(__name__)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def evaluate_assignments(con: duckdb.DuckDBPyConnection, predicted_sql: str, truth_csv: Path) -> dict:
    """Compare `predicted_sql(source, source_record_id, cluster_id)` with the truth file.

    Pairs are unordered pairs of records that appear in both; a pair is predicted when both
    records share a cluster and true when both share a person.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE c360_eval AS
        SELECT p.cluster_id, t.person_id
        FROM ({predicted_sql}) p
        JOIN read_csv('{truth_csv}', header = true, all_varchar = true) t
          ON t.source = p.source AND t.source_record_id = CAST(p.source_record_id AS VARCHAR)
    """)
    coverage = con.execute(f"""
        SELECT (SELECT count(*) FROM read_csv('{truth_csv}', header = true, all_varchar = true)),
               (SELECT count(*) FROM ({predicted_sql})), (SELECT count(*) FROM c360_eval)
    """).fetchone()
    true_pairs, predicted_pairs, both = con.execute("""
        SELECT (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) n FROM c360_eval GROUP BY person_id)),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) n FROM c360_eval GROUP BY cluster_id)),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0)
                FROM (SELECT count(*) n FROM c360_eval GROUP BY cluster_id, person_id))
    """).fetchone()
    persons, clusters, exact, split_persons, merged_clusters = con.execute("""
        WITH pc AS (SELECT person_id, cluster_id, count(*) n FROM c360_eval GROUP BY ALL),
             per_person AS (SELECT person_id, count(*) AS clusters FROM pc GROUP BY person_id),
             per_cluster AS (SELECT cluster_id, count(*) AS persons FROM pc GROUP BY cluster_id)
        SELECT (SELECT count(*) FROM per_person), (SELECT count(*) FROM per_cluster),
               (SELECT count(*) FROM pc JOIN per_person USING (person_id) JOIN per_cluster USING (cluster_id)
                WHERE per_person.clusters = 1 AND per_cluster.persons = 1),
               (SELECT count(*) FROM per_person WHERE clusters > 1),
               (SELECT count(*) FROM per_cluster WHERE persons > 1)
    """).fetchone()
    precision, recall = _ratio(both, predicted_pairs), _ratio(both, true_pairs)
    result = {
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": _ratio(2 * precision * recall, precision + recall),
        "true_pairs": true_pairs, "predicted_pairs": predicted_pairs, "correct_pairs": both,
        "truth_records": coverage[0], "predicted_records": coverage[1], "evaluated_records": coverage[2],
        "persons": persons, "clusters": clusters,
        # a person is resolved exactly when one cluster holds all of its records and nothing else
        "exact_clusters": exact,
        "cluster_precision": _ratio(exact, clusters), "cluster_recall": _ratio(exact, persons),
        "split_persons": split_persons, "merged_clusters": merged_clusters,
    }
    logger.info("evaluation: P=%.4f R=%.4f F1=%.4f over %d records",
                precision, recall, result["pairwise_f1"], coverage[2])
    return result


def evaluate(con_or_settings: duckdb.DuckDBPyConnection | Settings, truth_csv: Path) -> dict:
    """Score identity.customer_map of a warehouse (open connection or Settings) against truth."""
    predicted = "SELECT source, source_record_id, customer_id AS cluster_id FROM identity.customer_map"
    if isinstance(con_or_settings, Settings):
        with duckdb.connect(str(con_or_settings.warehouse)) as con:
            return evaluate_assignments(con, predicted, truth_csv)
    return evaluate_assignments(con_or_settings, predicted, truth_csv)
