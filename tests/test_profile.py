"""`c360 profile` on the sample pipeline run, and the snapshot the pipeline publishes for the page.

Aaron Elliott is a CRM contact of the bundled sample (data/sample/crm/contacts.csv, record
10065903371: aaron@swiftdesigns.com, +12127430028, ZIP 10003) who also signs in on the web and
receives the newsletters.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from c360.cli import main
from c360.settings import Settings
from profiles.snapshot import publish_snapshot, snapshot_path


@pytest.fixture
def profile(sample_run: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Runs `c360 profile ARGS` against the sample warehouse: (exit code, stdout, stderr)."""

    def run(*args: str, warehouse: Path = sample_run.warehouse) -> tuple[int, str, str]:
        monkeypatch.setenv("C360_WAREHOUSE", str(warehouse))
        code = main(["profile", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _one(warehouse: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return warehouse.execute(sql).fetchall()[0]


def test_profile_by_email_shows_golden_record_enrichment_account_consent_and_timeline(profile):
    code, out, _ = profile("--email", "Aaron@SwiftDesigns.com")
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert ["first_name", "Aaron"] in lines and ["last_name", "Elliott"] in lines
    assert ["phone_source", "crm_contact:10065903371"] in lines
    assert ["email", "aaron@swiftdesigns.com", "crm_contact", "10065903371"] in lines  # identifiers
    assert ["email_address_type", "work"] in lines and ["work_company_source", "crm_company:9609621031"] in lines
    assert ["phone_region", "New", "York,", "NY"] in lines and ["location_region", "NY"] in lines
    assert ["domain", "swiftdesigns.com"] in lines  # the account
    assert ["email_consent", "True"] in lines
    assert "Schedule demo" in out and "September Newsletter" in out and "landed on /features" in out


def test_profile_by_record_and_by_customer_id_find_the_same_customer(profile, warehouse):
    customer_id = _one(
        warehouse,
        "select customer_id from identity.customer_map "
        "where source = 'crm_contact' and source_record_id = '10065903371'",
    )[0]
    by_record = profile("--record", "crm_contact:10065903371")
    by_id = profile("--customer-id", customer_id)
    assert by_record[0] == by_id[0] == 0
    assert by_record[1] == by_id[1]
    assert by_id[1].splitlines()[0] == f"customer {customer_id}"


def test_profile_lists_current_segments_deals_and_web_orders(profile, warehouse):
    customer_id, segment = _one(
        warehouse, "select customer_id, min(segment) from marts.segment_membership group by 1 order by 1 limit 1"
    )
    assert f"  {segment}  " in profile("--customer-id", customer_id)[1]
    customer_id, deal = _one(
        warehouse,
        """
        select m.customer_id, d.deal_name from staging.stg_crm__deals as d
        inner join identity.customer_map as m on m.source = 'crm_contact' and m.source_record_id = d.contact_id
        where not d.is_archived order by d.updated_at desc, d.deal_id limit 1""",
    )
    assert deal in profile("--customer-id", customer_id)[1]
    customer_id, order_id = _one(
        warehouse,
        """
        select m.customer_id, json_extract_string(e.properties, '$.order_id') from raw_web.events as e
        inner join identity.customer_map as m on m.source = 'web_anonymous_id' and m.source_record_id = e.anonymous_id
        where e."event" = 'Order Completed' order by e."timestamp" desc limit 1""",
    )
    timeline = profile("--customer-id", customer_id)[1].split("timeline, newest first")[1]
    assert any(" order " in line and order_id in line for line in timeline.splitlines())


def test_retired_customer_id_is_followed_to_its_successor(profile, sample_run, tmp_path):
    warehouse = tmp_path / "c360.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        successor = con.execute(
            "select customer_id from identity.customer_map "
            "where source = 'crm_contact' and source_record_id = '10065903371'"
        ).fetchall()[0][0]
        con.execute(
            "insert into identity.customer_id_history values ('cus_retired0001', ?, now(), 'merge')", [successor]
        )
    code, out, _ = profile("--customer-id", "cus_retired0001", warehouse=warehouse)
    assert code == 0
    assert out.splitlines()[0] == f"customer {successor} (id cus_retired0001 was merged into it)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nobody@example.com"], "c360 profile: no customer has that email address"),
        (["--customer-id", "cus_unknown"], "c360 profile: no customer has id cus_unknown"),
        (["--record", "crm_contact:0"], "c360 profile: no customer holds the crm_contact record 0"),
        (
            ["--record", "10065903371"],
            "c360 profile: record '10065903371' is not SOURCE:ID (e.g. crm_contact:10006511760)",
        ),
        ([], "c360 profile: give --email, --customer-id or --record SOURCE:ID (or `serve`)"),
    ],
)
def test_unknown_or_missing_lookup_is_one_line_and_exit_code_2(profile, args, message):
    code, out, err = profile(*args)
    assert (code, out, err) == (2, "", message + "\n")


def test_profile_of_a_warehouse_without_marts_is_one_line(profile, tmp_path):
    empty = tmp_path / "c360.duckdb"
    duckdb.connect(str(empty)).close()
    assert profile("--email", "a@b.com", warehouse=empty) == (
        2,
        "",
        "c360 profile: the warehouse holds no customers yet (no marts.dim_customers): run `c360 run` first\n",
    )


def test_pipeline_publishes_a_snapshot_matching_the_warehouse(sample_run, warehouse):
    with duckdb.connect(str(snapshot_path(sample_run.warehouse)), read_only=True) as snapshot:
        for table in ("marts.dim_customers", "marts.segment_membership", "intermediate.int_customer_enrichment"):
            query = f"select count(*), sum(hash(t)) from {table} as t"
            assert snapshot.execute(query).fetchall() == warehouse.execute(query).fetchall()


def test_republishing_replaces_the_snapshot_while_an_open_reader_keeps_its_copy(sample_run, tmp_path):
    warehouse = tmp_path / "c360.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    publish_snapshot(warehouse)
    reader = duckdb.connect(str(snapshot_path(warehouse)), read_only=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.segment_membership")
    publish_snapshot(warehouse)
    assert reader.execute("select count(*) from marts.segment_membership").fetchall()[0][0] > 0
    reader.close()
    with duckdb.connect(str(snapshot_path(warehouse)), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.segment_membership").fetchall() == [(0,)]
    assert sorted(p.name for p in tmp_path.iterdir() if "snapshot" in p.name) == ["c360.snapshot.duckdb"]


def test_forget_republishes_the_snapshot_so_the_page_stops_serving_the_person(
    sample_run, tmp_path, monkeypatch, capsys
):
    warehouse = tmp_path / "c360.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    publish_snapshot(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        email = con.execute(
            "select email from marts.dim_customers where email is not null order by customer_id limit 1"
        ).fetchall()[0][0]
    monkeypatch.setenv("C360_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("C360_EXPORTS", str(tmp_path / "exports"))
    assert main(["forget", "--email", email]) == 0
    with duckdb.connect(str(snapshot_path(warehouse)), read_only=True) as snapshot:
        assert snapshot.execute("select count(*) from marts.dim_customers where email = ?", [email]).fetchall() == [
            (0,)
        ]
