-- The surviving value of each golden-record attribute per customer, with the record it came from:
-- best source rank first (survivorship var), then the most recently observed non-null value.
with records as (
    select * from {{ ref('int_customer_records') }}
),

candidates as (
    unpivot records
    on first_name, last_name, email, phone, company_name
    into name attribute value value
),

ranked as (
    select
        customer_id,
        attribute,
        value,
        source,
        source_record_id,
        observed_at,
        {{ survivorship_rank('attribute', 'source') }} as source_rank
    from candidates
    where value is not null
)

select customer_id, attribute, value, source, source_record_id, observed_at
from ranked
where source_rank is not null
qualify row_number() over (
    partition by customer_id, attribute
    order by source_rank, observed_at desc nulls last, source, source_record_id
) = 1
