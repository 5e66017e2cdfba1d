"""Consent per purpose: vendor opt-out fields and Segment consent land in raw tables, and
marts.customer_consent keeps the latest signal per customer and purpose (a real `dbt build`).

Vendor shapes:
- HubSpot contact export, default property "Unsubscribed from all email" (hs_email_optout):
  https://knowledge.hubspot.com/properties/hubspots-default-contact-properties
- Salesforce Contact fields HasOptedOutOfEmail and DoNotCall:
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
- Segment consent object, context.consent.categoryPreferences:
  https://www.twilio.com/docs/segment/privacy/consent-management/consent-in-unify
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from activation.destinations import DESTINATIONS_FILE, load_config
from c360.settings import DBT_PROJECT_DIR
from ingestion.pipelines import make_pipeline
from ingestion.sources import crm_source, web_source
from tests.test_dbt_project import build, load_day_one, rows
from tests.test_ingestion_helpers import query, settings_for

HUBSPOT_HEADER = (
    "Record ID,First Name,Last Name,Email,Phone Number,Create Date,Last Modified Date,Unsubscribed from all email"
)


def test_hubspot_unsubscribed_from_all_email_lands_as_email_opt_out(tmp_path):
    settings = settings_for(tmp_path)
    (settings.landing / "crm" / "contacts.csv").write_text(
        f"{HUBSPOT_HEADER}\n"
        "51,Ana,Lopez,ana@x.test,,2026-01-01 00:00:00,2026-02-01 00:00:00,true\n"
        "52,Ben,Ode,ben@x.test,,2026-01-01 00:00:00,2026-02-01 00:00:00,false\n"
        "53,Cy,Ray,cy@x.test,,2026-01-01 00:00:00,2026-02-01 00:00:00,\n"
    )
    make_pipeline("crm", settings).run(crm_source(landing_dir=str(settings.landing / "crm")))
    assert query(settings, "select contact_id, email_opt_out, do_not_call from raw_crm.contacts order by 1") == [
        ("51", True, None),
        ("52", False, None),
        ("53", None, None),
    ]


def test_salesforce_opt_out_fields_land_as_email_opt_out_and_do_not_call(tmp_path):
    settings = settings_for(tmp_path)
    (settings.landing / "crm" / "Contact.csv").write_text(
        "Id,FirstName,LastName,Email,HasOptedOutOfEmail,DoNotCall,CreatedDate,LastModifiedDate,IsDeleted\n"
        "0035g00000AbCdE,Bo,Ng,bo@x.test,false,true,2025-01-01T00:00:00.000+0000,2025-06-01T12:30:00.000+0000,false\n"
        "0035g00000AbCdF,Al,Ma,al@x.test,true,false,2025-01-01T00:00:00.000+0000,2025-06-01T12:30:00.000+0000,false\n"
    )
    make_pipeline("crm", settings).run(crm_source(landing_dir=str(settings.landing / "crm"), mapping="salesforce"))
    assert query(settings, "select contact_id, email_opt_out, do_not_call from raw_crm.contacts order by 1") == [
        ("0035g00000AbCdE", False, True),
        ("0035g00000AbCdF", True, False),
    ]


def test_segment_consent_preferences_land_with_the_event(tmp_path):
    settings = settings_for(tmp_path)
    consent = {"categoryPreferences": {"Advertising": True, "Analytics": False, "Functional": True}}
    events = [
        {
            "messageId": "c1",
            "type": "track",
            "event": "Segment Consent Preference Updated",
            "anonymousId": "a1",
            "timestamp": "2026-03-01T10:00:00.000Z",
            "properties": {},
            "context": {"consent": consent},
        },
        {
            "messageId": "c2",
            "type": "page",
            "anonymousId": "a1",
            "timestamp": "2026-03-01T10:01:00.000Z",
            "properties": {},
            "context": {"page": {"path": "/"}},
        },
    ]
    (settings.landing / "web" / "events-2026-03-01.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    make_pipeline("web", settings).run(web_source(landing_dir=str(settings.landing / "web")))
    stored = dict(query(settings, "select message_id, consent_preferences from raw_web.events"))
    assert json.loads(stored["c1"]) == consent["categoryPreferences"] and stored["c2"] is None


# cust-1: email r1 sent 2026-01-31 (granted) then unsubscribes 2026-02-10 (denied); web a1 grants
#         Advertising 2026-02-01 and denies Analytics; CRM 101 opted out of email (updated 2026-01-10,
#         older than the unsubscribe, so the unsubscribe is the latest signal).
# cust-3: email r3 sent 2026-01-31 (granted); CRM 103 do-not-call (2026-01-05).
# cust-2: no signal at all -> unknown everywhere.
CONSENT_SQL = """
alter table raw_crm.contacts add column email_opt_out boolean;
alter table raw_crm.contacts add column do_not_call boolean;
alter table raw_web.events add column consent_preferences varchar;
update raw_crm.contacts set email_opt_out = true where contact_id = 101;
update raw_crm.contacts set do_not_call = true where contact_id = 103;
insert into raw_email.activity (activity_id, recipient_id, email, email_normalized, campaign_id, action, occurred_at)
values ('x9', 'r1', 'ann@mail.com', 'ann@mail.com', 'cmp1', 'unsubscribe', '2026-02-10 08:00:00+00');
insert into raw_web.events (message_id, type, event, anonymous_id, user_id, "timestamp", consent_preferences)
values ('c1', 'track', 'Segment Consent Preference Updated', 'a1', 'u1', '2026-02-01 12:00:00+00',
        '{"Advertising":true,"Analytics":false,"Functional":true}');
