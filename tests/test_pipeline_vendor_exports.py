"""Vendor exports through the whole pipeline: an email-tool audience and Segment's identify example reach the golden record."""

from __future__ import annotations

import json
import shutil

import duckdb

from c360.runner import run_pipeline
from c360.settings import SAMPLE_DIR, Settings
from tests.test_ingestion_audiences import MAILCHIMP_IDS, MAILCHIMP_MEMBER, UNSUBSCRIBED, _member
from tests.test_ingestion_helpers import SEGMENT_ADDRESS, csv_text


def test_audience_and_identify_traits_reach_identity_golden_record_and_consent(tmp_path):
    """The bundled sample plus a Mailchimp audience export (https://mailchimp.com/help/view-export-contacts/:
    subscribed_members_export / unsubscribed_members_export CSVs) and the Segment Identify spec's
    own full example call, whose only name trait is `name` (https://segment.com/docs/connections/spec/identify/):
    - a subscriber known nowhere else becomes a customer whose golden name is the audience's;
    - a CRM contact unsubscribed in Mailchimp is one customer (exact email) without email consent;
    - Segment's `name: Peter Gibbons` gives the web user a golden first and last name."""
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE_DIR, landing)
    header = [*MAILCHIMP_MEMBER, *MAILCHIMP_IDS]
    (landing / "email" / "subscribed_members_export_7c1d.csv").write_text(
        csv_text([_member("zoe.quinn@example.org", "Zoë", "Quinn", "2026-09-20 10:00:00")], header)
    )
    (landing / "email" / "unsubscribed_members_export_7c1d.csv").write_text(
        csv_text(
            [
                _member(
                    "Myers.Morgan@GreenNetworksNova.com",
                    "Morgan",
                    "Myers",
                    "2026-09-21 10:00:00",
                    UNSUB_TIME="2026-09-21 10:00:00",
                ),
            ],
            UNSUBSCRIBED,
        )
    )
    identify = {  # the spec's full example payload, dated inside the sample's window
        "anonymousId": "507f191e810c19729de860ea",
        "channel": "browser",
        "context": {"ip": "8.8.8.8", "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_2) AppleWebKit/537.36"},
        "integrations": {"All": False, "Mixpanel": True, "Salesforce": True},
        "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
        "receivedAt": "2026-09-29T10:00:01.000Z",
        "sentAt": "2026-09-29T10:00:00.000Z",
        "timestamp": "2026-09-29T10:00:00.000Z",
        "traits": {
            "name": "Peter Gibbons",
            "email": "peter@example.com",
            "plan": "premium",
            "logins": 5,
            "address": SEGMENT_ADDRESS,
        },
        "type": "identify",
        "userId": "97980cfea0067",
        "version": "1.1",
    }
    (landing / "web" / "events-spec.jsonl").write_text(json.dumps(identify) + "\n")
    settings = Settings(
        warehouse=tmp_path / "wh" / "c360.duckdb",
        landing=landing,
        exports=tmp_path / "exports",
        reports=tmp_path / "reports",
    )

    result = run_pipeline(settings)

    assert result.success
    assert [e.check_name for e in result.get_asset_check_evaluations() if not e.passed] == []
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:

        def customer_of(source: str, record_id_sql: str) -> tuple:
            return con.execute(
                f"""
                select d.first_name, d.last_name, d.first_name_source like ?, t.email_unsubscribed, t.email_consent
                from identity.customer_map m join marts.dim_customers d using (customer_id)
                join marts.customer_traits t using (customer_id)
                where m.source = ? and m.source_record_id = ({record_id_sql})""",
                [f"{source}:%", source],
            ).fetchone()

        assert customer_of(
            "email_subscriber", "select subscriber_key from raw_email.audience where first_name = 'Zoë'"
        ) == (
            "Zoë",
            "Quinn",
            True,
            False,
            True,
        )
        morgan = con.execute("""
            select count(distinct customer_id) from identity.customer_map
            where (source, source_record_id) in (('crm_contact', '10006511760'),
                   ('email_subscriber', (select subscriber_key from raw_email.audience where first_name = 'Morgan')))
        """).fetchone()[0]
        assert morgan == 1
        assert customer_of("crm_contact", "'10006511760'")[3:] == (True, False)
        assert customer_of("web_user_id", "'97980cfea0067'")[:2] == ("Peter", "Gibbons")
