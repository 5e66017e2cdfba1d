"""How many customers each enrichment reached, for Dagster metadata and the run log (counts only).

Beside the share of all customers enriched, each enrichment reports how many customers had its
input and how many of those the shipped data could not settle (an invalid phone, a postcode
outside the data set, a work domain no CRM company uses), so nothing is lost in the share."""

from __future__ import annotations

import duckdb

# enrichment -> (customer has the input, customer was enriched), over the enrichment (e) and golden record (c)
ENRICHMENTS = {
    "email_domain": ("c.email is not null", "e.email_address_type is not null"),
    "work_company": ("e.email_address_type = 'work'", "e.work_company_id is not null"),
    "phone": ("c.phone is not null", "e.phone_country is not null"),
    "location": ("e.has_address", "e.location_country is not null"),
}


def enrichment_coverage(con: duckdb.DuckDBPyConnection) -> dict[str, float | int]:
    """`customers`; per enrichment `<name>/enriched`, `<name>/coverage` (share of all customers),
    `<name>/with_input` and `<name>/not_enriched` (had the input, got nothing)."""
    counts = ", ".join(
        f"count(*) filter (where {has_input}), count(*) filter (where {enriched})"
        for has_input, enriched in ENRICHMENTS.values()
    )
    total, *values = con.execute(f"""
        select count(*), {counts}
        from intermediate.int_customer_enrichment as e
        inner join marts.dim_customers as c using (customer_id)
    """).fetchall()[0]
    coverage: dict[str, float | int] = {"customers": total}
    for index, name in enumerate(ENRICHMENTS):
        with_input, enriched = values[2 * index], values[2 * index + 1]
        coverage[f"{name}/enriched"] = enriched
        coverage[f"{name}/coverage"] = round(enriched / total, 4) if total else 0.0
        coverage[f"{name}/with_input"] = with_input
        coverage[f"{name}/not_enriched"] = with_input - enriched
    return coverage
