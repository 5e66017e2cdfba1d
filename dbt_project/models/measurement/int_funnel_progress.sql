{{ config(schema='intermediate', **changed_customers_config()) }}
-- Which customers reached which step of each funnel (`funnels` var) and when. Incremental: only
-- the changed customers' rows are rebuilt (macros/changed_customers.sql).
{{ compile_funnels('(select * from ' ~ ref('int_customer_events') ~ ' where ' ~ is_changed_customer() ~ ')') }}
