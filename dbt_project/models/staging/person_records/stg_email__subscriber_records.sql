-- Each email tool's subscriber (Mailchimp audience member, Klaviyo profile) as a person record:
-- one per tool and address.
select
    'email_subscriber' as source,
    cast(subscriber_key as varchar) as source_record_id,
    cast(first_name as varchar) as first_name,
    cast(last_name as varchar) as last_name,
    cast(email as varchar) as email,
    cast(phone as varchar) as phone,
    cast(coalesce(street, address) as varchar) as street,
    cast(city as varchar) as city,
    cast(postal_code as varchar) as postcode,
    null::varchar as dob,
    null::varchar as additional_emails
from {{ source('raw_email', 'audience') }}
where subscriber_key is not null
