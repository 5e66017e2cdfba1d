-- The surviving value of each golden-record attribute per customer, with the record it came from:
-- best source rank first (survivorship var), then the most recently observed non-null value.
-- The address competes as one value (its parts joined), so all its parts come from one record.
with records as (
    select
        customer_id,
        source,
        source_record_id,
        observed_at,
        first_name,
        last_name,
        email,
        phone,
        company_name,
        nullif(concat_ws(', ', street, city, postcode, region, country), '') as address,
        cast(date_of_birth as string) as date_of_birth
    from {{ ref('int_customer_records') }}
),

candidates as (
    select * from records
    unpivot (value for attribute in (first_name, last_name, email, phone, company_name, address, date_of_birth))
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

select {{ star_except(['source_rank']) }}
from ranked
where source_rank is not null
qualify row_number() over (
    partition by customer_id, attribute
    order by source_rank, observed_at desc nulls last, source, source_record_id
) = 1
