"""The walking skeleton: landing files → raw → identity → marts → export, on the bundled sample."""

from __future__ import annotations

import csv

import duckdb

from activation.destinations import load_destinations
from c360.runner import run_pipeline
from c360.settings import SAMPLE_TRUTH
from identity.evaluate import evaluate
from tests.conftest import sample_settings
from tests.fingerprint import table_fingerprints

PERSON_BEARING_RAW_RECORDS = """
    select 'crm_contact' as source, contact_id as source_record_id from raw_crm.contacts
    union select 'web_anonymous_id', anonymous_id from raw_web.events where anonymous_id is not null
    union select 'web_user_id', user_id from raw_web.events where user_id is not null
    union select 'email_recipient', recipient_id from raw_email.activity
"""


def truth_records() -> set[tuple[str, str]]:
    with SAMPLE_TRUTH.open(newline="") as f:
        return {(r["source"], r["source_record_id"]) for r in csv.DictReader(f)}


def test_every_person_bearing_raw_record_maps_to_exactly_one_customer(warehouse):
    raw = set(warehouse.execute(PERSON_BEARING_RAW_RECORDS).fetchall())
    mapped = warehouse.execute(
        "select source, source_record_id, count(*) from identity.customer_map group by all"
    ).fetchall()
    assert {(s, r) for s, r, _ in mapped} == raw
    assert max(n for _, _, n in mapped) == 1
    assert warehouse.execute("select count(*) from identity.customer_map where customer_id is null").fetchone()[0] == 0


def test_every_truth_record_reached_the_customer_map(warehouse):
    """The sample is clean, so nothing is quarantined and every generated identity is resolved."""
    mapped = set(warehouse.execute("select source, source_record_id from identity.customer_map").fetchall())
    assert mapped == truth_records()


def test_dim_customers_has_one_row_per_customer(warehouse):
    customers = warehouse.execute("select count(distinct customer_id) from identity.customer_map").fetchone()[0]
    rows, distinct = warehouse.execute(
        "select count(*), count(distinct customer_id) from marts.dim_customers"
    ).fetchone()
    assert rows == distinct == customers
    identified = warehouse.execute("select count(*) from marts.dim_customers where email is not null").fetchone()[0]
    assert identified > 1500  # the sample has 2,000 known people, a few with only web activity


def test_identity_precision_and_recall_against_sample_truth(sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        metrics = evaluate(con, SAMPLE_TRUTH)
    print(f"identity on sample: {metrics}")
    assert metrics["pairwise_precision"] >= 0.9
    assert metrics["pairwise_recall"] >= 0.9


def test_segment_export_writes_every_member_with_consent(sample_run, warehouse):
    for dest in load_destinations().values():
        members = warehouse.execute(
            "select count(*) from marts.segment_membership where segment = ?", [dest.segment]
        ).fetchone()[0]
        assert members > 0, f"segment {dest.segment} is empty on the sample"
        refused = {
            c
            for (c,) in warehouse.execute(
                "select customer_id from marts.customer_consent where consent = 'denied' and purpose in "
                "(select unnest(?::varchar[]))",
                [list(dest.purposes)],
            ).fetchall()
        }
        eligible = warehouse.execute(
            "select count(*) from marts.segment_membership where segment = ? and customer_id not in "
            "(select unnest(?::varchar[]))",
            [dest.segment, sorted(refused)],
        ).fetchone()[0]
        with (sample_run.exports / dest.options.path).open(newline="") as f:
            rows = list(csv.DictReader(f))
        print(f"{dest.name}: {members} members, {members - eligible} refused for consent, {len(rows)} exported")
        assert len(rows) == eligible < members
        assert len({r["customer_id"] for r in rows}) == eligible and not refused & {r["customer_id"] for r in rows}


def test_rerun_on_same_input_changes_no_table(sample_run, sample_fingerprints):
    assert run_pipeline(sample_run).success
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        assert table_fingerprints(con) == sample_fingerprints


def test_fresh_run_on_same_input_builds_identical_tables(tmp_path, sample_fingerprints):
    settings = sample_settings(tmp_path)
    assert run_pipeline(settings).success
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert table_fingerprints(con) == sample_fingerprints
