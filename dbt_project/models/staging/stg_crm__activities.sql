-- One row per CRM activity (calls, meetings, notes, emails, tasks).
select
    {{ clean_text('activity_id') }} as activity_id,
    upper({{ clean_text('activity_type') }}) as activity_type,
    {{ utc_timestamp('occurred_at') }} as occurred_at,
    {{ clean_text_columns(['contact_id', 'deal_id', 'owner', 'subject']) }},
    coalesce(cast(is_archived as boolean), false) as is_archived
from {{ source('raw_crm', 'activities') }}
qualify {{ latest_version('activity_id', 'occurred_at', 'subject') }}
