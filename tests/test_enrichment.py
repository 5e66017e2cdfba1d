"""Offline enrichment on known inputs, with the network closed, and its use in segments.

The phone numbers are from Ofcom's range reserved for drama (020 7946 0000-0999, London,
https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama) and a real US
area code; company domains are shaped like HubSpot's "Company Domain Name" property
(https://knowledge.hubspot.com/companies/default-company-properties), which holds a bare domain
or a website URL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from c360.settings import PROJECT_ROOT, Settings
from enrichment.coverage import enrichment_coverage
from enrichment.customers import enrich_customers
from enrichment.email_domains import address_type, email_domain, website_domain
from enrichment.locations import describe_location
from enrichment.phones import PhoneFacts, describe_phone
from tests.test_dbt_project import run_dbt


def test_london_landline_gives_country_city_line_type_and_zone():
    assert describe_phone("+44 20 7946 0958", "US") == PhoneFacts("GB", "London", "FIXED_LINE", "Europe/London")


def test_number_without_country_code_is_read_in_the_default_region():
    facts = describe_phone("(619) 706-7201", "US")
    assert (facts.country, facts.region, facts.timezone) == ("US", "California", "America/Los_Angeles")


@pytest.mark.parametrize("raw", ["555-0100", "not a phone", "+44 7700 900123"])
def test_invalid_or_unparseable_number_is_not_enriched(raw):
    assert describe_phone(raw, "US") is None


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("Jane.Doe@GMAIL.com", "free"),
        ("someone@mailinator.com", "disposable"),
        ("x@inbox.mailinator.com", "disposable"),
        ("jane@acme.com", "work"),
    ],
)
def test_email_address_type_from_shipped_domain_lists(email, expected):
    assert address_type(email_domain(email)) == expected


@pytest.mark.parametrize("email", ["no-at-sign", "@acme.com", "jane@localhost"])
def test_address_without_a_plausible_domain_has_none(email):
    assert email_domain(email) is None


def test_company_website_is_reduced_to_its_domain():
    assert website_domain("https://www.Acme.com/about") == "acme.com"


def test_new_york_zip_gives_state_and_country():
    facts = describe_location("10001", None, None)
    assert (facts.country, facts.region, facts.city, facts.based_on) == ("US", "NY", "New York", "postcode")


def test_zip_plus_four_is_read_as_its_zip():
    assert describe_location("10001-2062", None, "United States").region == "NY"


def test_five_digit_postcode_of_a_customer_in_germany_is_not_read_as_a_us_zip():
    facts = describe_location("10115", "Berlin", "Germany")
    assert (facts.country, facts.region, facts.based_on) == ("DE", None, "country")


def test_principal_city_settles_the_state_but_a_shared_name_does_not():
    assert describe_location(None, "Philadelphia", None, phone_country="US").region == "PA"
    assert describe_location(None, "Springfield", None, phone_country="US") is None


def test_city_is_not_looked_up_in_the_us_data_without_a_us_hint():
    assert describe_location(None, "Philadelphia", None) is None


def _staged_inputs(con: duckdb.DuckDBPyConnection) -> dict:
    """Relations in the shape of dim_customers and the CRM staging views."""
    con.execute("""
        create table customers as select * from (values
            ('c1', 'jane@acme.com', '+44 20 7946 0958'),
            ('c2', 'joe@gmail.com', '(619) 706-7201'),
            ('c3', 'temp@mailinator.com', null),
            ('c4', null, '555-0100')) t(customer_id, email, phone);
        create table customer_map as select * from (values
            ('crm_contact', '11', 'c1'), ('crm_contact', '12', 'c2'), ('crm_contact', '13', 'c3')
        ) t(source, source_record_id, customer_id);
        create table contacts as select * from (values
            ('11', null, 'London', timestamp '2026-01-01', false),
            ('12', '10001', 'New York', timestamp '2026-01-01', false),
            ('12', '94105', 'San Francisco', timestamp '2025-01-01', false),
            ('13', null, 'Springfield', timestamp '2026-01-01', false)
        ) t(contact_id, postal_code, city, updated_at, is_archived);
        create table companies as select * from (values
            ('900', 'Acme Corp', 'https://www.acme.com', false),
            ('901', 'Google (listed as a customer)', 'gmail.com', false)
        ) t(company_id, company_name, domain, is_archived);
    """)
    return {name: con.table(name) for name in ("customers", "contacts", "customer_map", "companies")}


def test_customers_are_enriched_with_named_sources():
    with duckdb.connect() as con:
        table = enrich_customers(con, **_staged_inputs(con), phone_default_region="US")
    by_id = {row["customer_id"]: row for row in table.to_pylist()}
    jane, joe, temp, phone_only = by_id["c1"], by_id["c2"], by_id["c3"], by_id["c4"]
    assert (
        jane["email_address_type"],
        jane["work_company_id"],
        jane["work_company_name"],
        jane["work_company_source"],
    ) == ("work", "900", "Acme Corp", "crm_company:900")
    assert (jane["phone_country"], jane["phone_region"], jane["phone_line_type"]) == ("GB", "London", "FIXED_LINE")
    assert jane["phone_source"].startswith("phonenumbers ")
    assert jane["location_region"] is None  # a London phone: the US city data does not apply
    assert (joe["email_address_type"], joe["work_company_id"]) == ("free", None)  # free mail never matches a company
    assert (joe["location_country"], joe["location_region"], joe["location_city"]) == ("US", "NY", "New York")
    assert joe["location_source"].startswith("zipcodes ") and joe["location_source"].endswith(": postcode")
    assert (temp["email_address_type"], temp["location_region"]) == ("disposable", None)
    assert "disposable-email-domains" in temp["email_domain_source"]
    assert all(phone_only[column] is None for column in ("email_domain", "phone_country", "phone_source"))
    assert (temp["has_address"], phone_only["has_address"]) == (True, False)  # Springfield: input, no state


NO_NETWORK_SCRIPT = """
import json, socket

