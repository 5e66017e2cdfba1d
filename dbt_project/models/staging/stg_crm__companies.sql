-- One row per CRM company: its latest version.
select
    {{ clean_text('company_id') }} as company_id,
    {{ clean_text('name') }} as company_name,
    {{ web_domain(clean_text('domain')) }} as domain,
    {{ clean_text('industry') }} as industry,
    try_cast(employees as integer) as employees,
    {{ clean_text_columns(['city', 'country']) }},
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    coalesce(cast(is_archived as boolean), false) as is_archived
from {{ source('raw_crm', 'companies') }}
qualify {{ latest_version('company_id', 'updated_at', 'name') }}
