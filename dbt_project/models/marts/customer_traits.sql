-- One row per customer: behavioural, email, CRM, value and enrichment traits that segments filter on.
-- Every relative window is measured back from as_of (never now()), so reruns are reproducible.
with customers as (
    select customer_id, first_seen, last_seen from {{ ref('dim_customers') }}
),

reference as (
    select {{ as_of() }} as as_of
),

sessions as (
    select * from {{ ref('int_web_sessions_by_customer') }} where customer_id is not null
),

email as (
    select * from {{ ref('int_email_engagement') }} where customer_id is not null
),

crm_contacts as (
    select m.customer_id, c.*
    from {{ ref('stg_crm__contacts') }} as c
    inner join {{ ref('stg_identity__customer_map') }} as m
        on m.source = 'crm_contact' and m.source_record_id = c.contact_id
),

crm_activities as (
    select c.customer_id, a.occurred_at
    from {{ ref('stg_crm__activities') }} as a
    inner join crm_contacts as c using (contact_id)
    where not a.is_archived
),

deals as (
    select c.customer_id, d.*
    from {{ ref('stg_crm__deals') }} as d
    inner join crm_contacts as c using (contact_id)
    where not d.is_archived
),

touchpoints as (
    select customer_id, session_start as occurred_at from sessions
    union all
    select customer_id, last_engaged_at from email where last_engaged_at is not null
    union all
    select customer_id, occurred_at from crm_activities
),

activity as (
    select
        t.customer_id,
        max(t.occurred_at) as last_activity_at,
        count(*) filter (where t.occurred_at > r.as_of - interval 7 day) as activity_7d,
        count(*) filter (where t.occurred_at > r.as_of - interval 30 day) as activity_30d,
        count(*) filter (where t.occurred_at > r.as_of - interval 90 day) as activity_90d
    from touchpoints as t, reference as r
    group by t.customer_id
),

web as (
    select
        s.customer_id,
        count(*) as sessions,
        cast(sum(s.page_views) as bigint) as page_views,
        count(*) filter (where s.session_start > r.as_of - interval 30 day) as sessions_30d,
        cast(sum(s.page_views) filter (where s.session_start > r.as_of - interval 30 day) as bigint) as page_views_30d,
        count(*) filter (where s.converted) as converted_sessions,
        max(s.session_start) filter (where s.pricing_page_views > 0) as last_pricing_view_at
    from sessions as s, reference as r
    group by s.customer_id
),

email_stats as (
    select
        customer_id,
        count(*) filter (where sent_at is not null) as email_sends,
        count(*) filter (where opens > 0) as email_opens,
        count(*) filter (where clicks > 0) as email_clicks,
        bool_or(hard_bounced) as email_bounced,
        bool_or(unsubscribed or reported_spam) as email_unsubscribed
    from email
    group by customer_id
),

deal_stats as (
    select
        customer_id,
        count(*) filter (where is_open) as deals_open,
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where is_lost) as deals_lost,
        coalesce(sum(amount) filter (where is_won), 0) as revenue,
        avg(amount) filter (where is_won) as avg_deal_value,
        coalesce(sum(amount) filter (where is_open), 0) as open_pipeline_amount
    from deals
    group by customer_id
),

crm_profile as (
    select
        customer_id,
        arg_max(owner, updated_at) as crm_owner,
        arg_max(lifecycle_stage, updated_at) as crm_lifecycle_stage
    from crm_contacts
    group by customer_id
),

