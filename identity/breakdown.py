"""Why pairs are missed or wrongly joined: the evaluation split by source pair and shared evidence.

Like evaluate.py it reads the truth file only to label an already resolved warehouse; it tells
which class of missed pairs a change could still recover, and which has no evidence to find.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from identity.evaluate import truth_has_linkable_groups

# A missed pair is explained by the best evidence shared between the two clusters that hold its
# records, since any one link between them would have joined the pair; first match wins.
_MISSED_EVIDENCE = """
    CASE WHEN NOT a.has_attributes OR NOT b.has_attributes THEN 'anonymous device, nothing identifies it'
         WHEN bool_or(x.phone = y.phone) THEN 'shared phone'
         WHEN bool_or(x.dob = y.dob) THEN 'shared date of birth'
         WHEN bool_or(x.street = y.street AND x.postcode = y.postcode) THEN 'shared address'
         WHEN bool_or(x.last_name = y.last_name
                      AND len(list_intersect(x.first_name_variants, y.first_name_variants)) > 0)
              THEN 'full name only'
         WHEN bool_or(x.last_name = y.last_name) THEN 'last name only'
         ELSE 'nothing in common' END
"""


def pair_breakdown(con: duckdb.DuckDBPyConnection, truth_csv: Path) -> dict[str, list[dict]]:
    """Missed pairs by (evidence, source pair, linkable), false pairs by source pair, wrong edges by kind.

    `linkable` says whether the two records share a linkable group of the truth file (always
    true for a truth file without groups). Needs identity.records, identity.customer_map and
    identity.edges from a resolved warehouse.
    """
    group = "t.linkable_group" if truth_has_linkable_groups(con, truth_csv) else "t.person_id"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE c360_labelled AS
        SELECT r.*, m.customer_id, t.person_id, {group} AS linkable_group
        FROM identity.records r
        JOIN identity.customer_map m USING (source, source_record_id)
        JOIN read_csv('{truth_csv}', header = true, all_varchar = true) t
          ON t.source = r.source AND t.source_record_id = r.source_record_id
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE c360_parts AS
        SELECT person_id, customer_id,
               bool_or(coalesce(first_name, last_name, email, phone) IS NOT NULL) AS has_attributes
        FROM c360_labelled GROUP BY ALL
    """)
    missed = _rows(
        con,
        f"""
        WITH part_pairs AS (
            SELECT a.person_id, a.customer_id AS customer_a, b.customer_id AS customer_b,
                   {_MISSED_EVIDENCE} AS evidence
            FROM c360_parts a
            JOIN c360_parts b ON b.person_id = a.person_id AND b.customer_id > a.customer_id
            JOIN c360_labelled x ON x.person_id = a.person_id AND x.customer_id = a.customer_id
            JOIN c360_labelled y ON y.person_id = b.person_id AND y.customer_id = b.customer_id
            GROUP BY a.person_id, a.customer_id, b.customer_id, a.has_attributes, b.has_attributes
        )
        SELECT p.evidence, least(x.source, y.source) AS source_l, greatest(x.source, y.source) AS source_r,
               x.linkable_group = y.linkable_group AS linkable, count(*) AS pairs
        FROM part_pairs p
        JOIN c360_labelled x ON x.person_id = p.person_id AND x.customer_id = p.customer_a
        JOIN c360_labelled y ON y.person_id = p.person_id AND y.customer_id = p.customer_b
        GROUP BY ALL ORDER BY pairs DESC, 1, 2, 3, 4
    """,
    )
    false = _rows(
        con,
        """
        SELECT least(x.source, y.source) AS source_l, greatest(x.source, y.source) AS source_r, count(*) AS pairs
        FROM c360_labelled x
        JOIN c360_labelled y ON y.customer_id = x.customer_id AND y.unique_id > x.unique_id
        WHERE x.person_id <> y.person_id
        GROUP BY ALL ORDER BY pairs DESC, 1, 2
    """,
    )
    wrong_edges = _rows(
        con,
        """
        SELECT e.kind, count(*) AS edges
        FROM identity.edges e
        JOIN c360_labelled x ON x.unique_id = e.unique_id_l
        JOIN c360_labelled y ON y.unique_id = e.unique_id_r
        WHERE x.person_id <> y.person_id
        GROUP BY ALL ORDER BY edges DESC, 1
    """,
    )
    return {"missed": missed, "false": false, "wrong_edges": wrong_edges}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
