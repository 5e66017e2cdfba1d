-- CRM traits per customer: owner and lifecycle stage of their latest contact version, and their
-- deals (open, won, lost, open pipeline).
with crm_contacts as (
    select
        map.customer_id,
        contact.*
    from {{ ref('stg_crm__contacts') }} as contact
    {{ join_crm_contact_customer('contact.contact_id') }}
),

deals as (
    select
        crm_contacts.customer_id,
        deal.*
    from {{ ref('stg_crm__deals') }} as deal
    inner join crm_contacts using (contact_id)
    where not deal.is_archived
),

crm_profile as (
    select
        customer_id,
        {{ value_at_max('owner', 'updated_at') }} as crm_owner,
        {{ value_at_max('lifecycle_stage', 'updated_at') }} as crm_lifecycle_stage
    from crm_contacts
    group by customer_id
),

deal_stats as (
    select
        customer_id,
        count(*) filter (where is_open) as deals_open,
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where is_lost) as deals_lost,
        avg(amount) filter (where is_won) as avg_deal_value,
        coalesce(sum(amount) filter (where is_open), 0) as open_pipeline_amount
    from deals
    group by customer_id
)

select
    customer_id,
    crm_profile.crm_owner,
    crm_profile.crm_lifecycle_stage,
    {{ star_except(['customer_id'], 'deal_stats') }}
from crm_profile
left join deal_stats using (customer_id)
