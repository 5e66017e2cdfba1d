-- One row per CRM contact: its latest version, typed and trimmed.
select
    {{ clean_text('contact_id') }} as contact_id,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('email') }} as email,
    lower({{ clean_text('email_normalized') }}) as email_normalized,
    list_filter(
        list_transform(string_split(coalesce(cast(additional_emails as varchar), ''), ';'), lambda x: trim(x)),
        lambda x: x <> ''
    ) as additional_emails,
    {{ clean_text('phone') }} as phone,
    {{ clean_text('company_name') }} as company_name,
    {{ clean_text('job_title') }} as job_title,
    {{ clean_text('street') }} as street,
    {{ clean_text('city') }} as city,
    {{ clean_text('postal_code') }} as postal_code,
    {{ optional_column(source('raw_crm', 'contacts'), 'region') }} as region,
    {{ optional_column(source('raw_crm', 'contacts'), 'country') }} as country,
    try_cast(date_of_birth as date) as date_of_birth,
    lower({{ clean_text('lifecycle_stage') }}) as lifecycle_stage,
    {{ clean_text('owner') }} as owner,
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    coalesce(cast(is_archived as boolean), false) as is_archived,
    {{ optional_column(source('raw_crm', 'contacts'), 'email_opt_out', 'boolean') }} as email_opt_out,
    {{ optional_column(source('raw_crm', 'contacts'), 'do_not_call', 'boolean') }} as do_not_call
from {{ source('raw_crm', 'contacts') }}
qualify row_number() over (
    partition by {{ clean_text('contact_id') }}
    order by {{ utc_timestamp('updated_at') }} desc nulls last, email, phone
) = 1
