-- One row per customer: the golden record (survivorship var), where each value came from,
-- the account (CRM company) they belong to, when the customer was first and last seen, and how
-- many source records stand behind them. The address's parts all come from the record that won
-- `address`, named in address_source.
{% set attributes = ['first_name', 'last_name', 'email', 'phone', 'company_name', 'date_of_birth', 'address'] %}
{% set address_parts = ['street', 'city', 'postcode', 'region', 'country'] %}
with customers as (
    select
        customer_id,
        min(first_seen) as first_seen,
        max(last_seen) as last_seen,
        count(*) filter (where source = 'crm_contact') as crm_contact_records,
        count(*) filter (where source = 'web_anonymous_id') as web_anonymous_id_records,
        count(*) filter (where source = 'web_user_id') as web_user_id_records,
        count(*) filter (where source = 'email_recipient') as email_recipient_records,
        count(*) as source_records
    from {{ ref('int_customer_records') }}
    group by customer_id
),

golden as (
    select
        {%- for attribute in attributes %}
        max(value) filter (where attribute = '{{ attribute }}') as {{ attribute }},
        max(source) filter (where attribute = '{{ attribute }}') as {{ attribute }}_record_source,
        max(source_record_id) filter (where attribute = '{{ attribute }}') as {{ attribute }}_record_id,
        {%- endfor %}
        customer_id
    from {{ ref('int_customer_golden_attributes') }}
    group by customer_id
)

select
    customers.customer_id,
    {%- for attribute in attributes if attribute not in ['address', 'date_of_birth'] %}
    golden.{{ attribute }},
    {%- endfor %}
    {%- for part in address_parts %}
    address.{{ part }},
    {%- endfor %}
    cast(golden.date_of_birth as date) as date_of_birth,
    {%- for attribute in attributes %}
    golden.{{ attribute }}_record_source || ':' || golden.{{ attribute }}_record_id as {{ attribute }}_source,
    {%- endfor %}
    account.account_id,
    account.account_source,
    customers.first_seen,
    customers.last_seen,
    customers.crm_contact_records,
    customers.web_anonymous_id_records,
    customers.web_user_id_records,
    customers.email_recipient_records,
    customers.source_records,
    (
        customers.crm_contact_records + customers.web_user_id_records + customers.email_recipient_records > 0
        or golden.email is not null
    ) as is_identified
from customers
left join golden using (customer_id)
left join {{ ref('int_customer_records') }} as address
    on address.customer_id = customers.customer_id
    and address.source = golden.address_record_source
    and address.source_record_id = golden.address_record_id
left join {{ ref('int_customer_accounts') }} as account on account.customer_id = customers.customer_id
