"""Phones as people write them reach identity in E.164, so two records of one person match on their phone."""

from __future__ import annotations

import duckdb
import pytest

from identity.normalise import build_phone_lookup, known_numbers_sql


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


def test_numbers_the_last_build_normalised_are_reused_and_only_new_ones_are_parsed() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE phones AS SELECT * FROM (VALUES ('(619) 706-7201'), ('619.706.7202')) t(phone)")
    # yesterday's golden phones (int_phone_numbers' columns): one number under this region, one under another
    con.execute("""CREATE TABLE golden AS SELECT * FROM (VALUES
        ('(619) 706-7201', '+16197067201', 'US'), ('619.706.7202', '+44619706720', 'GB')
    ) t(phone_as_entered, phone_e164, default_region)""")

    parsed = build_phone_lookup(con, "SELECT phone FROM phones", "lookup", "US", known_numbers_sql("golden", "US"))

    assert parsed == 1  # the GB row is not known under the US default region: parsed again
    assert sorted(con.execute("SELECT raw, e164 FROM lookup").fetchall()) == [
        ("(619) 706-7201", "+16197067201"),
        ("619.706.7202", "+16197067202"),
    ]
