-- Each browser (anonymous id) as a person record. A device only keeps traits identified before
-- login; after login they belong to the user id, which the device is linked to deterministically.
select
    'web_anonymous_id' as source,
    cast(anonymous_id as varchar) as source_record_id,
    {{ latest_non_null('traits_first_name', '"timestamp"', 'user_id is null') }} as first_name,
    {{ latest_non_null('traits_last_name', '"timestamp"', 'user_id is null') }} as last_name,
    {{ latest_non_null('traits_email', '"timestamp"', 'user_id is null') }} as email,
    {{ latest_non_null('traits_phone', '"timestamp"', 'user_id is null') }} as phone,
    null::varchar as street,
    null::varchar as city,
    null::varchar as postcode,
    null::varchar as dob,
    string_agg(distinct traits_email, ';') filter (where traits_email is not null and user_id is null)
        as additional_emails
from {{ source('raw_web', 'events') }}
where anonymous_id is not null
group by anonymous_id
