{{ config(**keyed_incremental_config('session_id')) }}
{#- Sessions per device (anonymous_id): a new session starts after `session_timeout_minutes` of
    inactivity. Incremental runs re-sessionize only devices with new events, starting from their
    latest stored session, so a session spanning the load boundary is extended rather than split
    and a full refresh yields the same rows. Customer ids are joined downstream, never stored here,
    so identity re-resolution cannot leave stale ids in this table. Events arriving later than
    events already sessionized for their device are only picked up by a full refresh. -#}

{%- set timeout = "interval " ~ var('session_timeout_minutes') ~ " minute" -%}
{%- set bounds = none -%}
{%- if is_incremental() and execute -%}
    {#- Literal bounds (not subqueries) so the time filter is pushed into the events scan. -#}
    {%- set bounds = run_query(
        "select cast(max(session_end) as string), cast(min(session_start) filter (where session_end > "
        ~ "(select max(session_end) from " ~ this ~ ") - " ~ timeout ~ ") as string) from " ~ this
    ).rows[0] -%}
    {%- if bounds[0] is none -%}{%- set bounds = none -%}{%- endif -%}
{%- endif %}

with

{% if bounds is not none -%}
-- sessions that new events could still extend: those ending within the timeout of the watermark
open_sessions as (
    select anonymous_id, session_start as resume_from
    from {{ this }}
    where session_end > timestamp '{{ bounds[0] }}' - {{ timeout }}
),

candidate_events as (
    select * from {{ ref('stg_web__events') }}
    where event_at >= timestamp '{{ bounds[1] }}'
),

touched_devices as (
    select distinct anonymous_id from candidate_events where event_at > timestamp '{{ bounds[0] }}'
),

events as (
    select e.*
    from candidate_events as e
    inner join touched_devices using (anonymous_id)
    left join open_sessions as o using (anonymous_id)
    where (o.resume_from is not null and e.event_at >= o.resume_from)
        or (o.resume_from is null and e.event_at > timestamp '{{ bounds[0] }}')
),
{%- else -%}
events as (
    select * from {{ ref('stg_web__events') }}
),
{%- endif %}

flagged as (
    select
        *,
        case
            when lag(event_at) over device_order is null then 1
            when
                event_at - lag(event_at) over device_order
                > {{ timeout }} then 1
            else 0
        end as is_session_start
    from events
    window device_order as (partition by anonymous_id order by event_at, event_id)
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id order by event_at, event_id rows unbounded preceding
        ) as session_number
    from flagged
)

select
    md5(anonymous_id || '|' || cast(min(event_at) as string)) as session_id,
    anonymous_id,
    {{ latest_non_null('user_id', 'event_at') }} as user_id,
    min(event_at) as session_start,
    max(event_at) as session_end,
    {{ rounded_bigint(seconds_between('min(event_at)', 'max(event_at)')) }} as duration_seconds,
    count(*) as events,
    count(*) filter (where event_type = 'page') as page_views,
    count(*) filter (
        where event_type = 'page' and page_path like '{{ var("pricing_page_pattern") }}'
    ) as pricing_page_views,
    {{ value_at_min('page_path', 'event_at', "event_type = 'page'") }} as landing_page,
    {{ value_at_min('referrer', 'event_at') }} as referrer,
    {{ value_at_min('utm_source', 'event_at', 'utm_source is not null') }} as utm_source,
    {{ value_at_min('utm_medium', 'event_at', 'utm_medium is not null') }} as utm_medium,
    {{ value_at_min('utm_campaign', 'event_at', 'utm_campaign is not null') }} as utm_campaign,
    coalesce(bool_or(
        event_type = 'track'
        and event_name in {{ sql_list(var('conversion_events')) }}
    ), false) as converted,
    {{ latest_non_null('traits_email', 'event_at') }} as traits_email,
    {{ latest_non_null('traits_first_name', 'event_at') }} as traits_first_name,
    {{ latest_non_null('traits_last_name', 'event_at') }} as traits_last_name,
    {{ latest_non_null('traits_phone', 'event_at') }} as traits_phone,
    max(event_at) filter (where event_type = 'identify') as identified_at
from numbered
group by anonymous_id, session_number
