"""Readers: every physical line ends up in a row or a reject, with the line it starts on."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.csv_reader import read_csv
from ingestion.file_loop import connect
from ingestion.landing import UnreadableFile
from ingestion.web_events import _read_whole_file, parse_events


def read(tmp_path: Path, text: str):
    path = tmp_path / "f.csv"
    path.write_text(text)
    records = read_csv(connect(), path, text)
    rows = [(r["_line"], r["a"], r["b"]) for r in records.table.to_pylist()]
    return rows, [(r.line_number, r.raw_text) for r in records.rejects]


def test_quoted_newlines_keep_later_line_numbers_physical(tmp_path):
    rows, rejects = read(tmp_path, 'a,b\n1,"two\nlines"\n2,x,extra\n3,y\n')
    assert rows == [(2, "1", "two\nlines"), (5, "3", "y")]
    assert rejects == [(4, "2,x,extra")]


def test_blank_lines_and_unterminated_quotes_use_the_line_exact_reader(tmp_path):
    rows, rejects = read(tmp_path, 'a,b\n1,x\n\n2,"open\n3,z\n')
    assert rows == [(2, "1", "x"), (5, "3", "z")]
    assert rejects == [(4, '2,"open')]


def test_duplicate_headers_make_the_file_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="f.csv: header repeats column"):
        read(tmp_path, "a,a\n1,2\n")


EVENT_LINES = [
    # numbers and booleans become text, nested values JSON text, escapes decoded, unknown keys ignored
    '{"messageId":"m1","type":"Track","event":{"k":[1,2]},"userId":42,"timestamp":"2026-09-01T10:00:00Z",'
    '"context":{"library":{"name":"js"},"page":{"title":true}},"properties":{"url":"https://x.test/?utm_source=ads",'
    '"price":1.50,"s":"caf\\u00e9"}}',
    '{"messageId":"m2","type":"identify","anonymousId":"a-1","timestamp":"2026-09-01 12:00:00+02:00",'
    '"traits":{"email":" Ann@X.Test "},"context":{"traits":{"phone":"+1 555"},"campaign":{"name":"fall"}}}',
    '{"messageId":"m3","type":"page","anonymousId":"a-1","timestamp":"yesterday"}',
    '{"type":"unknown","anonymousId":"a-2","timestamp":"2026-09-01T10:00:00Z"}',
]


def test_whole_file_and_line_by_line_event_readers_agree(tmp_path):
    """Clean files take DuckDB's whole-file JSON reader; a blank line sends the same events down
    the line-by-line path, which must produce the same rows, refusals and (shifted) line numbers."""
    clean, blank_first = tmp_path / "clean.jsonl", tmp_path / "blank.jsonl"
    clean.write_text("\r\n".join(EVENT_LINES) + "\r\n")
    blank_first.write_text("\n" + "\n".join(EVENT_LINES) + "\n")
    con = connect()
    assert _read_whole_file(con, clean, clean.read_text(), "f", "h")
    assert not _read_whole_file(con, blank_first, blank_first.read_text(), "f", "h")
    with_null = tmp_path / "null.jsonl"  # DuckDB reads a `null` line as an empty row: not taken
    with_null.write_text(EVENT_LINES[0] + "\nnull\n")
    assert not _read_whole_file(con, with_null, with_null.read_text(), "f", "h")
    assert [
        (r.line_number, r.reason) for r in parse_events(con, with_null, with_null.read_text(), "f", "h").rejects
    ] == [(2, "line is not a JSON object")]

    fast = parse_events(con, clean, clean.read_text(), "f.jsonl", "h")
    slow = parse_events(con, blank_first, blank_first.read_text(), "f.jsonl", "h")
    fast_rows = fast.data.sort_by("_source_line").to_pylist()
    slow_rows = [
        {**row, "_source_line": row["_source_line"] - 1} for row in slow.data.sort_by("_source_line").to_pylist()
    ]
    assert fast_rows == slow_rows
    assert [
        (r["message_id"], r["type"], r["event"], r["user_id"], r["page_url"], r["utm_source"], r["page_title"])
        for r in fast_rows[:1]
    ] == [("m1", "track", '{"k":[1,2]}', "42", "https://x.test/?utm_source=ads", "ads", "true")]
    assert fast_rows[0]["properties"] == '{"url":"https://x.test/?utm_source=ads","price":1.5,"s":"café"}'
    assert (fast_rows[1]["traits_email_normalized"], fast_rows[1]["traits_phone"], fast_rows[1]["utm_campaign"]) == (
        "ann@x.test",
        "+1 555",
        "fall",
    )
    assert [(r.line_number, r.reason) for r in fast.rejects] == [
        (3, "invalid timestamp"),
        (4, "missing messageId; unknown event type"),
    ]
    assert [(r.line_number - 1, r.raw_text, r.reason) for r in slow.rejects] == [
        (r.line_number, r.raw_text, r.reason) for r in fast.rejects
    ]
