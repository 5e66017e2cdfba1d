-- The CRM company (account) each customer belongs to, and how that was decided, in this order:
-- a company on one of their CRM deals (the CRM's own association, latest deal first), the company
-- their CRM contact names (the export links contacts to companies by name only), else a work email
-- domain equal to a company's domain. Ties go to the lowest company id, so reruns agree.
with companies as (
    select
        company_id,
        lower(company_name) as company_name_key,
        domain
    from {{ ref('stg_crm__companies') }}
    where not is_archived
),

contacts as (
    select
        map.customer_id,
        contact.contact_id,
        contact.company_name
    from {{ ref('stg_crm__contacts') }} as contact
    {{ join_crm_contact_customer('contact.contact_id') }}
    where not contact.is_archived
),

by_deal as (
    select
        contacts.customer_id,
        deal.company_id,
        1 as link_rank,
        'crm_deal' as account_source,
        deal.updated_at as linked_at
    from {{ ref('stg_crm__deals') }} as deal
    inner join contacts using (contact_id)
    inner join companies using (company_id)
    where not deal.is_archived
),

by_contact_company as (
    select
        contacts.customer_id,
        companies.company_id,
        2 as link_rank,
        'crm_contact_company' as account_source,
        null::timestamp as linked_at
    from contacts
    inner join companies on companies.company_name_key = lower(contacts.company_name)
),

by_email_domain as (
    select
        records.customer_id,
        companies.company_id,
        3 as link_rank,
        'email_domain' as account_source,
        records.last_seen as linked_at
    from {{ ref('int_customer_records') }} as records
    {{ join_asserted_emails('records', 'asserted') }}
    inner join companies on companies.domain = lower(split_part(trim(asserted.email), '@', 2))
),

links as (
    select * from by_deal
    union all
    select * from by_contact_company
    union all
    select * from by_email_domain
)

select
    customer_id,
    company_id as account_id,
    account_source
from links
qualify row_number() over (
    partition by customer_id order by link_rank, linked_at desc nulls last, company_id
) = 1
