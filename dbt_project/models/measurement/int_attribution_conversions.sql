{{ config(schema='intermediate') }}
-- What touches get credit for: every order (fct_orders: won deals and web orders, each once) and
-- the customers' web track events named in the `attribution_conversion_events` var.
-- depends_on: {{ ref('int_customer_events') }}
select
    order_key as conversion_id,
    'order' as conversion_type,
    customer_id,
    ordered_at as converted_at,
    revenue
from {{ ref('fct_orders') }}
{%- if var('attribution_conversion_events') %}
union all
select
    'event:' || source_record_id as conversion_id,
    event_name as conversion_type,
    customer_id,
    occurred_at as converted_at,
    try_cast({{ json_property('properties', var('order_revenue_properties')) }} as decimal(18, 2)) as revenue
from {{ ref('int_customer_events') }}
where source = 'web' and event_name in {{ sql_list(var('attribution_conversion_events')) }}
{%- endif %}
