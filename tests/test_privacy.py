"""Right to be forgotten: `forget` erases a person everywhere, and a reload of their files stays erased."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from activation.identifiers import hashed_email, hashed_phone
from c360.cli import main
from c360.runner import run_pipeline
from c360.settings import Settings
from ingestion.pipelines import pipelines_dir
from ingestion.records import Reject
from privacy.forget import forget
from privacy.suppressions import Suppressions, record_hash

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@dataclass(frozen=True)
class Subject:
    """The person to erase and what of them may leave a trace."""

    customer_id: str
    email: str
    emails: list[str]
    phone_digits: list[str]  # national digits: matched in any formatting
    name: tuple[str, str]
    records: list[tuple[str, str]]  # (source, source_record_id): the ids behind the customer


def copy_warehouse(settings: Settings, root: Path) -> Settings:
    """A private copy of a pipeline's warehouse and its dlt state, so erasing leaves the shared run intact."""
    copy = replace(
        settings, warehouse=root / "warehouse" / "c360.duckdb", exports=root / "exports", reports=root / "reports"
    )
    copy.warehouse.parent.mkdir(parents=True)
    shutil.copy(settings.warehouse, copy.warehouse)
    shutil.copytree(pipelines_dir(settings), pipelines_dir(copy))
    shutil.copytree(settings.exports, copy.exports)
    return copy


def pick_subject(con: duckdb.DuckDBPyConnection) -> Subject:
    """A customer seen in every source, with a phone, sent to a destination, whose name no other customer has."""
    customer_id, email, phone, first, last = con.execute("""
        select customer_id, email, phone, first_name, last_name from marts.dim_customers d
        where crm_contact_records > 0 and web_user_id_records > 0 and email_recipient_records > 0
          and phone is not null
          and exists (select 1 from activation.sync_state s where s.customer_id = d.customer_id)
          and (select count(*) from marts.dim_customers o
               where lower(o.first_name) = lower(d.first_name) and lower(o.last_name) = lower(d.last_name)) = 1
        order by customer_id limit 1""").fetchone()
    emails = [
        e
        for (e,) in con.execute(
            """
        select distinct e.email from identity.record_emails e join identity.records r using (unique_id)
        join identity.customer_map m on m.source = r.source and m.source_record_id = r.source_record_id
        where m.customer_id = ?""",
            [customer_id],
        ).fetchall()
    ]
    phones = [
        p
        for (p,) in con.execute(
            """
        select distinct phone from identity.records r join identity.customer_map m using (source, source_record_id)
        where m.customer_id = ? and r.phone is not null""",
            [customer_id],
        ).fetchall()
    ]
    records = con.execute(
        "select source, source_record_id from identity.customer_map where customer_id = ?", [customer_id]
    ).fetchall()
    return Subject(
        customer_id,
        email,
        sorted({email.lower(), *emails}),
        sorted({p[-10:] for p in phones} | {re.sub(r"\D", "", phone)[-10:]}),
        (first, last),
        records,
    )


def traces(con: duckdb.DuckDBPyConnection, subject: Subject) -> dict[str, int]:
    """Rows, per table of every schema, whose text columns hold the subject's email, phone or full name,
    or that are one of the subject's source records."""
    hits = {}
    tables = con.execute("""select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('information_schema', 'pg_catalog')""").fetchall()
    for schema, table in tables:
        columns = [
            c
            for (c,) in con.execute(
                """
            select column_name from information_schema.columns
            where table_schema = ? and table_name = ? and data_type in ('VARCHAR', 'JSON')""",
                [schema, table],
            ).fetchall()
        ]
        if not columns:
            continue
        text = "lower(concat_ws('|', " + ", ".join(f'"{c}"' for c in columns) + "))"
        conditions = [f"contains({text}, ?)" for _ in subject.emails]
        conditions += [f"contains(regexp_replace({text}, '[^0-9]', '', 'g'), ?)" for _ in subject.phone_digits]
        conditions.append(f"(contains({text}, ?) and contains({text}, ?))")
        params = [*subject.emails, *subject.phone_digits, subject.name[0].lower(), subject.name[1].lower()]
        if {"source", "source_record_id"} <= set(columns):
            conditions += ["(source = ? and source_record_id = ?)" for _ in subject.records]
            params += [value for record in subject.records for value in record]
        rows = con.execute(
            f'select count(*) from "{schema}"."{table}" where {" or ".join(conditions)}', params
        ).fetchone()[0]
        if rows:
            hits[f"{schema}.{table}"] = rows
    return hits


