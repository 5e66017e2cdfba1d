"""Evaluation metrics against a truth file, checked on a case small enough to count by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from identity.breakdown import pair_breakdown
from identity.evaluate import evaluate


def identity_warehouse(tmp_path: Path, truth_csv: str, customer_map: str) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """A warehouse whose identity.customer_map holds `customer_map` (SQL value rows: source, record id,
    customer id), and the truth file `truth_csv` beside it."""
    truth = tmp_path / "truth.csv"
    truth.write_text(truth_csv)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA identity")
    con.execute(
        f"CREATE TABLE identity.customer_map AS SELECT * FROM (VALUES {customer_map}) t(source, source_record_id, customer_id)"
    )
    return con, truth


HAND_COUNTED_CASES = {
    # true pairs ab ac bc de = 4; predicted ab cd ce de = 4; correct ab de = 2
    "pairwise_and_cluster_measures_match_a_hand_count": (
        "source,source_record_id,person_id\n"
        "crm_contact,a,P1\ncrm_contact,b,P1\nweb_user_id,c,P1\n"
        "email_recipient,d,P2\nweb_anonymous_id,e,P2\ncrm_contact,f,P3\n",
        """('crm_contact', 'a', 'C1'), ('crm_contact', 'b', 'C1'), ('web_user_id', 'c', 'C2'),
        ('email_recipient', 'd', 'C2'), ('web_anonymous_id', 'e', 'C2'), ('crm_contact', 'f', 'C3')""",
        {
            **{"true_pairs": 4, "predicted_pairs": 4, "correct_pairs": 2},
            **{"pairwise_precision": 0.5, "pairwise_recall": 0.5, "pairwise_f1": 0.5},
            **{"persons": 3, "clusters": 3, "exact_clusters": 1, "cluster_precision": 1 / 3},
            **{"split_persons": 1, "merged_clusters": 1, "evaluated_records": 6},
        },
    ),
    "perfect_assignment_scores_one": (
        "source,source_record_id,person_id\ncrm_contact,1,P1\nweb_user_id,u1,P1\ncrm_contact,2,P2\n",
        "('crm_contact', '1', 'X'), ('web_user_id', 'u1', 'X'), ('crm_contact', '2', 'Y')",
        {"pairwise_f1": 1.0, "cluster_recall": 1.0},
    ),
    # P1's anonymous device c shares nothing with a and b (its own linkable group P1.2); a+b found,
    # c left alone, d and e wrongly joined. All pairs: true ab ac bc, predicted ab de, correct ab;
    # linkable pairs: only ab, found.
    "linkable_pairs_leave_out_true_pairs_without_shared_evidence": (
        "source,source_record_id,person_id,linkable_group\n"
        "crm_contact,a,P1,P1.1\nemail_recipient,b,P1,P1.1\nweb_anonymous_id,c,P1,P1.2\n"
        "crm_contact,d,P2,P2.1\ncrm_contact,e,P3,P3.1\n",
        """('crm_contact', 'a', 'C1'), ('email_recipient', 'b', 'C1'), ('web_anonymous_id', 'c', 'C2'),
        ('crm_contact', 'd', 'C3'), ('crm_contact', 'e', 'C3')""",
        {
            **{"pairwise_precision": 1 / 2, "pairwise_recall": 1 / 3},
            **{"linkable_pairs": 1, "correct_linkable_pairs": 1},
            **{"linkable_precision": 1 / 2, "linkable_recall": 1.0, "linkable_f1": 2 / 3},
        },
    ),
    "a_pair_joined_beyond_the_evidence_counts_neither_for_nor_against_linkable_precision": (
        "source,source_record_id,person_id,linkable_group\ncrm_contact,a,P1,P1.1\nweb_anonymous_id,c,P1,P1.2\n",
        "('crm_contact', 'a', 'C1'), ('web_anonymous_id', 'c', 'C1')",
        {"correct_unlinkable_pairs": 1, "linkable_pairs": 0, "linkable_precision": 1.0, "pairwise_precision": 1.0},
    ),
}


@pytest.mark.parametrize(
    ("truth_csv", "customer_map", "expected"), HAND_COUNTED_CASES.values(), ids=HAND_COUNTED_CASES.keys()
)
def test_evaluation_measures_match_a_hand_count(
    tmp_path: Path, truth_csv: str, customer_map: str, expected: dict[str, float]
) -> None:
    con, truth = identity_warehouse(tmp_path, truth_csv, customer_map)

    result = evaluate(con, truth)

    assert {measure: result[measure] for measure in expected} == pytest.approx(expected)


def test_breakdown_explains_missed_pairs_by_shared_evidence_and_false_pairs_by_edge(tmp_path: Path) -> None:
    # clusters: {a}, {b}, {c}, {d, f} wrongly joined, {e}
    con, truth = identity_warehouse(
        tmp_path,
        "source,source_record_id,person_id\n"
        "crm_contact,a,P1\nemail_recipient,b,P1\nweb_anonymous_id,c,P1\n"
        "crm_contact,d,P2\nweb_user_id,e,P2\ncrm_contact,f,P3\n",
        """('crm_contact', 'a', 'C1'), ('email_recipient', 'b', 'C2'), ('web_anonymous_id', 'c', 'C3'),
        ('crm_contact', 'd', 'C4'), ('crm_contact', 'f', 'C4'), ('web_user_id', 'e', 'C5')""",
    )
    con.execute("""CREATE TABLE identity.records AS
        SELECT source || ':' || id AS unique_id, source, id AS source_record_id, first_name, last_name, email,
               phone, NULL::VARCHAR AS street, NULL::VARCHAR AS postcode, NULL::DATE AS dob,
               CASE WHEN first_name IS NOT NULL THEN [first_name] END AS first_name_variants
        FROM (VALUES
            ('crm_contact', 'a', 'ann', 'lee', 'ann@work.com', NULL),
            ('email_recipient', 'b', 'ann', 'lee', 'ann@home.com', NULL),
            ('web_anonymous_id', 'c', NULL, NULL, NULL, NULL),
            ('crm_contact', 'd', 'bo', 'kim', 'bo@work.com', '+15550001'),
            ('web_user_id', 'e', NULL, NULL, 'bo@home.com', '+15550001'),
            ('crm_contact', 'f', 'cy', 'kim', 'cy@work.com', NULL)) t(source, id, first_name, last_name, email, phone)""")
    con.execute("""CREATE TABLE identity.edges AS SELECT * FROM (VALUES
        ('crm_contact:d', 'crm_contact:f', 'splink', 0.97)) t(unique_id_l, unique_id_r, kind, match_probability)""")

    result = pair_breakdown(con, truth)

    assert {(r["evidence"], r["source_l"], r["source_r"], r["pairs"]) for r in result["missed"]} == {
        ("full name only", "crm_contact", "email_recipient", 1),
        ("anonymous device, nothing identifies it", "crm_contact", "web_anonymous_id", 1),
        ("anonymous device, nothing identifies it", "email_recipient", "web_anonymous_id", 1),
        ("shared phone", "crm_contact", "web_user_id", 1),
    }
    assert result["false"] == [{"source_l": "crm_contact", "source_r": "crm_contact", "pairs": 1}]
    assert result["wrong_edges"] == [{"kind": "splink", "edges": 1}]
