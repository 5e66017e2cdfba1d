-- Each logged-in web user as a person record. Identify traits are the only person attributes a
-- web identity carries: the latest wins for matching, while every address it identified with
-- counts for exact-email stitching (additional_emails).
select
    'web_user_id' as source,
    cast(user_id as varchar) as source_record_id,
    {{ latest_non_null('traits_first_name', '"timestamp"') }} as first_name,
    {{ latest_non_null('traits_last_name', '"timestamp"') }} as last_name,
    {{ latest_non_null('traits_email', '"timestamp"') }} as email,
    {{ latest_non_null('traits_phone', '"timestamp"') }} as phone,
    null::varchar as street,
    null::varchar as city,
    null::varchar as postcode,
    null::varchar as dob,
    string_agg(distinct traits_email, ';') filter (where traits_email is not null) as additional_emails
from {{ source('raw_web', 'events') }}
where user_id is not null
group by user_id
