"""Web events and access logs, and email-tool activity: parsed into the contract columns."""

from __future__ import annotations

import datetime as dt
import gzip

from ingestion.pipelines import run_ingestion
from tests.test_ingestion_helpers import event, quarantine, query, report, settings_for

UTC = dt.UTC
ACCESS_LOG = (
    '203.0.113.9 - - [01/Sep/2026:10:00:00 +0200] "GET /pricing?utm_source=news&utm_campaign=fall%20launch&mc_eid=ab12'
    ' HTTP/1.1" 200 5120 "https://ref.test/" "Mozilla/5.0 (X11)" "ajs_anonymous_id=%22anon-7%22; other=1"\n'
    '198.51.100.1 - bob [01/Sep/2026:10:00:01 +0000] "POST /api/track HTTP/2.0" 204 - "-" "curl/8.0"\n'
    "this is not an access log line\n"
)


def test_segment_events_map_to_contract_columns(tmp_path):
    settings = settings_for(tmp_path)
    identify = event(
        "m1",
        type="identify",
        userId=42,
        traits={"email": " Ann@X.Test ", "firstName": "Ann", "phone": "+1 555"},
        context={"campaign": {"source": "google", "medium": "cpc"}},
    )
    alias = event("m2", type="alias", previousId="anon-1", userId="u-42")
    screen = event("m3", type="screen", name="Home", timestamp="2026-09-01T12:00:00+02:00")
    (settings.landing / "web" / "events-2026-09-01.jsonl").write_text(
        "\n".join([event("m0"), identify, alias, screen]) + "\n"
    )
    run_ingestion(settings, ["web"])
    rows = query(
        settings,
        "SELECT message_id, type, user_id, previous_id, name, timestamp, utm_source, utm_medium, mc_eid, page_path,"
        " traits_email, traits_email_normalized FROM raw_web.events ORDER BY message_id",
    )
    assert rows[0] == (
        "m0",
        "page",
        None,
        None,
        None,
        dt.datetime(2026, 9, 1, 10, tzinfo=UTC),
        "news",
        None,
        "abc123",
        "/p",
        None,
        None,
    )
    assert rows[1][:3] == ("m1", "identify", "42") and rows[1][6:8] == ("google", "cpc")
    assert rows[1][10:] == (" Ann@X.Test ", "ann@x.test")
    assert rows[2][:4] == ("m2", "alias", "u-42", "anon-1")
    assert rows[3][4:6] == ("Home", dt.datetime(2026, 9, 1, 10, tzinfo=UTC))


def test_access_logs_parse_combined_format_with_utm_and_cookie_visitor(tmp_path):
    settings = settings_for(tmp_path)
    with gzip.open(settings.landing / "web" / "access.log.gz", "wt") as f:
        f.write(ACCESS_LOG)
    run_ingestion(settings, ["web"])
    rows = query(
        settings,
        "SELECT ip, requested_at, method, path, query, status, bytes, referrer, user_agent, utm_source, utm_campaign,"
        " mc_eid, visitor_id, remote_user, _source_line FROM raw_web.access_log ORDER BY _source_line",
    )
    assert rows == [
        (
            "203.0.113.9",
            dt.datetime(2026, 9, 1, 8, tzinfo=UTC),
            "GET",
            "/pricing",
            "utm_source=news&utm_campaign=fall%20launch&mc_eid=ab12",
            200,
            5120,
            "https://ref.test/",
            "Mozilla/5.0 (X11)",
            "news",
            "fall launch",
            "ab12",
            "anon-7",
            None,
            1,
        ),
        (
            "198.51.100.1",
            dt.datetime(2026, 9, 1, 10, 0, 1, tzinfo=UTC),
            "POST",
            "/api/track",
            None,
            204,
            None,
            None,
            "curl/8.0",
            None,
            None,
            None,
            None,
            "bob",
            2,
        ),
    ]
    assert quarantine(settings, "web", "access.log.gz") == [
        (3, "this is not an access log line", "not a combined-format log line")
    ]


