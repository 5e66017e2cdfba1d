-- One row per CRM activity (calls, meetings, notes, emails, tasks).
select
    {{ clean_text('activity_id') }} as activity_id,
    upper({{ clean_text('activity_type') }}) as activity_type,
    {{ utc_timestamp('occurred_at') }} as occurred_at,
    {{ clean_text('contact_id') }} as contact_id,
    {{ clean_text('deal_id') }} as deal_id,
    {{ clean_text('owner') }} as owner,
    {{ clean_text('subject') }} as subject,
    coalesce(cast(is_archived as boolean), false) as is_archived
from {{ source('raw_crm', 'activities') }}
qualify row_number() over (
    partition by {{ clean_text('activity_id') }}
    order by {{ utc_timestamp('occurred_at') }} desc nulls last, subject
) = 1
