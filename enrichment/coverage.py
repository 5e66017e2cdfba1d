"""How many customers each enrichment reached, for Dagster metadata and the run log (counts only).

Beside the share of all customers enriched, each enrichment fed by a golden-record value reports
how many customers had that value, so inputs the shipped data could not settle (an invalid
phone, a malformed address) are counted rather than lost in the share."""
from __future__ import annotations

import duckdb

# enrichment -> (golden-record column that feeds it, or None; column that says it was enriched)
ENRICHMENTS = {
    "email_domain": ("email", "email_address_type"),
    "work_company": (None, "work_company_id"),
    "phone": ("phone", "phone_country"),
    "location": (None, "location_region"),
}


def enrichment_coverage(con: duckdb.DuckDBPyConnection) -> dict[str, float | int]:
    """`customers`; per enrichment `<name>/enriched`, `<name>/coverage` (share of all customers)
    and, where a golden value feeds it, `<name>/with_input` and `<name>/not_enriched`."""
    selects = []
    for source, enriched in ENRICHMENTS.values():
        selects.append(f"count(e.{enriched})")
        if source:
            selects.append(f"count(c.{source})")
    total, *counts = con.execute(f"""
        select count(*), {", ".join(selects)}
        from intermediate.int_customer_enrichment as e
        inner join marts.dim_customers as c using (customer_id)
    """).fetchone()
    coverage: dict[str, float | int] = {"customers": total}
    values = iter(counts)
    for name, (source, _) in ENRICHMENTS.items():
        enriched = next(values)
        coverage[f"{name}/enriched"] = enriched
        coverage[f"{name}/coverage"] = round(enriched / total, 4) if total else 0.0
        if source:
            with_input = next(values)
            coverage[f"{name}/with_input"] = with_input
            coverage[f"{name}/not_enriched"] = with_input - enriched
    return coverage