"""


@pytest.fixture(scope="module")
def consent_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("consent")
    warehouse = load_day_one(work / "c360.duckdb", CONSENT_SQL)
    build(warehouse, "--select", "+customer_consent", "--indirect-selection", "cautious")
    return warehouse


def test_latest_signal_wins_per_customer_and_purpose(consent_warehouse):
    table = {
        (c, p): (v, s, r, str(at) if at else None)
        for c, p, v, s, r, at in rows(consent_warehouse, "select * from marts.customer_consent")
    }
    assert table[("cust-1", "email_marketing")] == (
        "denied",
        "email_unsubscribe",
        "email_recipient:r1",
        "2026-02-10 08:00:00",
    )
    assert table[("cust-1", "advertising")] == (
        "granted",
        "web_consent:Advertising",
        "web_event:c1",
        "2026-02-01 12:00:00",
    )
    assert table[("cust-1", "analytics")][:2] == ("denied", "web_consent:Analytics")
    assert table[("cust-1", "sales_outreach")][:2] == ("denied", "email_unsubscribe")
    assert table[("cust-3", "email_marketing")][:3] == ("granted", "email_send", "email_recipient:r3")
    assert table[("cust-3", "sales_outreach")] == (
        "denied",
        "crm_do_not_call",
        "crm_contact:103",
        "2026-01-05 08:00:00",
    )
    assert {
        p: table[("cust-2", p)] for p in ("email_marketing", "advertising", "analytics", "sales_outreach")
    } == dict.fromkeys(("email_marketing", "advertising", "analytics", "sales_outreach"), ("unknown", None, None, None))


def test_every_customer_has_one_row_per_purpose(consent_warehouse):
    counts = rows(
        consent_warehouse,
        "select customer_id, count(*), count(distinct purpose) from marts.customer_consent group by 1 order by 1",
    )
    customers = rows(consent_warehouse, "select customer_id from marts.dim_customers order by 1")
    assert [customer for customer, *_ in counts] == [customer for (customer,) in customers]
    assert {(n, purposes) for _, n, purposes in counts} == {(4, 4)}
    assert {"cust-1", "cust-2", "cust-3"} <= {customer for customer, *_ in counts}


def test_dbt_purposes_are_the_purposes_destinations_can_declare():
    dbt_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert set(dbt_vars["consent_purposes"]) == set(load_config(DESTINATIONS_FILE).unknown_consent)
    assert load_config(DESTINATIONS_FILE).unknown_consent["email_marketing"] == "deny"