def forget_dlt_state(settings: Settings) -> None:
    """Make the next run read every landing file again, as if the files had just arrived."""
    shutil.rmtree(pipelines_dir(settings))
    with duckdb.connect(str(settings.warehouse)) as con:
        for source in ("crm", "web", "email"):
            con.execute(f"delete from raw_{source}._dlt_pipeline_state")


@pytest.fixture(scope="module")
def erased(sample_run, tmp_path_factory):
    """Forget one person, then rerun the whole pipeline over every original file."""
    settings = copy_warehouse(sample_run, tmp_path_factory.mktemp("forget"))
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        subject = pick_subject(con)
        before = traces(con, subject)
        records_before = con.execute("select count(*) from identity.customer_map").fetchone()[0]
    report = forget(settings, email=subject.email.upper())  # any spelling of the address
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        after_forget = traces(con, subject)
    after_forget |= {
        str(f): 1
        for f in pipelines_dir(settings).rglob("*")
        if f.is_file() and any(e.encode() in f.read_bytes() for e in subject.emails)
    }  # dlt's kept load files
    forget_dlt_state(settings)
    rerun = run_pipeline(settings)
    return settings, subject, before, records_before, report, after_forget, rerun


def test_scan_sees_the_person_before_erasure(erased):
    _, _, before, *_ = erased
    assert {
        "raw_crm.contacts",
        "raw_web.events",
        "raw_email.activity",
        "identity.records",
        "marts.dim_customers",
    } <= set(before)


def test_forget_leaves_no_trace_in_any_table(erased):
    _, _, _, _, report, after_forget, _ = erased
    assert after_forget == {}
    assert report.customers == 1 and report.records >= 3
    assert {
        "raw_crm.contacts",
        "raw_web.events",
        "raw_email.activity",
        "identity.customer_map",
        "marts.dim_customers",
        "marts.segment_history",
        "activation.sync_state",
    } <= set(report.tables_touched)


def test_reloading_the_original_files_does_not_bring_the_person_back(erased):
    settings, subject, _, records_before, report, _, rerun = erased
    assert rerun.success
    failed = [e.check_name for e in rerun.get_asset_check_evaluations() if not e.passed]
    assert failed == []  # load accounting balances with suppressed rows counted
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        hits = traces(con, subject)
        print(f"erasure scan after full reload: {hits or 'no trace'} in every table and column")
        assert hits == {}
        suppressed, unbalanced = con.execute("""
            select sum(rows_suppressed), count(*) filter (where rows_read <> rows_loaded + rows_quarantined
                                                                           + rows_suppressed)
            from (select * from raw_crm.load_report union all by name select * from raw_web.load_report
                  union all by name select * from raw_email.load_report)""").fetchone()
        assert suppressed > 0 and unbalanced == 0
        records = con.execute("select count(*) from identity.customer_map").fetchone()[0]
        assert records == records_before - report.records  # everybody else came back
    for export in settings.exports.rglob("*.csv"):
        text = export.read_text().lower()
        assert not any(email in text for email in subject.emails), export.name


