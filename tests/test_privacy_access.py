"""Data-subject access: `c360 export-person` shows every row the warehouse holds about a person.

Completeness is checked against the same full-warehouse scan the erasure tests use
(tests.test_privacy.traces: every table and text column, by email, phone digits, full name
and source record): each table the scan finds the person in is in the export.
"""

from __future__ import annotations

import json
import re

import duckdb

from c360.cli import main
from tests.test_privacy import EMAIL_PATTERN, pick_subject, traces


def test_export_covers_every_table_a_full_warehouse_scan_finds_the_person_in(sample_run, tmp_path, monkeypatch, capsys):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        subject = pick_subject(con)
        scanned = traces(con, subject)
        delivered = con.execute(
            """select count(*) from activation.deliveries
                                   where customer_id = ?""",
            [subject.customer_id],
        ).fetchone()[0]
    monkeypatch.setenv("C360_WAREHOUSE", str(sample_run.warehouse))
    out = tmp_path / "person.json"

    assert main(["export-person", "--email", subject.email.upper(), "--out", str(out)]) == 0

    document = json.loads(out.read_text())
    print(f"full scan found the person in {len(scanned)} tables; the export holds {document['tables']}")
    assert set(scanned) <= set(document["tables"])
    assert all(document["tables"][table] >= rows for table, rows in scanned.items())
    assert document["customer_ids"] == [subject.customer_id]
    assert sorted(map(tuple, (r.values() for r in document["source_records"]))) == sorted(subject.records)
    layers = document["layers"]
    assert {"raw.crm", "raw.web", "raw.email", "identity", "marts", "segments"} <= set(layers)
    assert layers["raw.crm"]["contacts"][0]["email_normalized"] in subject.emails
    assert {"customer_map", "edges"} <= set(layers["identity"])  # identity with the edges that joined the records
    assert layers["marts"]["marts.dim_customers"][0]["customer_id"] == subject.customer_id
    assert len(document["destinations"]) == (1 if delivered else 0)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert not EMAIL_PATTERN.search(capsys.readouterr().out)  # the console shows counts only


def test_export_by_customer_id_names_the_destinations_that_received_the_person(sample_run, tmp_path, monkeypatch):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        customer_id, destination, first_sent = con.execute("""select customer_id, destination, first_sent_at
            from activation.deliveries order by customer_id limit 1""").fetchone()
    monkeypatch.setenv("C360_WAREHOUSE", str(sample_run.warehouse))
    out = tmp_path / "person.json"

    assert main(["export-person", "--customer-id", customer_id, "--out", str(out)]) == 0

    document = json.loads(out.read_text())
    assert document["destinations"] == [
        {
            "destination": destination,
            "segment": "pricing_visitors_not_customers",
            "first_sent_at": first_sent.isoformat(),
            "last_sent_at": document["destinations"][0]["last_sent_at"],
        }
    ]
    assert document["layers"]["activation"]["sync_state"][0]["customer_id"] == customer_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*", document["generated_at"])


def test_export_person_refuses_a_bad_request_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("C360_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert main(["export-person", "--email", "not-an-address", "--out", str(tmp_path / "p.json")]) == 2
    assert main(["export-person", "--customer-id", "c1", "--out", str(tmp_path / "p.json")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "c360 export-person: the email is not an email address",
        f"c360 export-person: no warehouse at {tmp_path / 'missing.duckdb'}",
    ]
