-- One row per email campaign.
select
    {{ clean_text('campaign_id') }} as campaign_id,
    {{ clean_text('campaign_name') }} as campaign_name,
    {{ clean_text('subject') }} as subject,
    {{ utc_timestamp('sent_at') }} as sent_at
from {{ source('raw_email', 'campaigns') }}
qualify row_number() over (
    partition by {{ clean_text('campaign_id') }} order by {{ utc_timestamp('sent_at') }} desc nulls last
) = 1
