-- Each support-desk requester as a person record: the name, address and phone of their latest
-- ticket, and every address they wrote from.
select
    'support_requester' as source,
    requester_id as source_record_id,
    {{ latest_non_null('first_name', 'updated_at') }} as first_name,
    {{ latest_non_null('last_name', 'updated_at') }} as last_name,
    {{ latest_non_null('email', 'updated_at') }} as email,
    {{ latest_non_null('phone', 'updated_at') }} as phone,
    null::varchar as street,
    null::varchar as city,
    null::varchar as postcode,
    null::varchar as dob,
    string_agg(distinct email, ';') filter (where email is not null) as additional_emails,
    list_sort(list_distinct(list(email_normalized) filter (where email_normalized is not null))) as emails,
    max(updated_at) as observed_at,
    min(created_at) as first_seen,
    max(updated_at) as last_seen
from {{ ref('stg_support__tickets') }}
where requester_id is not null
group by requester_id
