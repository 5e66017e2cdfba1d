-- One row per customer: behavioural, email, CRM, purchase, account and enrichment traits that
-- segments filter on, assembled from the per-domain models (int_customer_traits__*) and
-- int_customer_enrichment, with RFM scores and the computed lifecycle stage. Every relative window is
-- measured back from as_of (never now()), so reruns are reproducible.
with customers as (
    select
        customer_id,
        first_seen,
        last_seen,
        account_id
    from {{ ref('dim_customers') }}
),

traits as (
    select
        customers.customer_id,
        reference.as_of,
        crm.crm_owner,
        crm.crm_lifecycle_stage,
        {{ zero_when_missing('web', ['sessions', 'page_views', 'sessions_30d', 'page_views_30d']) }},
        {{ zero_when_missing('web', ['converted_sessions']) }},
        web.last_pricing_view_at,
        {{ days_between('web.last_pricing_view_at', 'reference.as_of') }} as days_since_pricing_view,
        {{ zero_when_missing('web', ['access_log_requests', 'access_log_requests_30d', 'access_log_visit_days']) }},
        web.last_access_log_request_at,
        {{ zero_when_missing('activity', ['activity_7d', 'activity_30d', 'activity_90d']) }},
        {{ zero_when_missing('email', ['email_sends', 'email_opens', 'email_clicks']) }},
        case when email.email_sends > 0 then round(email.email_opens / email.email_sends, 4) end as email_open_rate,
        case when email.email_sends > 0 then round(email.email_clicks / email.email_sends, 4) end as email_click_rate,
        coalesce(email.email_bounced, false) as email_bounced,
        coalesce(email.email_unsubscribed, false) as email_unsubscribed,
        not coalesce(email.email_unsubscribed or email.email_bounced, false)
        and coalesce(email.audience_subscribed, true) as email_consent,
        {{ zero_when_missing('crm', ['deals_open', 'deals_won', 'deals_lost']) }},
        cast(crm.avg_deal_value as decimal(18, 2)) as avg_deal_value,
        cast(coalesce(crm.open_pipeline_amount, 0) as decimal(18, 2)) as open_pipeline_amount,
        {{ zero_when_missing('commerce', ['orders', 'web_orders']) }},
        cast(coalesce(commerce.revenue, 0) as decimal(18, 2)) as revenue,
        cast(commerce.revenue / nullif(commerce.orders, 0) as decimal(18, 2)) as avg_order_value,
        commerce.first_purchase_at,
        commerce.last_purchase_at,
        {{ days_between('commerce.last_purchase_at', 'reference.as_of') }} as days_since_last_purchase,
        coalesce(commerce.orders > 0 or crm.crm_lifecycle_stage = 'customer', false) as is_customer,
        customers.account_id,
        customers.first_seen,
        coalesce(activity.last_activity_at, customers.last_seen) as last_activity_at,
        {{ days_between('coalesce(activity.last_activity_at, customers.last_seen)', 'reference.as_of') }}
            as days_since_last_activity
    from customers
    cross join (select {{ as_of() }} as as_of) as reference
    left join {{ ref('int_customer_traits__activity') }} as activity using (customer_id)
    left join {{ ref('int_customer_traits__web') }} as web using (customer_id)
    left join {{ ref('int_customer_traits__email') }} as email using (customer_id)
    left join {{ ref('int_customer_traits__crm') }} as crm using (customer_id)
    left join {{ ref('int_customer_traits__commerce') }} as commerce using (customer_id)
),

scored as (
    select
        *,
        cast(ntile(5) over (order by last_activity_at asc nulls first, customer_id) as bigint) as recency_score,
        cast(ntile(5) over (order by activity_90d, customer_id) as bigint) as frequency_score,
        cast(ntile(5) over (order by revenue, customer_id) as bigint) as monetary_score
    from traits
)

select
    customer_id,
    as_of,
    crm_owner,
    crm_lifecycle_stage,
    case
        when
            days_since_last_activity is null
            or days_since_last_activity > {{ var('lifecycle_churned_days') }} then 'churned'
        when days_since_last_activity > {{ var('lifecycle_at_risk_days') }} then 'at-risk'
        when {{ days_between('first_seen', 'as_of') }} <= {{ var('lifecycle_new_days') }} then 'new'
        when
            orders >= {{ var('lifecycle_loyal_min_orders') }}
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
    access_log_requests,
    access_log_requests_30d,
    access_log_visit_days,
    last_access_log_request_at,
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
    orders,
    web_orders,
    avg_order_value,
    first_purchase_at,
    last_purchase_at,
    days_since_last_purchase,
    cast(revenue + open_pipeline_amount * {{ var('open_deal_win_probability') }} as decimal(18, 2)) as lifetime_value,
    is_customer,
    account_id,
    last_activity_at,
    days_since_last_activity,
    recency_score,
    frequency_score,
    monetary_score,
    cast(recency_score as string)
    || cast(frequency_score as string)
    || cast(monetary_score as string) as rfm_segment,
    {{ star_except(['customer_id'], 'enrichment') }}
from scored
left join {{ ref('int_customer_enrichment') }} as enrichment using (customer_id)
