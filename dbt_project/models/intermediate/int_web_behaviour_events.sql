{{ config(**keyed_incremental_config('event_id')) }}
{#- Web track events and page views as behaviour (int_customer_events reads them): event name
    (`page` for page views) and properties (for page views: path, url and title). Incremental:
    only events newer than the stored ones (a literal bound, so the time filter reaches the events
    scan), as for order events; older late arrivals need a full refresh. No customer ids here:
    they are joined downstream so identity changes never leave stale ids. -#}
{%- set watermark = none -%}
{%- if is_incremental() and execute -%}
    {%- set watermark = run_query("select cast(max(occurred_at) as string) from " ~ this).rows[0][0] -%}
{%- endif %}
select
    event_id,
    anonymous_id,
    user_id,
    case when event_type = 'page' then 'page' else event_name end as event_name,
    event_at as occurred_at,
    case
        when event_type = 'page'
            then {{ json_object_text({'path': 'page_path', 'url': 'page_url', 'title': 'page_title'}) }}
        else properties
    end as properties
from {{ ref('stg_web__events') }}
where event_type in ('track', 'page')
{%- if watermark is not none %}
    and event_at > timestamp '{{ watermark }}'
{%- endif %}
