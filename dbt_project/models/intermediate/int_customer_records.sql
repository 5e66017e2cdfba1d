-- Every customer_map record with what its source asserts (int_source_records): the candidates
-- survivorship picks the golden record from. A table, rebuilt each run, because identity may
-- move any record to another customer.
select
    m.customer_id,
    m.source,
    m.source_record_id,
    r.first_name,
    r.last_name,
    r.email,
    r.phone,
    r.company_name,
    r.observed_at,
    r.first_seen,
    r.last_seen
from {{ ref('stg_identity__customer_map') }} as m
left join {{ ref('int_source_records') }} as r using (source, source_record_id)
