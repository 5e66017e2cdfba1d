"""Offline enrichment of every customer (see enrichment/): facts about their phone, email domain
and address from data sets that packages ship, so nothing is fetched at run time. A Python model
because the data sets are Python packages; the work happens once per distinct value."""

from enrichment.customers import enrich_customers
from identity.config import load_identity_config


def model(dbt, session):
    dbt.config(materialized="table")
    return enrich_customers(
        session,
        customers=dbt.ref("dim_customers"),
        contacts=dbt.ref("stg_crm__contacts"),
        customer_map=dbt.ref("stg_identity__customer_map"),
        companies=dbt.ref("stg_crm__companies"),
        phone_default_region=load_identity_config().phone_default_region,
    )
