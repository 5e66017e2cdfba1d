"""Segment events as Segment writes them: every identify trait kept, reserved traits mapped, arrays and archives."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from ingestion.pipelines import run_ingestion
from tests.test_ingestion_helpers import SEGMENT_ADDRESS, quarantine, query, settings_for

UTC = dt.UTC
TRAIT_COLUMNS = (
    "traits_first_name, traits_last_name, traits_name, traits_email, traits_phone, traits_birthday, traits_street,"
    " traits_city, traits_postal_code, traits_state, traits_country, traits_company"
)


def _identify(message_id: str, traits: dict, **fields) -> dict:
    return {
        "type": "identify",
        "messageId": message_id,
        "userId": "97980cfea0067",
        "anonymousId": None,
        "timestamp": "2026-09-01T10:00:00.000Z",
        "receivedAt": "2026-09-01T10:00:01.000Z",
        "context": {"ip": "8.8.8.8", "library": {"name": "analytics.js", "version": "2.11.1"}},
        "traits": traits,
        **fields,
    }


def test_identify_reserved_traits_are_mapped_and_every_trait_kept_as_json(tmp_path):
    """Segment Identify spec, "Traits" and the reserved traits table
    (https://segment.com/docs/connections/spec/identify/#traits, now
    https://www.twilio.com/docs/segment/connections/spec/identify): `name` (split like
    analytics.js does when firstName/lastName are absent), `address` {street, city, postalCode,
    state, country}, `company` as a string or an object with `name`, `birthday`, `phone`. The
    first event is the spec's own example payload."""
    settings = settings_for(tmp_path)
    spec_example = _identify(
        "m-spec", {"name": "Peter Gibbons", "email": "peter@example.com", "plan": "premium", "logins": 5}
    )
    full = _identify(
        "m-full",
        {
            "firstName": "Ann",
            "lastName": "de la Cruz",
            "name": "Annie Cruz",
            "phone": "+1-555-0100",
            "birthday": "1985-04-12",
            "company": {"name": "Initech", "id": "c-1", "plan": "enterprise"},
            "address": SEGMENT_ADDRESS,
            "custom": {"nested": [1, 2]},
        },
    )
    company_string = {
        "type": "track",
        "event": "Signed Up",
        "messageId": "m-track",
        "anonymousId": "anon-1",
        "timestamp": "2026-09-01T10:05:00Z",
        "properties": {"plan": "Pro"},
        "context": {"traits": {"company": "Acme", "name": "Bo"}},
    }
    lines = [json.dumps(e) for e in (spec_example, full, company_string)]
    (settings.landing / "web" / "events-2026-09-01.jsonl").write_text("\n".join(lines) + "\n")
    run_ingestion(settings, ["web"])

    rows = query(settings, f"SELECT message_id, {TRAIT_COLUMNS}, traits FROM raw_web.events ORDER BY message_id")
    assert [row[:-1] for row in rows] == [
        (
            "m-full",
            "Ann",
            "de la Cruz",
            "Annie Cruz",
            None,
            "+1-555-0100",
            "1985-04-12",
            "6th St",
            "San Francisco",
            "94103",
            "CA",
            "USA",
            "Initech",
        ),
        (
            "m-spec",
            "Peter",
            "Gibbons",
            "Peter Gibbons",
            "peter@example.com",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        ("m-track", "Bo", None, "Bo", None, None, None, None, None, None, None, None, "Acme"),
    ]
    assert json.loads(rows[0][-1])["custom"] == {"nested": [1, 2]}
    assert json.loads(rows[1][-1]) == {
        "name": "Peter Gibbons",
        "email": "peter@example.com",
        "plan": "premium",
        "logins": 5,
    }
    assert json.loads(rows[2][-1]) == {"company": "Acme", "name": "Bo"}


def test_the_line_by_line_reader_maps_traits_like_the_whole_file_reader(tmp_path):
    """Same Identify spec payloads (https://segment.com/docs/connections/spec/identify/), in a file
    with one malformed line so the line-by-line reader parses it: identical trait columns."""
    settings = settings_for(tmp_path)
    event = _identify("m-1", {"name": "Peter Gibbons", "company": {"name": "Initech"}, "address": {"city": "Austin"}})
    (settings.landing / "web" / "events.jsonl").write_text(json.dumps(event) + "\n{broken\n")
    run_ingestion(settings, ["web"])
    assert query(
        settings, "SELECT traits_first_name, traits_last_name, traits_company, traits_city FROM raw_web.events"
    ) == [("Peter", "Gibbons", "Initech", "Austin")]
    assert [r[0] for r in quarantine(settings, "web", "events.jsonl")] == [2]


def test_a_json_file_holding_an_array_of_events_loads_with_positions_as_line_numbers(tmp_path):
    """A `.json` export holding a JSON array of Segment events (the batch shape of
    https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#batch):
    element n is line n; a non-object element is quarantined at its position."""
    settings = settings_for(tmp_path)
    batch = [
        _identify("a-1", {"name": "Peter Gibbons"}),
        {
            "type": "page",
            "messageId": "a-2",
            "anonymousId": "anon-2",
            "timestamp": "2026-09-01T11:00:00Z",
            "name": "Home",
        },
        "not an event",
    ]
    (settings.landing / "web" / "segment_export.json").write_text(json.dumps(batch, indent=2))
    run_ingestion(settings, ["web"])
    assert query(settings, "SELECT message_id, _source_line FROM raw_web.events ORDER BY 1") == [("a-1", 1), ("a-2", 2)]
    assert [(r[0], r[2]) for r in quarantine(settings, "web", "segment_export.json")] == [
        (3, "line is not a JSON object")
    ]
    assert query(settings, "SELECT rows_read, rows_loaded, rows_quarantined FROM raw_web.load_report") == [(3, 2, 1)]


def test_segment_storage_archive_objects_are_discovered_in_their_folders(tmp_path):
    """Segment's S3/GCS storage destinations write gzipped, newline-separated JSON under
    segment-logs/{source-id}/{received-day}/ with files named <epoch-ms>.<id>.gz
    (https://segment.com/docs/connections/storage/catalog/aws-s3/#data-format)."""
    settings = settings_for(tmp_path)
    day = settings.landing / "web" / "segment-logs" / "hQ3r7cFx2B" / "1788220800000"
    day.mkdir(parents=True)
    events = [_identify("s-1", {"name": "Peter Gibbons"}), _identify("s-2", {"firstName": "Joanna"})]
    with gzip.open(day / "1788224400000.a84f1e3b2d.gz", "wt") as f:
        f.write("\n".join(json.dumps(e) for e in events) + "\n")
    run_ingestion(settings, ["web"])
    archive = "segment-logs/hQ3r7cFx2B/1788220800000/1788224400000.a84f1e3b2d.gz"  # relative to the landing folder
    assert query(settings, "SELECT message_id, traits_first_name, _source_file FROM raw_web.events ORDER BY 1") == [
        ("s-1", "Peter", archive),
        ("s-2", "Joanna", archive),
    ]