traits as (
    select
        c.customer_id,
        r.as_of,
        p.crm_owner,
        p.crm_lifecycle_stage,
        coalesce(w.sessions, 0) as sessions,
        coalesce(w.page_views, 0) as page_views,
        coalesce(w.sessions_30d, 0) as sessions_30d,
        coalesce(w.page_views_30d, 0) as page_views_30d,
        coalesce(w.converted_sessions, 0) as converted_sessions,
        w.last_pricing_view_at,
        date_diff('day', w.last_pricing_view_at, r.as_of) as days_since_pricing_view,
        coalesce(a.activity_7d, 0) as activity_7d,
        coalesce(a.activity_30d, 0) as activity_30d,
        coalesce(a.activity_90d, 0) as activity_90d,
        coalesce(e.email_sends, 0) as email_sends,
        coalesce(e.email_opens, 0) as email_opens,
        coalesce(e.email_clicks, 0) as email_clicks,
        case when e.email_sends > 0 then round(e.email_opens / e.email_sends, 4) end as email_open_rate,
        case when e.email_sends > 0 then round(e.email_clicks / e.email_sends, 4) end as email_click_rate,
        coalesce(e.email_bounced, false) as email_bounced,
        coalesce(e.email_unsubscribed, false) as email_unsubscribed,
        not coalesce(e.email_unsubscribed or e.email_bounced, false) as email_consent,
        coalesce(d.deals_open, 0) as deals_open,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.deals_lost, 0) as deals_lost,
        cast(coalesce(d.revenue, 0) as decimal(18, 2)) as revenue,
        cast(d.avg_deal_value as decimal(18, 2)) as avg_deal_value,
        cast(coalesce(d.open_pipeline_amount, 0) as decimal(18, 2)) as open_pipeline_amount,
        coalesce(d.deals_won > 0 or p.crm_lifecycle_stage = 'customer', false) as is_customer,
        c.first_seen,
        coalesce(a.last_activity_at, c.last_seen) as last_activity_at,
        date_diff('day', coalesce(a.last_activity_at, c.last_seen), r.as_of) as days_since_last_activity
    from customers as c
    cross join reference as r
    left join activity as a using (customer_id)
    left join web as w using (customer_id)
    left join email_stats as e using (customer_id)
    left join deal_stats as d using (customer_id)
    left join crm_profile as p using (customer_id)
),

scored as (
    select
        *,
        ntile(5) over (order by last_activity_at asc nulls first, customer_id) as recency_score,
        ntile(5) over (order by activity_90d, customer_id) as frequency_score,
        ntile(5) over (order by revenue, customer_id) as monetary_score
    from traits
)

select
    customer_id,
    as_of,
    crm_owner,
    crm_lifecycle_stage,
    case
        when days_since_last_activity is null
            or days_since_last_activity > {{ var('lifecycle_churned_days') }} then 'churned'
        when days_since_last_activity > {{ var('lifecycle_at_risk_days') }} then 'at-risk'
        when date_diff('day', first_seen, as_of) <= {{ var('lifecycle_new_days') }} then 'new'
        when deals_won >= {{ var('lifecycle_loyal_min_won_deals') }}
            or activity_90d >= {{ var('lifecycle_loyal_min_activity_90d') }} then 'loyal'
        else 'active'
    end as lifecycle_stage,
    sessions,
    page_views,
    sessions_30d,
    page_views_30d,
    converted_sessions,
    last_pricing_view_at,
    days_since_pricing_view,
    activity_7d,
    activity_30d,
    activity_90d,
    email_sends,
    email_opens,
    email_clicks,
    email_open_rate,
    email_click_rate,
    email_bounced,
    email_unsubscribed,
    email_consent,
    deals_open,
    deals_won,
    deals_lost,
    revenue,
    avg_deal_value,
    open_pipeline_amount,
    cast(revenue + open_pipeline_amount * {{ var('open_deal_win_probability') }} as decimal(18, 2)) as lifetime_value,
    is_customer,
    last_activity_at,
    days_since_last_activity,
    recency_score,
    frequency_score,
    monetary_score,
    cast(recency_score as varchar) || cast(frequency_score as varchar) || cast(monetary_score as varchar) as rfm_segment,
    enrichment.* exclude (customer_id)
from scored
left join {{ ref('int_customer_enrichment') }} as enrichment using (customer_id)
