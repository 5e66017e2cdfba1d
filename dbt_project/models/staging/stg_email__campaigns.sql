-- One row per email campaign.
select
    {{ clean_text_columns(['campaign_id', 'campaign_name', 'subject']) }},
    {{ utc_timestamp('sent_at') }} as sent_at
from {{ source('raw_email', 'campaigns') }}
qualify {{ latest_version('campaign_id', 'sent_at') }}
