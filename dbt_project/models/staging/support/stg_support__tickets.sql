-- One row per support ticket: its latest version, typed and trimmed. The requester's name is
-- split at the first space (Zendesk holds one name field).
{%- set tickets = source('raw_support', 'tickets') %}
{%- set loaded = adapter.get_relation(tickets.database, tickets.schema, tickets.identifier) if execute else none %}
{%- if execute and loaded is none %}
-- no support export was ever loaded into this warehouse
select
    null::string as ticket_id,
    null::string as requester_id,
    null::string as requester_name,
    null::string as first_name,
    null::string as last_name,
    null::string as email,
    null::string as email_normalized,
    null::string as phone,
    null::string as subject,
    null::string as status,
    null::string as channel,
    null::timestamp as created_at,
    null::timestamp as updated_at
where false
{%- else %}
with tickets as (
    select
        {{ clean_text_columns(['ticket_id', 'requester_id', 'requester_name']) }},
        {{ email_columns() }},
        {{ clean_text_columns(['phone', 'subject']) }},
        {{ lower_text('status') }} as status,
        {{ lower_text('channel') }} as channel,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at
    from {{ tickets }}
    qualify row_number() over (partition by ticket_id order by updated_at desc nulls last) = 1
)

select
    ticket_id,
    requester_id,
    requester_name,
    nullif(split_part(requester_name, ' ', 1), '') as first_name,
    nullif(trim(substr(requester_name, length(split_part(requester_name, ' ', 1)) + 1)), '') as last_name,
    email,
    email_normalized,
    phone,
    subject,
    status,
    channel,
    created_at,
    updated_at
from tickets
{%- endif %}
