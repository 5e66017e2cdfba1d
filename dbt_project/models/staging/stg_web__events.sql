-- One row per tracked web event. Redeliveries are dropped once, where it is cheapest: the loader
-- merges raw_web.events on message_id (ingestion/sources.py), and the source's `unique` test says
-- so on every build. A second deduplication here was a window over every event ever loaded, paid
-- by every model and identity read that aggregates whole histories (4.4 s against 0.7 s for the
-- device records at 10M events).
select
    {{ clean_text('message_id') }} as event_id,
    {{ lower_text(adapter.quote('type')) }} as event_type,
    {{ clean_text(adapter.quote('event')) }} as event_name,
    {{ clean_text(adapter.quote('name')) }} as page_name,
    {{ clean_text_columns(['anonymous_id', 'user_id', 'previous_id']) }},
    {{ utc_timestamp(adapter.quote('timestamp')) }} as event_at,
    {{ clean_text_columns(['ip', 'user_agent', 'page_url', 'page_path', 'page_title', 'referrer']) }},
    {{ campaign_parameter_columns() }},
    {{ email_columns('traits_') }},
    {{ clean_text_columns(['traits_first_name', 'traits_last_name', 'traits_phone']) }},
    {{ optional_column(source('raw_web', 'events'), 'consent_preferences', type_json()) }} as consent_preferences,
    cast(properties as string) as properties
from {{ source('raw_web', 'events') }}
