-- One row per email activity (send, open, click, bounce, unsubscribe, spam report).
-- activity_id hashes the row's business key, timestamp included, so partitioning the dedup by
-- (occurred_at, activity_id) changes nothing but lets incremental time filters reach the scan.
select
    {{ clean_text('activity_id') }} as activity_id,
    {{ clean_text('recipient_id') }} as recipient_id,
    {{ clean_text('email') }} as email,
    lower({{ clean_text('email_normalized') }}) as email_normalized,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('campaign_id') }} as campaign_id,
    lower({{ clean_text('action') }}) as action,
    {{ utc_timestamp('occurred_at') }} as occurred_at,
    {{ clean_text('url') }} as url,
    lower({{ clean_text('bounce_type') }}) as bounce_type
from {{ source('raw_email', 'activity') }}
qualify row_number() over (partition by occurred_at, activity_id order by recipient_id) = 1
