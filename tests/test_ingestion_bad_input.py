"""Bad input: every case gets a clear error or a quarantine row, and the rest of the run goes on.

One landing folder holds one bad file per case (plus a good one) and is loaded once; each test
checks its own file's load-report line and quarantine rows.
"""

from __future__ import annotations

import gzip
import json

import pytest

from c360.settings import Settings
from ingestion.pipelines import run_ingestion
from tests.test_ingestion_helpers import contact, csv_text, event, quarantine, query, report, settings_for

GOOD = csv_text([contact("1"), contact("2")])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    settings = settings_for(tmp_path_factory.mktemp("bad_input"))
    crm, web = settings.landing / "crm", settings.landing / "web"
    (crm / "contacts_good.csv").write_text(GOOD)
    lines = GOOD.splitlines()
    quoting = csv_text([contact("11"), contact("12")]).splitlines()
    (crm / "contacts_quoting.csv").write_text(
        "\n".join([quoting[0], quoting[1].replace(",Ann,", ',"Ann,'), quoting[2]]) + "\n"
    )
    (crm / "contacts_columns.csv").write_text(
        "\n".join(
            [lines[0], lines[1] + ",surplus", lines[2].rsplit(",", 2)[0], csv_text([contact("3")]).splitlines()[1]]
        )
        + "\n"
    )
    (crm / "contacts_latin1.csv").write_bytes(csv_text([contact("4", **{"First Name": "Zoë"})]).encode("latin-1"))
    (crm / "contacts_times.csv").write_text(
        csv_text(
            [contact("5", modified="31/12/2026 25:00"), contact("6", **{"Create Date": "yesterday"}), contact("7")]
        )
    )
    (crm / "contacts_empty.csv").write_text("")
    (crm / "contacts_header_only.csv").write_text(lines[0] + "\n")
    with gzip.open(crm / "contacts_gz.csv.gz", "wt") as f:
        f.write(csv_text([contact("8"), contact("9")]))
    (crm / "contacts_truncated.csv.gz").write_bytes(gzip.compress(GOOD.encode() * 50)[:-40])

    (web / "events-ok.jsonl").write_text(event("m1") + "\n" + event("m2", type="track", event="Signed Up") + "\n")
    (web / "events-bad.jsonl").write_text(
        "\n".join(
            [
                event("m3", type="teleport"),
                "[1, 2, 3]",
                "{not json",
                event("m4"),
                json.dumps("just a string"),
                event("m5", timestamp="not a time"),
            ]
        )
        + "\n"
    )
    (web / "events-huge.jsonl").write_text(
        event("m6", properties={"blob": "x" * 10_000_000}) + "\n" + event("m7") + "\n"
    )
    with gzip.open(web / "events-gz.jsonl.gz", "wt") as f:
        f.write(event("m8") + "\n")
    (web / "events-truncated.jsonl.gz").write_bytes(gzip.compress((event("m9") + "\n").encode() * 200)[:-30])
    (web / "events-really-csv.jsonl").write_text("a,b\n1,2\n")
    summary = run_ingestion(settings, ["crm", "web"])
    return settings, summary


def test_broken_quoting_quarantines_only_that_line(loaded):
    settings, _ = loaded
    assert report(settings, "crm")["contacts_quoting.csv"] == {
        "read": 2,
        "loaded": 1,
        "quarantined": 1,
        "status": "partial",
        "error": None,
        "new_columns": None,
    }
    [(line, raw, reason)] = quarantine(settings, "crm", "contacts_quoting.csv")
    assert (line, reason) == (2, "unterminated quoted field") and raw.startswith('11,"Ann,')
    assert query(settings, "SELECT _source_line FROM raw_crm.contacts WHERE _source_file = 'contacts_quoting.csv'") == [
        (3,)
    ]


def test_extra_and_missing_fields_in_a_row_are_quarantined(loaded):
    settings, _ = loaded
    rows = quarantine(settings, "crm", "contacts_columns.csv")
    assert [r[0] for r in rows] == [2, 3]
    assert "Expected Number of Columns: 17 Found: 18" in rows[0][2] and rows[0][1].endswith(",surplus")
    assert "Found: 15" in rows[1][2]
    assert report(settings, "crm")["contacts_columns.csv"]["loaded"] == 1


