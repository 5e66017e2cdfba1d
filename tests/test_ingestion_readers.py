"""CSV reading: every physical line ends up in a row or a reject, with the line it starts on."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.csv_reader import read_csv
from ingestion.file_loop import connect
from ingestion.landing import UnreadableFile


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