def test_audit_records_the_erasure_without_personal_data(erased):
    settings, subject, _, _, report, _, _ = erased
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        audit = con.execute(
            "select erasure_id, customer_id_hash, requested_by, tables_touched, rows_deleted, "
            "identities_suppressed from privacy.erasure_audit"
        ).fetchall()
        kinds = dict(con.execute("select kind, count(*) from privacy.suppressions group by 1").fetchall())
        assert (
            con.execute(
                "select count(*) from privacy.suppressions where identity_hash = ?", [hashed_email(subject.email)]
            ).fetchone()[0]
            == 1
        )
    assert len(audit) == 1
    erasure_id, customer_hash, requested_by, tables_touched, rows_deleted, suppressed = audit[0]
    assert (erasure_id, requested_by, rows_deleted, suppressed) == (
        report.erasure_id,
        "email",
        report.rows_deleted,
        report.identities_suppressed,
    )
    assert subject.customer_id not in customer_hash and "raw_crm.contacts:1" in tables_touched
    assert kinds["email"] >= 1 and kinds["phone"] >= 1 and kinds["crm_contact"] == 1


def test_forget_by_customer_id_from_the_command_line(sample_run, tmp_path, monkeypatch, capsys):
    settings = copy_warehouse(sample_run, tmp_path)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        customer_id, records = con.execute("""select customer_id, count(*) from identity.customer_map
            group by 1 having count(*) > 2 order by 1 limit 1""").fetchone()
    monkeypatch.setenv("C360_WAREHOUSE", str(settings.warehouse))
    assert main(["forget", "--customer-id", customer_id]) == 0
    out = capsys.readouterr().out
    assert f"{records} source record(s)" in out and not EMAIL_PATTERN.search(out)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        left = con.execute(
            """select (select count(*) from identity.customer_map where customer_id = ?)
                                   + (select count(*) from marts.dim_customers where customer_id = ?)
                                   + (select count(*) from marts.segment_membership where customer_id = ?)""",
            [customer_id] * 3,
        ).fetchone()[0]
    assert left == 0
    assert main(["forget", "--email", "not-an-address"]) == 2


def test_dagster_metadata_carries_counts_not_personal_data(sample_pipeline):
    _, result = sample_pipeline
    metadata = [
        str(value.value)
        for event in result.get_asset_materialization_events()
        for value in event.materialization.metadata.values()
    ]
    metadata += [
        str(value.value) for check in result.get_asset_check_evaluations() for value in check.metadata.values()
    ]
    assert metadata and [m for m in metadata if EMAIL_PATTERN.search(m)] == []


def test_forgetting_an_unknown_email_still_suppresses_it(tmp_path):
    settings = Settings(warehouse=tmp_path / "w.duckdb", landing=tmp_path, exports=tmp_path, reports=tmp_path)
    report = forget(settings, email="  Nobody@Example.com ")
    assert (report.customers, report.rows_deleted, report.identities_suppressed) == (0, 0, 1)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select identity_hash, kind from privacy.suppressions").fetchall() == [
            (hashed_email("nobody@example.com"), "email")
        ]


def test_suppressed_rows_and_quarantine_lines_are_dropped_while_reading():
    suppressions = Suppressions(
        frozenset(
            {
                hashed_email("gone@example.com"),
                hashed_phone("+1 (415) 555-0199"),
                record_hash("web_anonymous_id", "a-9"),
            }
        )
    )
    rows = pa.table(
        {
            "message_id": ["m1", "m2", "m3", "m4", "m5"],
            "anonymous_id": ["a-1", "a-9", "a-2", "a-3", "a-4"],
            "traits_email_normalized": [None, None, "gone@example.com", "kept@example.com", "kept@example.com"],
            "traits_phone": [None, None, None, "415.555.0199", None],
        }
    )
    kept, dropped = suppressions.drop_rows(rows)
    assert kept.column("message_id").to_pylist() == ["m1", "m5"] and dropped == 3
    rejects = [Reject(2, "1,Gone,GONE@example.com,bad date", "invalid"), Reject(3, "2,Kept,kept@example.com,x", "bad")]
    left, dropped_rejects = suppressions.drop_rejects(rejects)
    assert [r.line_number for r in left] == [3] and dropped_rejects == 1
    assert Suppressions(frozenset()).drop_rows(rows) == (rows, 0)
