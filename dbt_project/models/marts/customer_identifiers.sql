{{ config(**changed_customers_config()) }}
-- Every identifier a customer has, one row per identifier and source record that carries it:
-- all email addresses (lower-cased), phones in E.164, and the ids of the CRM contacts, web users,
-- web devices and email recipients behind the customer. They come from the customer's records
-- alone, so only changed customers are rebuilt (macros/changed_customers.sql).
with records as (
    select * from {{ ref('int_customer_records') }}
    where {{ is_changed_customer() }}
),

emails as (
    select
        records.customer_id,
        'email' as identifier_type,
        lower(trim(asserted.email)) as identifier_value,
        records.source,
        records.source_record_id,
        records.first_seen,
        records.last_seen
    from records
    {{ join_asserted_emails('records', 'asserted') }}
    where nullif(trim(asserted.email), '') is not null
),

phones as (
    select
        customer_id,
        'phone' as identifier_type,
        phone as identifier_value,
        source,
        source_record_id,
        first_seen,
        last_seen
    from records
    where phone is not null
),

record_ids as (
    select
        customer_id,
        case source
            when 'crm_contact' then 'crm_contact_id'
            when 'email_recipient' then 'email_recipient_id'
            when 'email_subscriber' then 'email_subscriber_id'
            else source
        end as identifier_type,
        source_record_id as identifier_value,
        source,
        source_record_id,
        first_seen,
        last_seen
    from records
),

identifiers as (
    select * from emails
    union all
    select * from phones
    union all
    select * from record_ids
)

select
    customer_id,
    identifier_type,
    identifier_value,
    source,
    source_record_id,
    min(first_seen) as first_seen,
    max(last_seen) as last_seen
from identifiers
group by customer_id, identifier_type, identifier_value, source, source_record_id
