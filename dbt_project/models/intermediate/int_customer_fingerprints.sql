-- One fingerprint (md5 of the row) per input a customer-level model reads, with the customer it
-- belongs to now: every customer_map record with its attributes and first/last seen (which move
-- with new sessions, messages and CRM activity), every CRM deal and activity by its contact's
-- customer, each customer's enrichment inputs (golden email, phone and address: the enrichment
-- repeats its lookups only when these change), and the CRM companies and email campaigns (no
-- customer: they are shared). Compared with the fingerprints of the last build
-- (int_customer_build_state) by int_changed_customers.
with crm_contacts as (
    select
        source_record_id as contact_id,
        customer_id
    from {{ ref('stg_identity__customer_map') }}
    where source = 'crm_contact'
)

select
    records.customer_id,
    records.source,
    records.source_record_id,
    md5(records::varchar) as fingerprint
from {{ ref('int_customer_records') }} as records
union all
select
    contact.customer_id,
    'crm_deal' as source,
    deal.deal_id as source_record_id,
    md5(deal::varchar) as fingerprint
from {{ ref('stg_crm__deals') }} as deal
left join crm_contacts as contact using (contact_id)
union all
select
    contact.customer_id,
    'crm_activity' as source,
    activity.activity_id as source_record_id,
    md5(activity::varchar) as fingerprint
from {{ ref('stg_crm__activities') }} as activity
left join crm_contacts as contact using (contact_id)
union all
select
    customers.customer_id,
    'enrichment_inputs' as source,
    customers.customer_id as source_record_id,
    md5(
        [customers.email, customers.phone, customers.postcode, customers.city, customers.country]::varchar
    ) as fingerprint
from {{ ref('dim_customers') }} as customers
union all
select
    null as customer_id,
    'crm_company' as source,
    company.company_id as source_record_id,
    md5(company::varchar) as fingerprint
from {{ ref('stg_crm__companies') }} as company
union all
select
    null as customer_id,
    'email_campaign' as source,
    campaign.campaign_id as source_record_id,
    md5(campaign::varchar) as fingerprint
from {{ ref('stg_email__campaigns') }} as campaign
