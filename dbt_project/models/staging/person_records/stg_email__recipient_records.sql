-- Each email-tool recipient (one address's id in the tool) as a person record.
select
    'email_recipient' as source,
    cast(recipient_id as varchar) as source_record_id,
    {{ latest_non_null('first_name', 'occurred_at') }} as first_name,
    {{ latest_non_null('last_name', 'occurred_at') }} as last_name,
    {{ latest_non_null('email', 'occurred_at') }} as email,
    null::varchar as phone,
    null::varchar as street,
    null::varchar as city,
    null::varchar as postcode,
    null::varchar as dob,
    null::varchar as additional_emails
from {{ source('raw_email', 'activity') }}
where recipient_id is not null
group by recipient_id
