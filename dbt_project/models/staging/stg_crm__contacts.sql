-- One row per CRM contact: its latest version, typed and trimmed.
select
    {{ clean_text_columns(['contact_id', 'first_name', 'last_name']) }},
    {{ email_columns() }},
    {{ list_transform_filter(
        split_text("coalesce(cast(additional_emails as string), '')", ';'), 'trim(x)', "x <> ''"
    ) }} as additional_emails,
    {{ clean_text_columns(['phone', 'company_name', 'job_title', 'street', 'city', 'postal_code']) }},
    {{ optional_column(source('raw_crm', 'contacts'), 'region') }} as region,
    {{ optional_column(source('raw_crm', 'contacts'), 'country') }} as country,
    try_cast(date_of_birth as date) as date_of_birth,
    {{ lower_text('lifecycle_stage') }} as lifecycle_stage,
    {{ clean_text('owner') }} as owner,
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    coalesce(cast(is_archived as boolean), false) as is_archived,
    {{ optional_column(source('raw_crm', 'contacts'), 'email_opt_out', 'boolean') }} as email_opt_out,
    {{ optional_column(source('raw_crm', 'contacts'), 'do_not_call', 'boolean') }} as do_not_call
from {{ source('raw_crm', 'contacts') }}
qualify {{ latest_version('contact_id', 'updated_at', 'email, phone') }}
