"""Offline enrichment of every customer (see enrichment/): facts about their phone, email domain
and address from data sets that packages ship, so nothing is fetched at run time. A Python model
because the data sets are Python packages; the work happens once per distinct value.

Only customers whose enrichment inputs changed (int_changed_customers, everyone on a full refresh)
are enriched again; the others keep their rows from the table this build replaces. A table rather than an incremental
model because dbt-duckdb's incremental Python models stage their rows in a temporary table the
build's own connection cannot see."""

from c360.dbt_python_models import local_inputs, runs_on_spark, to_spark
from enrichment.customers import enrich_customers
from identity.config import load_identity_config


def model(dbt, session):
    dbt.config(materialized="table")
    if runs_on_spark(session):
        return to_spark(session, _enrich_everyone_locally(dbt))
    customers = everyone = dbt.ref("dim_customers")
    changed = dbt.ref("int_changed_customers").filter("enrichment_changed").select("customer_id")
    previous = _previous_rows(dbt, session)
    if previous is not None:
        customers = everyone.join(changed, "customer_id", how="semi")
    enriched = enrich_customers(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        session,
        customers=customers,
        contacts=dbt.ref("stg_crm__contacts"),
        customer_map=dbt.ref("stg_identity__customer_map"),
        companies=dbt.ref("stg_crm__companies"),
        phone_default_region=load_identity_config().phone_default_region,
    )
    if previous is None:
        return enriched
    # unchanged customers who still exist keep their rows
    kept = previous.join(changed, "customer_id", how="anti").join(  # noqa: F841 - read by the SQL below
        everyone.select("customer_id"), "customer_id", how="semi"
    )
    return session.sql("select * from kept union all by name select * from enriched")


def _enrich_everyone_locally(dbt):
    """Spark: dbt-spark drops the previous build before a Python model runs, so every customer is
    enriched, by the same lookups, in an in-memory DuckDB over the inputs as Arrow."""
    local, inputs = local_inputs(
        dbt, ["dim_customers", "stg_crm__contacts", "stg_identity__customer_map", "stg_crm__companies"]
    )
    return enrich_customers(
        local,
        customers=inputs["dim_customers"],
        contacts=inputs["stg_crm__contacts"],
        customer_map=inputs["stg_identity__customer_map"],
        companies=inputs["stg_crm__companies"],
        phone_default_region=load_identity_config().phone_default_region,
    )


def _previous_rows(dbt, session):
    """The rows of the table this build replaces, if there is one."""
    exists = session.sql(
        "select count(*) from duckdb_tables() where schema_name = $schema and table_name = $name",
        params={"schema": dbt.this.schema, "name": dbt.this.identifier},
    ).fetchall()[0][0]
    return session.sql(f"select * from {dbt.this}") if exists else None
