"""`c360 resolve --truth`: how well a resolved set of files matches known entities, and how many
true pairs the blocking rules ever put in front of the model (a pair never compared cannot match)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def evaluate_resolved(
    con: duckdb.DuckDBPyConnection, truth_csv: Path, blocking_rules: list[str], cross_file_only: bool
) -> dict:
    """Pairwise precision, recall, F1 of identity.clusters against `truth_csv(record_id, entity_id)`,
    and blocking recall: the share of true pairs at least one rule (SQL over l. and r.) compares."""
    path = str(truth_csv).replace("'", "''")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE c360_truth AS
        SELECT c.unique_id, c.source, c.cluster_id, t.entity_id
        FROM identity.clusters c
        JOIN read_csv('{path}', header = true, all_varchar = true) t ON t.record_id = c.source_record_id
    """)
    cross = "AND a.source <> b.source" if cross_file_only else ""
    true_pairs, correct = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE a.cluster_id = b.cluster_id)
        FROM c360_truth a JOIN c360_truth b ON a.entity_id = b.entity_id AND a.unique_id < b.unique_id {cross}
    """).fetchone()
    predicted = con.execute("""
        SELECT count(*) FROM c360_truth a JOIN c360_truth b ON a.cluster_id = b.cluster_id AND a.unique_id < b.unique_id
    """).fetchone()[0]
    compared = con.execute(f"""
        SELECT count(*) FROM c360_truth a
        JOIN c360_truth b ON a.unique_id < b.unique_id AND a.entity_id = b.entity_id {cross}
        JOIN identity.records l ON l.unique_id = a.unique_id
        JOIN identity.records r ON r.unique_id = b.unique_id
        WHERE {" OR ".join(f"({rule})" for rule in blocking_rules) or "false"}
    """).fetchone()[0]
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    return {
        "true_pairs": true_pairs,
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "blocking_recall": round(compared / true_pairs, 4) if true_pairs else 1.0,
    }
