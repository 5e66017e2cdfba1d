-- One fingerprint (md5 of the row) per input a customer-level model reads, with the customer it
-- belongs to now: every customer_map record with its attributes and first/last seen (which move
-- with new sessions, messages and CRM activity), every CRM deal and activity by its contact's
-- customer, each customer's enrichment inputs (golden email, phone and address: the enrichment
-- repeats its lookups only when these change), and the CRM companies and email campaigns (no
-- customer: they are shared). Compared with the fingerprints of the last build
-- (int_customer_build_state) by int_changed_customers.
{%- set contact_inputs = {
    'crm_deal': ['stg_crm__deals', 'deal_id'],
    'crm_activity': ['stg_crm__activities', 'activity_id'],
} %}
{%- set shared_inputs = {
    'crm_company': ['stg_crm__companies', 'company_id'],
    'email_campaign': ['stg_email__campaigns', 'campaign_id'],
} %}
select
    records.customer_id,
    records.source,
    records.source_record_id,
    {{ row_fingerprint('records') }} as fingerprint
from {{ ref('int_customer_records') }} as records
union all
select
    customers.customer_id,
    'enrichment_inputs' as source,
    customers.customer_id as source_record_id,
    {{ values_fingerprint([
        'customers.email', 'customers.phone', 'customers.postcode', 'customers.city', 'customers.country'
    ]) }} as fingerprint
from {{ ref('dim_customers') }} as customers
{%- for source, (model, key) in contact_inputs.items() %}
union all
select
    contact.customer_id,
    '{{ source }}' as source,
    input.{{ key }} as source_record_id,
    {{ row_fingerprint('input') }} as fingerprint
from {{ ref(model) }} as input
left join {{ ref('stg_identity__customer_map') }} as contact
    on contact.source = 'crm_contact' and contact.source_record_id = input.contact_id
{%- endfor %}
{%- for source, (model, key) in shared_inputs.items() %}
union all
select
    null as customer_id,
    '{{ source }}' as source,
    input.{{ key }} as source_record_id,
    {{ row_fingerprint('input') }} as fingerprint
from {{ ref(model) }} as input
{%- endfor %}