def test_a_legacy_encoded_file_is_detected_and_loads_with_its_accents(loaded):
    settings, _ = loaded
    entry = report(settings, "crm")["contacts_latin1.csv"]
    assert (entry["status"], entry["read"], entry["loaded"]) == ("loaded", 1, 1)
    assert query(settings, "SELECT first_name FROM raw_crm.contacts WHERE contact_id = '4'") == [("Zoë",)]


def test_invalid_timestamps_are_quarantined_with_the_column_named(loaded):
    settings, _ = loaded
    rows = quarantine(settings, "crm", "contacts_times.csv")
    assert [(r[0], r[2]) for r in rows] == [
        (
            2,
            "invalid timestamp in column 'Last Modified Date' (updated_at); missing required value in column 'Last Modified Date' (updated_at)",
        ),
        (3, "invalid timestamp in column 'Create Date' (created_at)"),
    ]
    assert rows[1][1].startswith("6,Ann,Lee,")
    assert query(settings, "SELECT contact_id FROM raw_crm.contacts WHERE _source_file = 'contacts_times.csv'") == [
        ("7",)
    ]


@pytest.mark.parametrize("name", ["contacts_empty.csv", "contacts_header_only.csv"])
def test_empty_and_header_only_files_are_reported_empty(loaded, name):
    settings, _ = loaded
    assert report(settings, "crm")[name] == {
        "read": 0,
        "loaded": 0,
        "quarantined": 0,
        "status": "empty",
        "error": None,
        "new_columns": None,
    }


def test_gzip_files_are_read_as_they_are_and_truncated_ones_fail_clearly(loaded):
    settings, summary = loaded
    entries = report(settings, "crm")
    assert entries["contacts_gz.csv.gz"]["loaded"] == 2
    assert entries["contacts_truncated.csv.gz"]["status"] == "failed"
    assert entries["contacts_truncated.csv.gz"]["error"].startswith(
        "contacts_truncated.csv.gz: truncated or corrupt gzip"
    )
    assert report(settings, "web")["events-truncated.jsonl.gz"]["status"] == "failed"
    assert report(settings, "web")["events-gz.jsonl.gz"]["loaded"] == 1
    assert summary["crm"]["failed_files"] == ["contacts_truncated.csv.gz"]


def test_duplicate_ids_across_files_leave_one_row_each(loaded):
    settings, _ = loaded
    assert query(settings, "SELECT contact_id, count(*) FROM raw_crm.contacts GROUP BY 1 HAVING count(*) > 1") == []
    assert {r[0] for r in query(settings, "SELECT contact_id FROM raw_crm.contacts")} == {
        "1",
        "2",
        "3",
        "4",
        "7",
        "8",
        "9",
        "12",
    }


def test_bad_event_lines_are_quarantined_with_reasons(loaded):
    settings, _ = loaded
    rows = quarantine(settings, "web", "events-bad.jsonl")
    assert [(r[0], r[2]) for r in rows] == [
        (1, "unknown event type"),
        (2, "line is not a JSON object"),
        (3, "not valid JSON"),
        (5, "line is not a JSON object"),
        (6, "invalid timestamp"),
    ]
    assert rows[1][1] == "[1, 2, 3]"
    assert query(settings, "SELECT message_id FROM raw_web.events WHERE _source_file = 'events-bad.jsonl'") == [("m4",)]


def test_a_10mb_single_line_loads(loaded):
    settings, _ = loaded
    assert report(settings, "web")["events-huge.jsonl"]["loaded"] == 2
    assert query(settings, "SELECT length(properties) FROM raw_web.events WHERE message_id = 'm6'") == [(10_000_011,)]


def test_a_file_of_the_wrong_format_fails_clearly_and_keeps_its_lines(loaded):
    settings, _ = loaded
    entry = report(settings, "web")["events-really-csv.jsonl"]
    assert (entry["status"], entry["read"], entry["quarantined"]) == ("failed", 2, 2)
    assert entry["error"] == "events-really-csv.jsonl: no line is valid JSON; is this the right kind of file?"
