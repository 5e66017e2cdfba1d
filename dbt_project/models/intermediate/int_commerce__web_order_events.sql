{{ config(**keyed_incremental_config('event_id')) }}
{#- Web order events (`order_events` var; Segment's `Order Completed` by default) with the order
    id, revenue and currency read from the properties the vars name. One row per event: two events
    for one order are merged in fct_orders, which counts them. The text of the revenue property is
    kept beside its number so a value that does not parse is visible, not a silent null.
    Read from int_web_behaviour_events (web events already cleaned and stored), not from the
    staging view, so a day without orders does not clean every event again. Incremental:
    only events newer than the stored ones; older late arrivals need a full refresh, as for
    sessions. -#}
{%- set watermark = none -%}
{%- if is_incremental() and execute -%}
    {%- set watermark = run_query("select cast(max(ordered_at) as string) from " ~ this).rows[0][0] -%}
{%- endif %}
with events as (
    -- track events keep their name there (page views are named `page`)
    select * from {{ ref('int_web_behaviour_events') }}
    where
        event_name in {{ sql_list(var('order_events')) }}
    {%- if watermark is not none %}
        and occurred_at > timestamp '{{ watermark }}'
    {%- endif %}
),

parsed as (
    select
        event_id,
        event_name,
        occurred_at as ordered_at,
        anonymous_id,
        user_id,
        {{ json_property('properties', var('order_id_property')) }} as order_id,
        {{ json_property('properties', var('order_revenue_properties')) }} as revenue_as_sent,
        upper({{ json_property('properties', var('order_currency_property')) }}) as currency
    from events
)

select
    *,
    try_cast(revenue_as_sent as decimal(18, 2)) as revenue
from parsed
