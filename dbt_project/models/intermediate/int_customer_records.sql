-- Every customer_map record with what its source asserts (int_source_records): the candidates
-- survivorship picks the golden record from. Phones in E.164 (int_phone_numbers; the number as
-- typed stays beside it, so a number that does not parse is counted, not lost). A table, rebuilt
-- each run, because identity may move any record to another customer.
select
    map.customer_id,
    map.source,
    map.source_record_id,
    record.first_name,
    record.last_name,
    record.email,
    record.emails,
    phone.phone_e164 as phone,
    record.phone as phone_as_entered,
    record.company_name,
    record.street,
    record.city,
    record.postcode,
    record.region,
    record.country,
    record.date_of_birth,
    record.observed_at,
    record.first_seen,
    record.last_seen
from {{ ref('stg_identity__customer_map') }} as map
left join {{ ref('int_source_records') }} as record using (source, source_record_id)
left join {{ ref('int_phone_numbers') }} as phone
    on phone.source = record.source
    and phone.source_record_id = record.source_record_id
    and phone.phone_as_entered = record.phone  -- a number the record no longer asserts never counts
