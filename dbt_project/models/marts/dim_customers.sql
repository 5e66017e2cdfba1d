-- One row per customer: the golden record (survivorship var), where each value came from,
-- when the customer was first and last seen, and how many source records stand behind them.
{% set attributes = ['first_name', 'last_name', 'email', 'phone', 'company_name'] %}
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
        customer_id,
        {%- for attribute in attributes %}
        max(value) filter (where attribute = '{{ attribute }}') as {{ attribute }},
        max(source || ':' || source_record_id) filter (where attribute = '{{ attribute }}') as {{ attribute }}_source{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_customer_golden_attributes') }}
    group by customer_id
)

select
    c.customer_id,
    {%- for attribute in attributes %}
    g.{{ attribute }},
    {%- endfor %}
    {%- for attribute in attributes %}
    g.{{ attribute }}_source,
    {%- endfor %}
    c.first_seen,
    c.last_seen,
    c.crm_contact_records,
    c.web_anonymous_id_records,
    c.web_user_id_records,
    c.email_recipient_records,
    c.source_records,
    (c.crm_contact_records + c.web_user_id_records + c.email_recipient_records > 0
        or g.email is not null) as is_identified
from customers as c
left join golden as g using (customer_id)
