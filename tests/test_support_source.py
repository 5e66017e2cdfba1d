"""A fourth person-bearing source, declared once in the source registry: a Zendesk-shaped support desk.

Adding it took its registry entry (config/registry/support.yml), its mapping file
(config/sources/zendesk.yml) and its staging models (dbt_project/models/staging/support/). The
ticket file below is Zendesk's CSV ticket export (Admin Center > Account > Tools > Reports >
Export, https://support.zendesk.com/hc/en-us/articles/4408886165402): one row per ticket with
`Id, Requester, Requester id, Requester email, Subject, Status, Via, Created at, Updated at`;
`Requester id` is the Zendesk user who asked, as in the Tickets API and its incremental export
(https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from c360.runner import run_pipeline
from c360.settings import Settings
from ingestion.pipelines import run_ingestion
from privacy.forget import forget

CONTACTS = """Record ID,First Name,Last Name,Email,Additional email addresses,Phone Number,Company Name,Job Title,Street Address,City,Postal Code,Date of birth,Lifecycle Stage,Contact owner,Create Date,Last Modified Date,Archived
101,Ada,Lovelace,ada@analytical.test,,+44 20 7946 0001,Analytical Engines,CTO,12 St James Sq,London,SW1Y 4JH,1985-12-10,customer,Greg Howell,2025-01-10 09:00:00,2026-01-10 09:00:00,false
"""
# one Segment page view (https://segment.com/docs/connections/spec/page/): the web source needs its events table
EVENTS = (
    '{"messageId": "m1", "type": "page", "anonymousId": "anon-1", "userId": null,'
    ' "timestamp": "2026-02-01T09:00:00Z", "properties": {}, "context": {"page": {"path": "/", "url": "https://x.test/"}}}\n'
)
TICKETS = """Id,Requester,Requester id,Requester email,Subject,Status,Via,Created at,Updated at
501,Ada Lovelace,9001,ADA@analytical.test,Invoice question,solved,email,2026-02-01 10:00:00,2026-02-02 11:00:00
502,Zed Quinn,9002,zed@support.test,Cannot log in,open,web,2026-02-03 08:00:00,2026-02-03 09:00:00
503,Zed Quinn,9002,zed@support.test,Still cannot log in,pending,web,2026-02-04 08:00:00,2026-02-05 09:30:00
504,Nobody,,ghost@support.test,No requester,new,api,2026-02-04 08:00:00,2026-02-04 08:00:00
"""


def _landing(root: Path) -> Path:
    landing = root / "landing"
    for folder in ("crm", "web", "email", "support"):
        (landing / folder).mkdir(parents=True)
    (landing / "crm" / "contacts.csv").write_text(CONTACTS)
    (landing / "web" / "events-2026-02-01.jsonl").write_text(EVENTS)
    (landing / "support" / "tickets.csv").write_text(TICKETS)
    return landing


@pytest.fixture(scope="module")
def support_run(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("support")
    settings = Settings(
        warehouse=root / "wh" / "c360.duckdb", landing=_landing(root), exports=root / "exports", reports=root / "r"
    )
    assert run_pipeline(settings).success
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_support_tickets_are_ingested_with_every_row_accounted_for(support_run: Settings) -> None:
    report = _rows(
        support_run,
        "select source_file, rows_read, rows_loaded, rows_quarantined, rows_suppressed, status"
        " from raw_support.load_report",
    )
    assert report == [("tickets.csv", 4, 3, 1, 0, "partial")]
    reason = _rows(support_run, "select line_number, reason from raw_support.quarantine")
    assert reason == [(5, "missing required value in column 'Requester id' (requester_id)")]


def test_a_requester_with_a_crm_contacts_email_joins_that_customer(support_run: Settings) -> None:
    customers = dict(
        _rows(support_run, "select source || ':' || source_record_id, customer_id from identity.customer_map")
    )
    assert customers["support_requester:9001"] == customers["crm_contact:101"]
    assert customers["support_requester:9002"] != customers["crm_contact:101"]
    assert sorted(customers) == [
        "crm_contact:101",
        "support_requester:9001",
        "support_requester:9002",
        "web_anonymous_id:anon-1",
    ]


def test_requesters_appear_in_the_golden_record_and_its_identifiers(support_run: Settings) -> None:
    zed = _rows(
        support_run,
        """select d.first_name, d.last_name, d.email from marts.dim_customers as d
           join identity.customer_map as m using (customer_id)
           where m.source = 'support_requester' and m.source_record_id = '9002'""",
    )
    assert zed == [("Zed", "Quinn", "zed@support.test")]
    identifiers = _rows(
        support_run,
        """select identifier_type, identifier_value from marts.customer_identifiers
           where source = 'support_requester' order by all""",
    )
    assert identifiers == [
        ("email", "ada@analytical.test"),
        ("email", "zed@support.test"),
        ("support_requester", "9001"),
        ("support_requester", "9002"),
    ]


def test_forget_erases_a_requester_and_keeps_their_tickets_out_on_reload(support_run: Settings) -> None:
    forget(support_run, email="zed@support.test")
    assert _rows(
        support_run, "select count(*) from raw_support.tickets where email_normalized = 'zed@support.test'"
    ) == [(0,)]
    assert _rows(support_run, "select count(*) from identity.customer_map where source_record_id = '9002'") == [(0,)]
    # a later export: Zed's ticket changed again, Ada opened another
    (support_run.landing / "support" / "tickets-2026-02-10.csv").write_text(
        TICKETS.splitlines()[0]
        + "\n503,Zed Quinn,9002,zed@support.test,Still cannot log in,solved,web,2026-02-04 08:00:00,2026-02-10 09:00:00"
        + "\n505,Ada Lovelace,9001,ada@analytical.test,New invoice,new,email,2026-02-10 10:00:00,2026-02-10 10:00:00\n"
    )
    run_ingestion(support_run, ["support"])
    later = _rows(
        support_run,
        "select rows_read, rows_loaded, rows_quarantined, rows_suppressed from raw_support.load_report"
        " where source_file = 'tickets-2026-02-10.csv'",
    )
    assert later == [(2, 1, 0, 1)]  # Ada's ticket loads, Zed's is dropped while reading
    assert _rows(support_run, "select count(*) from raw_support.tickets where requester_id = '9002'") == [(0,)]