attempts = []

def refuse(*args, **kwargs):
    attempts.append(repr(args[1:]))
    raise OSError("network access attempted")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

import duckdb
from enrichment.customers import enrich_customers
from tests.test_enrichment import _staged_inputs

with duckdb.connect() as con:
    rows = enrich_customers(con, **_staged_inputs(con), phone_default_region="US").to_pylist()
print(json.dumps({"rows": rows, "attempts": attempts}))
"""


def test_enrichment_loads_its_data_and_runs_with_the_network_closed():
    """A fresh interpreter with every socket connect refused imports the packages (which load
    their data sets) and enriches: nothing is fetched."""
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK_SCRIPT], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["attempts"] == []
    rows = {row["customer_id"]: row for row in output["rows"]}
    assert rows["c1"]["phone_region"] == "London" and rows["c2"]["location_region"] == "NY"
    assert rows["c3"]["email_address_type"] == "disposable"


def test_pipeline_reports_each_enrichments_coverage_as_asset_metadata(sample_pipeline):
    settings, result = sample_pipeline
    observed = [
        obs
        for obs in result.asset_observations_for_node("dbt_models")
        if obs.asset_key.path == ["intermediate", "int_customer_enrichment"]
    ]
    metadata = {key: value.value for key, value in observed[-1].metadata.items()}
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert metadata == enrichment_coverage(con)
        phones = con.execute("select count(phone_country) from marts.customer_traits").fetchall()[0][0]
        customers = con.execute("select count(*) from marts.dim_customers").fetchall()[0][0]
    assert metadata["customers"] == customers
    assert metadata["phone/enriched"] == phones > 0
    assert metadata["phone/coverage"] == round(phones / customers, 4)
    for name in ("email_domain", "work_company", "location"):
        assert metadata[f"{name}/enriched"] > 0


def test_segment_on_enrichment_traits_selects_work_addresses_at_crm_companies(sample_run: Settings, tmp_path: Path):
    warehouse = tmp_path / "c360.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    segment = (
        "{segment_definitions: [{name: work_email_at_crm_company, description: d, conditions: ["
        "{trait: email_address_type, op: '=', value: work}, {trait: work_company_id, op: not_null}]}]}"
    )
    result = run_dbt(warehouse, "run", "--select", "int_segment_members", "--vars", segment)
    assert result.success, result.exception
    with duckdb.connect(str(warehouse)) as con:  # dbt ran in-process and keeps the file open read-write
        members = con.execute("select customer_id from intermediate.int_segment_members order by 1").fetchall()
        expected = con.execute(
            "select customer_id from marts.customer_traits where email_address_type = 'work' "
            "and work_company_id is not null order by 1"
        ).fetchall()
    assert members == expected and len(members) > 0
