"""identity.clusters finds Splink's clusters, cluster ids included, without Splink's SQL iterations."""

from __future__ import annotations

import duckdb
from splink.clustering import cluster_pairwise_predictions_at_threshold

from identity.clusters import cluster_records
from identity.model import SPLINK_SCHEMA, register_table, splink_session

# A long chain whose smallest member (as text: "crm_contact:10" < "crm_contact:9") is in its middle,
# a cycle, a star, a pair joined twice by two kinds of edge, and records with no edge at all.
RECORDS = [
    *(f"crm_contact:{n}" for n in range(1, 13)),
    *(f"web_user_id:u{n}" for n in range(1, 6)),
    "email_recipient:r1",
    "email_recipient:r2",
]
EDGES = [
    line.split()
    for line in """
    crm_contact:8 crm_contact:9 splink
    crm_contact:10 crm_contact:9 splink
    crm_contact:10 crm_contact:11 splink
    crm_contact:11 web_user_id:u5 anonymous_to_user
    crm_contact:1 crm_contact:2 splink
    crm_contact:2 crm_contact:3 splink
    crm_contact:1 crm_contact:3 exact_email
    web_user_id:u1 web_user_id:u2 exact_email
    web_user_id:u1 web_user_id:u3 exact_email
    web_user_id:u1 email_recipient:r1 email_click
    crm_contact:5 crm_contact:6 splink
    crm_contact:5 crm_contact:6 exact_email
    """.strip().splitlines()
]


def _graph(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE records (unique_id VARCHAR, source VARCHAR, source_record_id VARCHAR)")
    con.executemany(
        "INSERT INTO records VALUES (?, split_part(?, ':', 1), split_part(?, ':', 2))", [[r] * 3 for r in RECORDS]
    )
    con.execute("CREATE TABLE edges (unique_id_l VARCHAR, unique_id_r VARCHAR, kind VARCHAR, match_probability DOUBLE)")
    con.executemany(
        "INSERT INTO edges VALUES (least(?, ?), greatest(?, ?), ?, 1.0)",
        [[left, right, left, right, kind] for left, right, kind in EDGES],
    )


def test_clusters_and_their_ids_are_those_of_splinks_sql_clustering() -> None:
    with duckdb.connect() as con:
        _graph(con)
        count = cluster_records(con, "records", "edges", "clusters")
        with splink_session(con) as db_api:
            splink = cluster_pairwise_predictions_at_threshold(
                nodes=register_table(db_api, "records", "cluster_nodes"),
                edges=register_table(db_api, "edges", "cluster_edges"),
                db_api=db_api,
                node_id_column_name="unique_id",
            )
            expected = con.execute(
                f"SELECT unique_id, cluster_id FROM {SPLINK_SCHEMA}.{splink.physical_name} ORDER BY unique_id"
            ).fetchall()
        clusters = con.execute("SELECT unique_id, cluster_id FROM clusters ORDER BY unique_id").fetchall()
    assert clusters == expected
    assert dict(clusters)["crm_contact:8"] == "crm_contact:10"  # the chain's smallest id names it
    assert dict(clusters)["crm_contact:12"] == "crm_contact:12"  # a record without edges is its own cluster
    assert count == 9


def test_each_record_keeps_its_source_and_source_record_id() -> None:
    with duckdb.connect() as con:
        _graph(con)
        cluster_records(con, "records", "edges", "clusters")
        row = con.execute(
            "SELECT source, source_record_id, cluster_id FROM clusters WHERE unique_id = 'web_user_id:u5'"
        ).fetchone()
    assert row == ("web_user_id", "u5", "crm_contact:10")
