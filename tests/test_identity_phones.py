"""Phones as people write them reach identity in E.164, so two records of one person match on their phone."""

from __future__ import annotations

import duckdb
import pytest

from identity.normalise import build_phone_lookup


@pytest.mark.parametrize(
    "written",
    ["+1 619-706-7201", "(619) 706-7201", "619.706.7201", "1-619-706-7201", "001 619 706 7201", "00 1 619 706 7201"],
)
def test_every_us_notation_including_the_international_00_prefix_reads_as_one_e164_number(written: str) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE phones AS SELECT ? AS phone", [written])

    build_phone_lookup(con, "SELECT phone FROM phones", "lookup", "US")

    assert con.execute("SELECT raw, e164 FROM lookup").fetchall() == [(written, "+16197067201")]


def test_a_00_prefix_dials_abroad_from_any_default_region() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE phones AS SELECT * FROM (VALUES ('0044 20 7946 0958'), ('020 7946 0958')) t(phone)")

    build_phone_lookup(con, "SELECT phone FROM phones", "lookup", "US")

    assert dict(con.execute("SELECT raw, e164 FROM lookup").fetchall()) == {
        "0044 20 7946 0958": "+442079460958",
        "020 7946 0958": None,  # a UK national number means nothing with a US default region: counted, not guessed
    }
