-- Account (company) 360: one row per CRM company with the people who belong to it
-- (int_customer_accounts: deal association, contact's company, else work email domain), their
-- engagement, web visits and purchases, and the company's own deals.
with companies as (
    select * from {{ ref('stg_crm__companies') }}
    where not is_archived
),

people as (
    select
        account.account_id as company_id,
        traits.*
    from {{ ref('int_customer_accounts') }} as account
    inner join {{ ref('customer_traits') }} as traits using (customer_id)
),

people_stats as (
    select
        company_id,
        count(*) as customers,
        count(*) filter (where activity_30d > 0) as engaged_customers_30d,
        sum(sessions) as sessions,
        sum(sessions_30d) as sessions_30d,
        sum(access_log_requests) as access_log_requests,
        sum(email_opens) as email_opens,
        sum(email_clicks) as email_clicks,
        sum(orders) as orders,
        sum(revenue) as order_revenue,
        max(last_activity_at) as last_activity_at
    from people
    group by company_id
),

contact_stats as (
    select
        account.account_id as company_id,
        count(distinct contact.contact_id) as contacts
    from {{ ref('stg_crm__contacts') }} as contact
    {{ join_crm_contact_customer('contact.contact_id') }}
    inner join {{ ref('int_customer_accounts') }} as account using (customer_id)
    where not contact.is_archived
    group by account.account_id
),

deal_stats as (
    select
        company_id,
        count(*) filter (where is_open) as open_deals,
        cast(coalesce(sum(amount) filter (where is_open), 0) as decimal(18, 2)) as open_pipeline_amount,
        count(*) filter (where is_won) as won_deals,
        cast(coalesce(sum(amount) filter (where is_won), 0) as decimal(18, 2)) as won_revenue,
        max(updated_at) as last_deal_update_at
    from {{ ref('stg_crm__deals') }}
    where company_id is not null and not is_archived
    group by company_id
)

select
    companies.company_id,
    companies.company_name,
    companies.domain,
    companies.industry,
    companies.employees,
    companies.city,
    companies.country,
    {{ zero_when_missing('contact_stats', ['contacts']) }},
    {{ zero_when_missing('people_stats', ['customers', 'engaged_customers_30d']) }},
    cast(coalesce(people_stats.sessions, 0) as bigint) as sessions,
    cast(coalesce(people_stats.sessions_30d, 0) as bigint) as sessions_30d,
    cast(coalesce(people_stats.access_log_requests, 0) as bigint) as access_log_requests,
    cast(coalesce(people_stats.email_opens, 0) as bigint) as email_opens,
    cast(coalesce(people_stats.email_clicks, 0) as bigint) as email_clicks,
    {{ zero_when_missing('deal_stats', ['open_deals', 'open_pipeline_amount', 'won_deals', 'won_revenue']) }},
    cast(coalesce(people_stats.orders, 0) as bigint) as orders,
    cast(coalesce(people_stats.order_revenue, 0) as decimal(18, 2)) as order_revenue,
    greatest(people_stats.last_activity_at, deal_stats.last_deal_update_at) as last_activity_at
from companies
left join contact_stats using (company_id)
left join people_stats using (company_id)
left join deal_stats using (company_id)
