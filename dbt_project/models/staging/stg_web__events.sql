-- One row per tracked web event; redeliveries are kept once. A redelivery repeats the whole
-- event, timestamp included, so deduplicating on (timestamp, message_id) is equivalent to
-- message_id alone and lets a time filter from an incremental model reach the table scan
-- instead of waiting for a window over every event ever loaded. (Reading the source through an
-- import CTE defeats that pushdown in DuckDB 2.0, hence the direct select in every staging model.)
select
    {{ clean_text('message_id') }} as event_id,
    lower({{ clean_text('"type"') }}) as event_type,
    {{ clean_text('"event"') }} as event_name,
    {{ clean_text('"name"') }} as page_name,
    {{ clean_text('anonymous_id') }} as anonymous_id,
    {{ clean_text('user_id') }} as user_id,
    {{ clean_text('previous_id') }} as previous_id,
    {{ utc_timestamp('"timestamp"') }} as event_at,
    {{ clean_text('ip') }} as ip,
    {{ clean_text('user_agent') }} as user_agent,
    {{ clean_text('page_url') }} as page_url,
    {{ clean_text('page_path') }} as page_path,
    {{ clean_text('page_title') }} as page_title,
    {{ clean_text('referrer') }} as referrer,
    {{ clean_text('utm_source') }} as utm_source,
    {{ clean_text('utm_medium') }} as utm_medium,
    {{ clean_text('utm_campaign') }} as utm_campaign,
    {{ clean_text('utm_term') }} as utm_term,
    {{ clean_text('utm_content') }} as utm_content,
    {{ clean_text('mc_eid') }} as mc_eid,
    {{ clean_text('traits_email') }} as traits_email,
    lower({{ clean_text('traits_email_normalized') }}) as traits_email_normalized,
    {{ clean_text('traits_first_name') }} as traits_first_name,
    {{ clean_text('traits_last_name') }} as traits_last_name,
    {{ clean_text('traits_phone') }} as traits_phone,
    {{ optional_column(source('raw_web', 'events'), 'consent_preferences', 'json') }} as consent_preferences,
    cast(properties as varchar) as properties
from {{ source('raw_web', 'events') }}
qualify row_number() over (partition by "timestamp", message_id order by anonymous_id) = 1
