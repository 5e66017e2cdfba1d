-- One row per email activity (send, open, click, bounce, unsubscribe, spam report).
-- activity_id hashes the row's business key, timestamp included, so partitioning the dedup by
-- (occurred_at, activity_id) changes nothing but lets incremental time filters reach the scan.
select
    {{ clean_text_columns(['activity_id', 'recipient_id']) }},
    {{ email_columns() }},
    {{ clean_text_columns(['first_name', 'last_name', 'campaign_id']) }},
    {{ lower_text('action') }} as action,
    {{ utc_timestamp('occurred_at') }} as occurred_at,
    {{ clean_text('url') }} as url,
    {{ lower_text('bounce_type') }} as bounce_type
from {{ source('raw_email', 'activity') }}
qualify row_number() over (partition by occurred_at, activity_id order by recipient_id) = 1
