-- One row per tracked web event; redeliveries are kept once. A redelivery repeats the whole
-- event, timestamp included, so deduplicating on (timestamp, message_id) is equivalent to
-- message_id alone and lets a time filter from an incremental model reach the table scan
-- instead of waiting for a window over every event ever loaded. (Reading the source through an
-- import CTE defeats that pushdown in DuckDB 2.0, hence the direct select in every staging model.)
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
qualify row_number() over (partition by {{ adapter.quote('timestamp') }}, message_id order by anonymous_id) = 1