def test_email_activity_is_keyed_by_business_key_and_validated(tmp_path):
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    (email / "campaigns.csv").write_text(
        "Campaign ID,Campaign Name,Subject,Send Time\nc1,Fall,Hi,2026-09-01 14:21:00\n"
    )
    header = "Recipient ID,Email Address,First Name,Last Name,Campaign ID,Action,Timestamp,URL,Bounce Type\n"
    body = (
        "r1, Ann@X.Test ,Ann,Lee,c1,sent,2026-09-01 14:21:00,,\n"
        "r1,ann@x.test,Ann,Lee,c1,click,2026-09-01 15:00:00,https://x.test/?mc_eid=r1,\n"
        "r2,bo@x.test,Bo,Ng,c1,bounce,2026-09-01 14:21:01,,Hard\n"
        "r2,bo@x.test,Bo,Ng,c1,forwarded,2026-09-01 14:21:02,,\n"
        "r3,,Cy,Do,c1,open,2026-09-01 14:22:00,,\n"
    )
    (email / "activity.csv").write_text(header + body)
    (email / "activity_again.csv").write_text(header + body.splitlines(keepends=True)[0])  # same event, other file
    run_ingestion(settings, ["email"])
    rows = query(
        settings,
        "SELECT recipient_id, email_normalized, action, url, bounce_type, occurred_at FROM raw_email.activity ORDER BY occurred_at",
    )
    assert rows == [
        ("r1", "ann@x.test", "sent", None, None, dt.datetime(2026, 9, 1, 14, 21, tzinfo=UTC)),
        ("r2", "bo@x.test", "bounce", None, "hard", dt.datetime(2026, 9, 1, 14, 21, 1, tzinfo=UTC)),
        ("r1", "ann@x.test", "click", "https://x.test/?mc_eid=r1", None, dt.datetime(2026, 9, 1, 15, tzinfo=UTC)),
    ]
    assert [(r[0], r[2]) for r in quarantine(settings, "email", "activity.csv")] == [
        (5, "unknown value in column 'Action' (action)"),
        (6, "missing required value in column 'Email Address' (email)"),
    ]
    assert query(settings, "SELECT campaign_id, sent_at FROM raw_email.campaigns") == [
        ("c1", dt.datetime(2026, 9, 1, 14, 21, tzinfo=UTC))
    ]
    assert report(settings, "email")["activity_again.csv"]["loaded"] == 1


def test_repeated_message_ids_within_and_across_files_and_runs_leave_one_row(tmp_path):
    settings = settings_for(tmp_path)
    web = settings.landing / "web"
    (web / "events-a.jsonl").write_text("\n".join([event("m1"), event("m2"), event("m1")]) + "\n")
    (web / "events-b.jsonl").write_text("\n".join([event("m2"), event("m3")]) + "\n")
    run_ingestion(settings, ["web"])
    (web / "events-c.jsonl").write_text("\n".join([event("m3", anonymousId="anon-9"), event("m4")]) + "\n")
    run_ingestion(settings, ["web"])
    assert query(settings, "SELECT message_id, anonymous_id FROM raw_web.events ORDER BY 1") == [
        ("m1", "anon-1"),
        ("m2", "anon-1"),
        ("m3", "anon-9"),
        ("m4", "anon-1"),
    ]
    assert [report(settings, "web")[f]["loaded"] for f in ("events-a.jsonl", "events-b.jsonl", "events-c.jsonl")] == [
        3,
        2,
        2,
    ]


def test_campaign_list_exported_twice_keeps_the_later_file(tmp_path):
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    header = "Campaign ID,Campaign Name,Subject,Send Time\n"
    (email / "campaigns_1.csv").write_text(header + "c1,Draft name,Hi,2026-09-01 14:21:00\n")
    (email / "campaigns_2.csv").write_text(header + "c1,Final name,Hi,2026-09-01 14:21:00\nc2,Other,Yo,\n")
    run_ingestion(settings, ["email"])
    assert query(settings, "SELECT campaign_id, campaign_name FROM raw_email.campaigns ORDER BY 1") == [
        ("c1", "Final name"),
        ("c2", "Other"),
    ]
