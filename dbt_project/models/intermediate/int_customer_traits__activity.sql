-- Touchpoints per customer across web, email and CRM (a session, an email opened or clicked, a
-- CRM activity): the latest one and how many fall in the 7/30/90 days up to as_of.
with reference as (
    select {{ as_of() }} as as_of
),

touchpoints as (
    select
        customer_id,
        session_start as occurred_at
    from {{ ref('int_web_sessions_by_customer') }}
    where customer_id is not null
    union all
    select
        customer_id,
        last_engaged_at
    from {{ ref('int_email_engagement') }}
    where customer_id is not null and last_engaged_at is not null
    union all
    select
        map.customer_id,
        activity.occurred_at
    from {{ ref('stg_crm__activities') }} as activity
    {{ join_crm_contact_customer('activity.contact_id') }}
    where not activity.is_archived
)

select
    touchpoints.customer_id,
    max(touchpoints.occurred_at) as last_activity_at,
    count(*) filter (where touchpoints.occurred_at > reference.as_of - interval 7 day) as activity_7d,
    count(*) filter (where touchpoints.occurred_at > reference.as_of - interval 30 day) as activity_30d,
    count(*) filter (where touchpoints.occurred_at > reference.as_of - interval 90 day) as activity_90d
from touchpoints
cross join reference
group by touchpoints.customer_id
