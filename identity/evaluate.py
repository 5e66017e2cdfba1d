"""Quality of a customer map against ground truth: pairwise and cluster-level measures.

A truth file may carry `linkable_group` (see c360_generator/linkable.py): records of one person
that share any evidence. Then every pairwise measure is also reported on linkable pairs, where
true pairs with nothing in common count neither for nor against the resolver.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import networkx as nx
import pyarrow as pa

from c360.settings import Settings
from identity.model import model_settings
from identity.warehouse import table_exists

logger = logging.getLogger(__name__)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def _read_truth(truth_csv: Path) -> str:
    return f"read_csv('{truth_csv}', header = true, all_varchar = true)"


def truth_has_linkable_groups(con: duckdb.DuckDBPyConnection, truth_csv: Path) -> bool:
    return "linkable_group" in [
        row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_read_truth(truth_csv)}").fetchall()
    ]


def _pairs(group_by: str) -> str:
    return f"(SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) n FROM c360_eval GROUP BY {group_by}))"


def evaluate_assignments(
    con: duckdb.DuckDBPyConnection, predicted_sql: str, truth_csv: Path, label: str = "evaluation"
) -> dict:
    """Compare `predicted_sql(source, source_record_id, cluster_id)` with the truth file.

    Pairs are unordered pairs of records that appear in both; a pair is predicted when both
    records share a cluster and true when both share a person. With linkable groups, a pair is
    linkable when both records share a group; `linkable_precision` leaves out predicted pairs
    that are true but not linkable (a resolver that joins them anyway is right, not penalised).
    """
    linkable = truth_has_linkable_groups(con, truth_csv)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE c360_eval AS
        SELECT p.cluster_id, t.person_id, {"t.linkable_group" if linkable else "t.person_id"} AS linkable_group
        FROM ({predicted_sql}) p
        JOIN {_read_truth(truth_csv)} t
          ON t.source = p.source AND t.source_record_id = CAST(p.source_record_id AS VARCHAR)
    """)
    coverage = con.execute(f"""
        SELECT (SELECT count(*) FROM {_read_truth(truth_csv)}),
               (SELECT count(*) FROM ({predicted_sql})), (SELECT count(*) FROM c360_eval)
    """).fetchone()
    true_pairs, predicted_pairs, both, linkable_pairs, linkable_found = con.execute(f"""
        SELECT {_pairs("person_id")}, {_pairs("cluster_id")}, {_pairs("cluster_id, person_id")},
               {_pairs("linkable_group")}, {_pairs("cluster_id, linkable_group")}
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
        "pairwise_f1": _f1(precision, recall),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "correct_pairs": both,
        "truth_records": coverage[0],
        "predicted_records": coverage[1],
        "evaluated_records": coverage[2],
        "persons": persons,
        "clusters": clusters,
        # a person is resolved exactly when one cluster holds all of its records and nothing else
        "exact_clusters": exact,
        "cluster_precision": _ratio(exact, clusters),
        "cluster_recall": _ratio(exact, persons),
        "split_persons": split_persons,
        "merged_clusters": merged_clusters,
    }
    if linkable:
        # predicted pairs of one person in two linkable groups: right, but beyond the evidence
        unlinkable_found = both - linkable_found
        linkable_precision = _ratio(linkable_found, predicted_pairs - unlinkable_found)
        linkable_recall = _ratio(linkable_found, linkable_pairs)
        result.update(
            {
                "linkable_precision": linkable_precision,
                "linkable_recall": linkable_recall,
                "linkable_f1": _f1(linkable_precision, linkable_recall),
                "linkable_pairs": linkable_pairs,
                "correct_linkable_pairs": linkable_found,
                "correct_unlinkable_pairs": unlinkable_found,
            }
        )
    logger.info(
        "%s: P=%.4f R=%.4f F1=%.4f (linkable F1 %s) over %d records",
        label,
        precision,
        recall,
        result["pairwise_f1"],
        f"{result['linkable_f1']:.4f}" if linkable else "n/a",
        coverage[2],
    )
    return result


def _blocking_rules(model_path: Path) -> list[str]:
    """The model's prediction blocking rules as SQL over `l` and `r`."""
    settings = model_settings(model_path, "duckdb")
    return [rule["blocking_rule"] for rule in settings["blocking_rules_to_generate_predictions"]]


def blocking_recall(con: duckdb.DuckDBPyConnection, truth_csv: Path, model_path: Path) -> dict:
    """How many true pairs the stage could ever join: pairs compared by a blocking rule or joined
    by a deterministic (or override) edge, directly and through chains of such candidates.

    `blocking_recall` counts true pairs whose two records are candidates themselves;
    `reachable_recall` counts those connected through candidates (what clustering could reach if
    every compared pair scored above the threshold). Needs identity.records and identity.edges.
    """
    compared = " UNION ".join(
        f"SELECT l.unique_id AS unique_id_l, r.unique_id AS unique_id_r FROM identity.records l "
        f"JOIN identity.records r ON ({rule}) AND l.unique_id < r.unique_id"
        for rule in _blocking_rules(model_path)
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE c360_candidates AS
        SELECT DISTINCT unique_id_l, unique_id_r FROM (
            {compared}
            UNION ALL
            SELECT unique_id_l, unique_id_r FROM identity.edges WHERE kind <> 'splink')
    """)
    linkable = truth_has_linkable_groups(con, truth_csv)
    true_pairs, direct, linkable_pairs, linkable_direct = con.execute(f"""
        WITH truth AS (
            SELECT source || ':' || source_record_id AS unique_id, person_id,
                   {"linkable_group" if linkable else "person_id"} AS linkable_group
            FROM {_read_truth(truth_csv)}
        ), pairs AS (
            SELECT a.unique_id AS unique_id_l, b.unique_id AS unique_id_r,
                   a.linkable_group = b.linkable_group AS is_linkable
            FROM truth a JOIN truth b ON a.person_id = b.person_id AND a.unique_id < b.unique_id
        )
        SELECT count(*), count(c.unique_id_l), count(*) FILTER (WHERE is_linkable),
               count(c.unique_id_l) FILTER (WHERE is_linkable)
        FROM pairs p LEFT JOIN c360_candidates c USING (unique_id_l, unique_id_r)
    """).fetchone()
    graph = nx.Graph(con.execute("SELECT unique_id_l, unique_id_r FROM c360_candidates").fetchall())
    members = [(node, number) for number, nodes in enumerate(nx.connected_components(graph)) for node in nodes]
    components = pa.table({"unique_id": [m[0] for m in members], "component": [m[1] for m in members]})  # noqa: F841
    con.execute("CREATE OR REPLACE TEMP TABLE c360_components AS SELECT * FROM components")
    reachable = evaluate_assignments(
        con,
        """
        SELECT r.source, r.source_record_id, coalesce(CAST(c.component AS VARCHAR), r.unique_id) AS cluster_id
        FROM identity.records r LEFT JOIN c360_components c USING (unique_id)""",
        truth_csv,
        label="every compared or deterministic pair accepted (reachable recall)",
    )
    result = {
        "candidate_pairs": con.execute("SELECT count(*) FROM c360_candidates").fetchone()[0],
        "blocking_recall": _ratio(direct, true_pairs),
        "reachable_recall": reachable["pairwise_recall"],
    }
    if linkable:
        result.update(
            {
                "linkable_blocking_recall": _ratio(linkable_direct, linkable_pairs),
                "linkable_reachable_recall": reachable["linkable_recall"],
            }
        )
    return result


def evaluate(
    con_or_settings: duckdb.DuckDBPyConnection | Settings, truth_csv: Path, model_path: Path | None = None
) -> dict:
    """Score identity.customer_map of a warehouse (open connection or Settings) against truth;
    with `model_path`, also the blocking recall of that model's rules on identity.records."""
    if isinstance(con_or_settings, Settings):
        with duckdb.connect(str(con_or_settings.warehouse)) as con:
            return evaluate(con, truth_csv, model_path)
    con = con_or_settings
    predicted = "SELECT source, source_record_id, customer_id AS cluster_id FROM identity.customer_map"
    result = evaluate_assignments(con, predicted, truth_csv)
    if model_path is not None and table_exists(con, "identity.records") and table_exists(con, "identity.edges"):
        result.update(blocking_recall(con, truth_csv, model_path))
    return result
