{{ config(schema='intermediate') }}
-- Which customers reached which step of each funnel (`funnels` var) and when.
{{ compile_funnels(ref('int_customer_events')) }}
