-- One row per email activity (send, open, click, bounce, unsubscribe, spam report). Repeated rows
-- are dropped once, by the loader's merge on activity_id (the hash of the row's business key),
-- which the source's `unique` test checks; no second deduplication over the whole history here.
select
    {{ clean_text_columns(['activity_id', 'recipient_id']) }},
    {{ email_columns() }},
    {{ clean_text_columns(['first_name', 'last_name', 'campaign_id']) }},
    {{ lower_text('action') }} as action,
    {{ utc_timestamp('occurred_at') }} as occurred_at,
    {{ clean_text('url') }} as url,
    {{ lower_text('bounce_type') }} as bounce_type
from {{ source('raw_email', 'activity') }}
