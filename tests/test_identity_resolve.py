"""Identity stage on hand-written raw tables: deterministic stitching, the household guard,
missing sources, determinism, and persistent ids through merges and splits."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from c360.settings import Settings
from identity.resolve import run_identity

CONTACT_COLUMNS = (
    "contact_id, first_name, last_name, email, email_normalized, additional_emails, phone, "
    "company_name, job_title, street, city, postal_code, date_of_birth, lifecycle_stage, owner, "
    "created_at, updated_at, is_archived, _source_file, _source_line, _file_hash"
)


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        warehouse=tmp_path / "wh.duckdb",
        landing=tmp_path / "landing",
        exports=tmp_path / "exports",
        reports=tmp_path / "reports",
    )


# each source's raw tables as ingestion creates them (every table of a source, every column): identity
# reads them through the dbt staging models
RAW_TABLES = {
    "crm": """
        CREATE SCHEMA raw_crm;
        CREATE TABLE raw_crm.contacts (contact_id BIGINT, first_name VARCHAR, last_name VARCHAR, email VARCHAR,
            email_normalized VARCHAR, additional_emails VARCHAR, phone VARCHAR, company_name VARCHAR,
            job_title VARCHAR, street VARCHAR, city VARCHAR, postal_code VARCHAR, date_of_birth DATE,
            lifecycle_stage VARCHAR, owner VARCHAR, created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,
            is_archived BOOLEAN, _source_file VARCHAR, _source_line BIGINT, _file_hash VARCHAR);
        CREATE TABLE raw_crm.activities (activity_id BIGINT, activity_type VARCHAR, occurred_at TIMESTAMPTZ,
            contact_id BIGINT, deal_id BIGINT, owner VARCHAR, subject VARCHAR, is_archived BOOLEAN);""",
    "web": """
        CREATE SCHEMA raw_web;
        CREATE TABLE raw_web.events (message_id VARCHAR, type VARCHAR, event VARCHAR, name VARCHAR,
            anonymous_id VARCHAR, user_id VARCHAR, previous_id VARCHAR, "timestamp" TIMESTAMPTZ, ip VARCHAR,
            user_agent VARCHAR, page_url VARCHAR, page_path VARCHAR, page_title VARCHAR, referrer VARCHAR,
            utm_source VARCHAR, utm_medium VARCHAR, utm_campaign VARCHAR, utm_term VARCHAR, utm_content VARCHAR,
            mc_eid VARCHAR, traits_email VARCHAR, traits_email_normalized VARCHAR, traits_first_name VARCHAR,
            traits_last_name VARCHAR, traits_phone VARCHAR, properties VARCHAR);""",
    "email": """
        CREATE SCHEMA raw_email;
        CREATE TABLE raw_email.activity (activity_id VARCHAR, recipient_id VARCHAR, email VARCHAR,
            email_normalized VARCHAR, first_name VARCHAR, last_name VARCHAR, campaign_id VARCHAR,
            action VARCHAR, occurred_at TIMESTAMPTZ, url VARCHAR, bounce_type VARCHAR);""",
}


def _create_raw_tables(con: duckdb.DuckDBPyConnection, *sources: str) -> None:
    con.execute("".join(RAW_TABLES[source] for source in sources or RAW_TABLES))


def _add_contact(
    con,
    contact_id: int,
    first: str,
    last: str,
    email: str | None,
    *,
    additional: str | None = None,
    phone: str | None = None,
    street: str | None = None,
    postcode: str | None = None,
    dob: str | None = None,
) -> None:
    con.execute(
        f"INSERT INTO raw_crm.contacts ({CONTACT_COLUMNS}) VALUES "
        "(?, ?, ?, ?, lower(?), ?, ?, 'Acme', 'CTO', ?, 'Springfield', ?, ?, 'lead', 'Dana', "
        "TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-02 00:00:00+00', false, "
        "'contacts.csv', 1, 'h')",
        [contact_id, first, last, email, email, additional, phone, street, postcode, dob],
    )


def _add_event(con, message_id: str, anonymous_id: str, **columns: str) -> None:
    """A page view of this device on 2026-09-01, or the event `columns` (raw_web.events names) make it."""
    row = {"message_id": message_id, "type": "page", "anonymous_id": anonymous_id, **columns}
    con.execute(
        f'INSERT INTO raw_web.events ({", ".join(row)}, "timestamp") '
        f"VALUES ({', '.join('?' * len(row))}, TIMESTAMPTZ '2026-09-01 10:00:00+00')",
        list(row.values()),
    )


def _add_recipient(con, recipient_id: str, email: str, first: str | None = None, last: str | None = None) -> None:
    con.execute(
        "INSERT INTO raw_email.activity (activity_id, recipient_id, email, email_normalized, first_name, "
        "last_name, campaign_id, action, occurred_at) VALUES "
        "(?, ?, ?, lower(?), ?, ?, 'c1', 'sent', TIMESTAMPTZ '2026-09-01 09:00:00+00')",
        [f"act-{recipient_id}", recipient_id, email, email, first, last],
    )


def _ann_and_the_stones(con) -> None:
    """Ann across every source; Bob and Carl Stone, a household sharing surname, address and landline."""
    _create_raw_tables(con)
    _add_contact(
        con,
        101,
        "Ann",
        "Lee",
        "Ann.Lee+news@Example.com ",
        additional="annie@work.test",
        phone="(415) 555-0101",
        street="1 Main St",
        postcode="94110",
        dob="1980-01-02",
    )
    _add_event(con, "m1", "anon-1")
    identify = {"type": "identify", "user_id": "user-1", "traits_email": "ann.lee@example.com"}
    _add_event(con, "m2", "anon-1", **identify, traits_first_name="Ann", traits_last_name="Lee")
    _add_event(con, "m3", "anon-2", mc_eid="rcp-1")  # landed from an email link
    _add_recipient(con, "rcp-1", "annie@work.test")
    _add_contact(
        con,
        202,
        "Bob",
        "Stone",
        "bob@stone.test",
        phone="+1 617 555 0199",
        street="9 Elm St",
        postcode="02139",
        dob="1970-05-05",
    )
    _add_contact(
        con,
        303,
        "Carl",
        "Stone",
        "carl@stone.test",
        phone="617.555.0199",
        street="9 Elm St",
        postcode="02139",
        dob="1999-09-09",
    )


def _customer_map(con) -> dict[tuple[str, str], str]:
    rows = con.execute("SELECT source, source_record_id, customer_id FROM identity.customer_map").fetchall()
    return {(source, record): customer for source, record, customer in rows}


def _run(settings: Settings) -> tuple[dict, dict[tuple[str, str], str]]:
    result = run_identity(settings)
    with duckdb.connect(str(settings.warehouse)) as con:
        return result, _customer_map(con)


def test_deterministic_edges_stitch_crm_web_and_email_into_one_customer(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
    result, mapping = _run(settings)

    ann = {
        ("crm_contact", "101"),
        ("web_anonymous_id", "anon-1"),
        ("web_user_id", "user-1"),
        ("web_anonymous_id", "anon-2"),
        ("email_recipient", "rcp-1"),
    }
    assert set(mapping) == ann | {("crm_contact", "202"), ("crm_contact", "303")}
    assert len({mapping[key] for key in ann}) == 1
    assert result["edges"]["anonymous_to_user"] == 1
    assert result["edges"]["email_click"] == 1
    assert result["edges"]["exact_email"] == 2  # crm 101 ~ user-1 (plus-addressed), crm 101 ~ rcp-1 (additional)
    assert result["records"] == 7 and result["customers"] == 3


def test_values_that_cannot_be_normalised_are_counted_per_source_and_field(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
        _add_contact(con, 404, "Dee", "Moss", "no address here", phone="12", street="1 Oak St", postcode="02139")
    result, _ = _run(settings)
    assert result["not_normalised"] == {"crm_contact.email": 1, "crm_contact.phone": 1}


def test_household_members_sharing_address_and_phone_stay_apart(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
    _, mapping = _run(settings)
    assert mapping[("crm_contact", "202")] != mapping[("crm_contact", "303")]


def test_probabilistic_edge_links_a_nickname_duplicate(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
        _add_contact(
            con,
            204,
            "Robert",
            "Stone",
            None,
            phone="617-555-0199",
            street="9 Elm St",
            postcode="02139",
            dob="1970-05-05",
        )
    result, mapping = _run(settings)
    assert result["edges"]["splink"] >= 1
    assert mapping[("crm_contact", "204")] == mapping[("crm_contact", "202")]
    assert mapping[("crm_contact", "303")] != mapping[("crm_contact", "202")]


@pytest.mark.parametrize(
    ("contact_id", "last", "street", "postcode"),
    [
        (102, "Lee", "77 Ocean Ave", "94112"),  # moved house
        (103, "Parker", "1 Main St", "94110"),  # took another surname
    ],
)
def test_a_changed_address_or_surname_does_not_veto_a_match(
    tmp_path: Path, contact_id: int, last: str, street: str, postcode: str
) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
        _add_contact(
            con, contact_id, "Ann", last, None, phone="415-555-0101", street=street, postcode=postcode, dob="1980-01-02"
        )
    _, mapping = _run(settings)
    assert mapping[("crm_contact", str(contact_id))] == mapping[("crm_contact", "101")]


def test_missing_raw_tables_count_as_empty_sources(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _create_raw_tables(con, "crm")
        _add_contact(con, 1, "Ann", "Lee", "ann@x.test")
    result, mapping = _run(settings)
    assert list(mapping) == [("crm_contact", "1")]
    assert result["customers"] == 1


def test_identical_input_gives_identical_ids_from_an_empty_warehouse(tmp_path: Path) -> None:
    maps = []
    for name in ("first", "second"):
        settings = _settings(tmp_path / name)
        settings.warehouse.parent.mkdir()
        with duckdb.connect(str(settings.warehouse)) as con:
            _ann_and_the_stones(con)
        maps.append(_run(settings)[1])
    assert maps[0] == maps[1]
    assert all(customer.startswith("cus_") for customer in maps[0].values())


def test_rerun_without_changes_keeps_every_id_and_writes_no_history(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
    _, first = _run(settings)
    result, second = _run(settings)
    assert second == first
    assert result["records_reassigned"] == 0 and result["new_customer_ids"] == 0
    with duckdb.connect(str(settings.warehouse)) as con:
        assert con.execute("SELECT count(*) FROM identity.customer_id_history").fetchone()[0] == 0


def test_merge_keeps_the_oldest_id_and_retires_the_other(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
    _, run1 = _run(settings)
    with duckdb.connect(str(settings.warehouse)) as con:
        _add_recipient(con, "rcp-9", "bobby@mail.test")
    _, run2 = _run(settings)
    bob_id, newer_id = run1[("crm_contact", "202")], run2[("email_recipient", "rcp-9")]
    assert newer_id != bob_id
    with duckdb.connect(str(settings.warehouse)) as con:
        # a later CRM contact holds both of Bob's addresses: the two customers are one
        _add_contact(con, 505, "Bob", "Stone", "bobby@mail.test", additional="bob@stone.test")
    _, run3 = _run(settings)
    assert run3[("email_recipient", "rcp-9")] == run3[("crm_contact", "505")] == bob_id
    assert run3[("crm_contact", "101")] == run1[("crm_contact", "101")]
    with duckdb.connect(str(settings.warehouse)) as con:
        history = con.execute("SELECT old_id, new_id, reason FROM identity.customer_id_history").fetchall()
    assert history == [(newer_id, bob_id, "merge")]


def test_split_leaves_the_id_with_the_largest_part(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
        _add_recipient(con, "rcp-9", "bobby@mail.test")
        _add_event(con, "m9", "anon-9", mc_eid="rcp-9")
        _add_event(con, "m10", "anon-10", mc_eid="rcp-9")
        _add_contact(con, 505, "Bob", "Stone", "bobby@mail.test", additional="bob@stone.test")
    _, before = _run(settings)
    merged_id = before[("crm_contact", "202")]
    assert before[("email_recipient", "rcp-9")] == merged_id
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("DELETE FROM raw_crm.contacts WHERE contact_id = 505")  # the bridge is gone
    _, after = _run(settings)
    larger_part = [("email_recipient", "rcp-9"), ("web_anonymous_id", "anon-9"), ("web_anonymous_id", "anon-10")]
    assert all(after[key] == merged_id for key in larger_part)
    assert after[("crm_contact", "202")] != merged_id
    assert ("crm_contact", "505") not in after
    with duckdb.connect(str(settings.warehouse)) as con:
        history = con.execute("SELECT old_id, new_id, reason FROM identity.customer_id_history").fetchall()
    assert history == [(merged_id, after[("crm_contact", "202")], "split")]


@pytest.mark.parametrize(
    ("missing", "absent_sources"),
    [
        ("raw_web.events", {"web_anonymous_id", "web_user_id"}),
        ("raw_email.activity", {"email_recipient"}),
    ],
)
def test_each_optional_source_may_be_absent(tmp_path: Path, missing: str, absent_sources: set[str]) -> None:
    settings = _settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        _ann_and_the_stones(con)
        con.execute(f"DROP TABLE {missing}")
    _, mapping = _run(settings)
    assert ("crm_contact", "101") in mapping
    assert not {source for source, _ in mapping} & absent_sources
