"""Dates as people write them: every supported format, day/month order read from the column,
ambiguity reported, a forced format, and unreadable values counted rather than dropped."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from identity.dates import DATE_MACROS, read_dates


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(DATE_MACROS)
    return connection


def _parse(con, values: list[str], forced: str | None = None) -> list[date | None]:
    con.execute("CREATE OR REPLACE TABLE v AS SELECT * FROM unnest(?) t(d)", [values])
    reading = read_dates(con, "SELECT d FROM v", forced)
    return [row[0] for row in con.execute(f"SELECT {reading.sql('d')} FROM v").fetchall()]


@pytest.mark.parametrize("written", ["1956-04-09", "19560409", "09.04.1956", "09/04/1956", "20554"])
def test_each_format_reads_the_same_birth_date(con, written: str) -> None:
    # 20554 is the Excel serial of 1956-04-09 (days since 1899-12-30)
    assert _parse(con, [written, "23/11/1970"]) == [date(1956, 4, 9), date(1970, 11, 23)]


def test_month_first_dates_are_recognised_from_a_value_only_that_order_can_read(con) -> None:
    assert _parse(con, ["04/09/1956", "11/23/1970"]) == [date(1956, 4, 9), date(1970, 11, 23)]


def test_a_column_nothing_decides_is_read_day_first_and_reported_as_ambiguous(con) -> None:
    con.execute("CREATE TABLE v AS SELECT * FROM (VALUES ('03/04/2001'), ('05/06/1990'), ('2001-01-01')) t(d)")

    reading = read_dates(con, "SELECT d FROM v")

    assert (reading.slash_first, reading.ambiguous) == ("DD/MM/YYYY", 2)
    assert "2 values fit both orders" in reading.note() and "--date-format" in reading.note()


def test_a_forced_format_reads_only_that_format(con) -> None:
    assert _parse(con, ["03/04/2001", "2001-04-03"], forced="MM/DD/YYYY") == [date(2001, 3, 4), None]


def test_an_unknown_forced_format_is_refused_with_the_choices(con) -> None:
    with pytest.raises(ValueError, match="YYYYMMDD"):
        read_dates(con, "SELECT '2001-01-01'", "yyyy/mm/dd")


def test_text_that_is_no_date_stays_unread(con) -> None:
    assert _parse(con, ["unknown", "1956049", "31/02/1990"]) == [None, None, None]
