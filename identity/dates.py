"""Dates as people write them: one SQL parser shared by the pipeline and `c360 resolve`.

A column's day/month order is read from its own values (a 13/04/2001 settles it), because
03/04/2001 alone cannot say; values that stay ambiguous are counted and reported, never guessed
in silence. Forcing one format (`--date-format`) parses that format only.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

ISO, COMPACT, DAY_FIRST, MONTH_FIRST, DOTTED, EXCEL = (
    "YYYY-MM-DD",
    "YYYYMMDD",
    "DD/MM/YYYY",
    "MM/DD/YYYY",
    "DD.MM.YYYY",
    "excel",
)
DATE_FORMATS = (ISO, COMPACT, DAY_FIRST, MONTH_FIRST, DOTTED, EXCEL)

# Excel serials count days from 1899-12-30; five digits cover 1900-2173, enough for birth dates.
DATE_MACROS = f"""
CREATE OR REPLACE TEMP MACRO c360_date_as(x, fmt) AS (
    CASE fmt
        WHEN '{ISO}' THEN TRY_CAST(trim(x) AS DATE)
        WHEN '{COMPACT}' THEN CASE WHEN regexp_full_match(trim(x), '\\d{{8}}')
                                   THEN CAST(try_strptime(trim(x), '%Y%m%d') AS DATE) END
        WHEN '{DAY_FIRST}' THEN CAST(try_strptime(trim(x), '%d/%m/%Y') AS DATE)
        WHEN '{MONTH_FIRST}' THEN CAST(try_strptime(trim(x), '%m/%d/%Y') AS DATE)
        WHEN '{DOTTED}' THEN CAST(try_strptime(trim(x), '%d.%m.%Y') AS DATE)
        WHEN '{EXCEL}' THEN CASE WHEN regexp_full_match(trim(x), '\\d{{2,5}}(\\.0+)?')
                                 THEN DATE '1899-12-30' + CAST(CAST(trim(x) AS DOUBLE) AS INTEGER) END
    END
);
CREATE OR REPLACE TEMP MACRO c360_date(x, slash_first) AS (
    coalesce(c360_date_as(CAST(x AS VARCHAR), '{ISO}'), c360_date_as(CAST(x AS VARCHAR), '{COMPACT}'),
             c360_date_as(CAST(x AS VARCHAR), '{DOTTED}'), c360_date_as(CAST(x AS VARCHAR), slash_first),
             c360_date_as(CAST(x AS VARCHAR),
                          CASE slash_first WHEN '{DAY_FIRST}' THEN '{MONTH_FIRST}' ELSE '{DAY_FIRST}' END),
             c360_date_as(CAST(x AS VARCHAR), '{EXCEL}'))
);
"""


@dataclass(frozen=True)
class DateReading:
    """How one column's dates are read: a forced format, or every format with a slash order."""

    forced: str | None
    slash_first: str
    day_first_only: int  # values only DD/MM/YYYY can read (e.g. 13/04/2001)
    month_first_only: int
    ambiguous: int  # values both slash orders read as different dates (e.g. 03/04/2001)

    def sql(self, column: str) -> str:
        if self.forced:
            return f"c360_date_as(CAST({column} AS VARCHAR), '{self.forced}')"
        return f"c360_date(CAST({column} AS VARCHAR), '{self.slash_first}')"

    def note(self) -> str:
        if self.forced:
            return f"read as {self.forced} (forced)"
        if not (self.ambiguous or self.day_first_only or self.month_first_only):
            return "no slash dates"
        note = (
            f"slash dates read as {self.slash_first} ({self.day_first_only} values fit only DD/MM/YYYY, "
            f"{self.month_first_only} only MM/DD/YYYY)"
        )
        if self.ambiguous:
            note += f"; {self.ambiguous} values fit both orders (e.g. 03/04/2001), use --date-format to force"
        return note


def check_date_format(date_format: str | None) -> str | None:
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ValueError(f"unknown date format {date_format!r}; use one of {', '.join(DATE_FORMATS)}")
    return date_format


def read_dates(con: duckdb.DuckDBPyConnection, values_sql: str, forced: str | None = None) -> DateReading:
    """Decide how to read the dates `values_sql` (one VARCHAR column) holds; needs DATE_MACROS installed."""
    if check_date_format(forced):
        return DateReading(forced, forced, 0, 0, 0)
    day_only, month_only, ambiguous = con.execute(f"""
        WITH v AS (SELECT DISTINCT trim(CAST(d AS VARCHAR)) AS d FROM ({values_sql}) t(d) WHERE d IS NOT NULL),
        p AS (SELECT c360_date_as(d, '{DAY_FIRST}') AS dm, c360_date_as(d, '{MONTH_FIRST}') AS md FROM v)
        SELECT count(*) FILTER (WHERE dm IS NOT NULL AND md IS NULL),
               count(*) FILTER (WHERE md IS NOT NULL AND dm IS NULL),
               count(*) FILTER (WHERE dm <> md)
        FROM p
    """).fetchone()
    # a tie (nothing decides) reads day first, as most of the world writes; the note says so
    slash_first = MONTH_FIRST if month_only > day_only else DAY_FIRST
    return DateReading(None, slash_first, day_only, month_only, ambiguous)
