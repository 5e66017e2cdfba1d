"""Minimal real inputs build every model: each raw table exists with its contract from the first run.

A new user's first landing folder: a CRM with only a HubSpot contacts export (named as HubSpot
names view exports, http://legacydocs.hubspot.com guides/api/crm/exports), a deals export whose
every row is refused, a day of Segment events (https://segment.com/docs/connections/spec/common/)
and no email-tool files yet. One real pipeline run through Dagster, dlt, Splink and dbt.
"""

from __future__ import annotations

import duckdb

from c360.runner import run_pipeline
from ingestion.entities import CRM_ENTITIES, EMAIL_ENTITIES
from ingestion.typed_rows import contract_schema
from tests.test_ingestion_helpers import contact, csv_text, event, settings_for


def test_a_crm_with_only_contacts_and_an_all_quarantined_entity_builds_every_model(tmp_path):
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    (crm / "hubspot-crm-exports-all-contacts-2026-09-28.csv").write_text(
        csv_text(
            [
                contact("1", email="ann@x.test"),
                contact("2", email="bo@x.test"),
                contact("3", email="ann@x.test"),
            ]
        )
    )
    (crm / "deals.csv").write_text("Record ID,Deal Name,Last Modified Date\n9,Lost,not a date\n8,Also lost,\n")
    (settings.landing / "web" / "events-2026-09-28.jsonl").write_text(
        "\n".join([event("m1"), event("m2", type="identify", userId="u1", traits={"email": "bo@x.test"})]) + "\n"
    )

    result = run_pipeline(settings)

    assert result.success
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for schema, entities in (("raw_crm", CRM_ENTITIES), ("raw_email", EMAIL_ENTITIES)):
            for entity in entities:
                columns = [
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        " AND column_name NOT LIKE '\\_dlt%' ESCAPE '\\' ORDER BY ordinal_position",
                        [schema, entity.table],
                    ).fetchall()
                ]
                assert columns == contract_schema(entity).names, f"{schema}.{entity.table}"
        assert con.execute("SELECT count(*) FROM raw_crm.deals").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM raw_crm.quarantine WHERE source_file = 'deals.csv'").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM marts.dim_customers WHERE email IS NOT NULL").fetchone() == (2,)
        built = {
            r[0]
            for r in con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                " WHERE table_schema IN ('staging', 'intermediate', 'marts')"
            ).fetchall()
        }
    assert {
        "staging.stg_crm__deals",
        "staging.stg_crm__companies",
        "staging.stg_email__activity",
        "marts.dim_customers",
        "marts.fct_deal_pipeline",
        "marts.dim_accounts",
    } <= built
