-- Web behaviour per customer: tracked sessions (int_web_sessions_by_customer) and web-server
-- access-log requests whose analytics cookie (visitor id) is a device of the customer. Windows
-- count back from as_of.
with reference as (
    select {{ as_of() }} as as_of
),

sessions as (
    select * from {{ ref('int_web_sessions_by_customer') }}
    where customer_id is not null
),

session_stats as (
    select
        sessions.customer_id,
        count(*) as sessions,
        cast(sum(sessions.page_views) as bigint) as page_views,
        count(*) filter (where sessions.session_start > reference.as_of - interval 30 day) as sessions_30d,
        cast(sum(sessions.page_views) filter (
            where sessions.session_start > reference.as_of - interval 30 day
        ) as bigint) as page_views_30d,
        count(*) filter (where sessions.converted) as converted_sessions,
        max(sessions.session_start) filter (where sessions.pricing_page_views > 0) as last_pricing_view_at
    from sessions
    cross join reference
    group by sessions.customer_id
),

access_log_stats as (
    select
        device.customer_id,
        count(*) as access_log_requests,
        count(distinct cast(request.requested_at as date)) as access_log_visit_days,
        count(*) filter (where request.requested_at > reference.as_of - interval 30 day) as access_log_requests_30d,
        max(request.requested_at) as last_access_log_request_at
    from {{ ref('stg_web__access_log') }} as request
    inner join {{ ref('stg_identity__customer_map') }} as device
        on device.source = 'web_anonymous_id' and device.source_record_id = request.anonymous_id
    cross join reference
    group by device.customer_id
)

select
    coalesce(session_stats.customer_id, access_log_stats.customer_id) as customer_id,
    {{ star_except(['customer_id'], 'session_stats') }},
    {{ star_except(['customer_id'], 'access_log_stats') }}
from session_stats
full outer join access_log_stats using (customer_id)
