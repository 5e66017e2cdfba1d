-- Company 360: one row per CRM company with its contacts, their engagement and its deals.
-- Contacts belong to a company by company name (the CRM export carries no company id on contacts).
with companies as (
    select * from {{ ref('stg_crm__companies') }} where not is_archived
),

contacts as (
    select c.company_name, c.contact_id, m.customer_id
    from {{ ref('stg_crm__contacts') }} as c
    left join {{ ref('stg_identity__customer_map') }} as m
        on m.source = 'crm_contact' and m.source_record_id = c.contact_id
    where not c.is_archived
),

contact_stats as (
    select
        co.company_id,
        count(distinct c.contact_id) as contacts,
        count(distinct c.customer_id) as customers,
        count(distinct c.customer_id) filter (where t.activity_30d > 0) as engaged_customers_30d,
        coalesce(sum(t.sessions_30d), 0) as sessions_30d,
        coalesce(sum(t.email_opens), 0) as email_opens,
        coalesce(sum(t.email_clicks), 0) as email_clicks,
        max(t.last_activity_at) as last_activity_at
    from companies as co
    inner join contacts as c on lower(c.company_name) = lower(co.company_name)
    left join {{ ref('customer_traits') }} as t using (customer_id)
    group by co.company_id
),

deal_stats as (
    select
        company_id,
        count(*) filter (where is_open) as open_deals,
        cast(coalesce(sum(amount) filter (where is_open), 0) as decimal(18, 2)) as open_pipeline_amount,
        count(*) filter (where is_won) as won_deals,
        cast(coalesce(sum(amount) filter (where is_won), 0) as decimal(18, 2)) as won_revenue
    from {{ ref('stg_crm__deals') }}
    where company_id is not null and not is_archived
    group by company_id
)

select
    co.company_id,
    co.company_name,
    co.domain,
    co.industry,
    co.employees,
    co.city,
    co.country,
    coalesce(cs.contacts, 0) as contacts,
    coalesce(cs.customers, 0) as customers,
    coalesce(cs.engaged_customers_30d, 0) as engaged_customers_30d,
    cast(coalesce(cs.sessions_30d, 0) as bigint) as sessions_30d,
    cast(coalesce(cs.email_opens, 0) as bigint) as email_opens,
    cast(coalesce(cs.email_clicks, 0) as bigint) as email_clicks,
    coalesce(ds.open_deals, 0) as open_deals,
    coalesce(ds.open_pipeline_amount, 0) as open_pipeline_amount,
    coalesce(ds.won_deals, 0) as won_deals,
    coalesce(ds.won_revenue, 0) as won_revenue,
    cs.last_activity_at
from companies as co
left join contact_stats as cs using (company_id)
left join deal_stats as ds using (company_id)
