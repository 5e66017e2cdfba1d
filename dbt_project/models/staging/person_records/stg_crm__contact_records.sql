-- Each CRM contact (its latest version) as a person record: what identity matches on.
select
    'crm_contact' as source,
    cast(contact_id as varchar) as source_record_id,
    cast(first_name as varchar) as first_name,
    cast(last_name as varchar) as last_name,
    cast(email as varchar) as email,
    cast(phone as varchar) as phone,
    cast(street as varchar) as street,
    cast(city as varchar) as city,
    cast(postal_code as varchar) as postcode,
    cast(date_of_birth as varchar) as dob,
    cast(additional_emails as varchar) as additional_emails
from {{ source('raw_crm', 'contacts') }}
where contact_id is not null
qualify row_number() over (partition by contact_id order by updated_at desc nulls last) = 1
