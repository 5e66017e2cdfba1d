-- The fingerprints the customer-level models were last built from, written after all of them
-- (the depends_on lines below), so a build that fails part-way leaves the previous state and the
-- next build rebuilds those customers again. int_changed_customers reads it by name, not by ref,
-- since it runs before the models it feeds.
-- depends_on: {{ ref('int_customer_events') }}
-- depends_on: {{ ref('int_customer_timeline') }}
-- depends_on: {{ ref('int_customer_enrichment') }}
-- depends_on: {{ ref('int_attribution_touches') }}
-- depends_on: {{ ref('int_retention_periods') }}
select * from {{ ref('int_customer_fingerprints') }}
