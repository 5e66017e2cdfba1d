-- One row per customer and consent purpose: granted, denied or unknown, with the signal behind it.
-- Signals: email-tool sends, unsubscribes, spam reports and hard bounces; CRM opt-out fields;
-- Segment consent (context.consent.categoryPreferences). What each says per purpose is configured
-- in the consent_* vars. The latest signal wins; at the same instant a denial beats a grant.
-- The nested Jinja loops below are indented by depth, which sqlfluff (LT02) would flatten.
-- noqa: disable=LT02
{%- set signal_rows = [] -%}
{%- for signal, purposes in var('consent_signals').items() -%}
    {%- for purpose, consent in purposes.items() -%}
        {%- do signal_rows.append("('" ~ signal ~ "', '" ~ purpose ~ "', '" ~ consent ~ "')") -%}
    {%- endfor -%}
{%- endfor -%}
{%- set category_rows = [] -%}
{%- for category, purpose in var('consent_web_categories').items() -%}
    {%- do category_rows.append("('" ~ category ~ "', '" ~ purpose ~ "')") -%}
{%- endfor %}
-- noqa: enable=LT02

with customer_map as (
    select * from {{ ref('stg_identity__customer_map') }}
),

signal_purposes as (
    select consent_signals.* from (values {{ signal_rows | join(', ') }}) as consent_signals (signal, purpose, consent)
),

category_purposes as (
    select web_categories.* from (values {{ category_rows | join(', ') }}) as web_categories (category, purpose)
),

email_signals as (
    select
        map.customer_id,
        case
            when activity.action = 'sent' then 'email_send'
            when activity.action = 'unsubscribe' then 'email_unsubscribe'
            when activity.action = 'spam' then 'email_spam_report'
            when activity.action = 'bounce' and activity.bounce_type = 'hard' then 'email_hard_bounce'
        end as signal,
        'email_recipient:' || activity.recipient_id as source_record,
        activity.occurred_at as consent_at
    from {{ ref('stg_email__activity') }} as activity
    inner join customer_map as map
        on map.source = 'email_recipient' and map.source_record_id = activity.recipient_id
),

crm_signals as (
    select
        map.customer_id,
        opt_out.signal,
        'crm_contact:' || contacts.contact_id as source_record,
        contacts.updated_at as consent_at
    from {{ ref('stg_crm__contacts') }} as contacts
    inner join customer_map as map
        on map.source = 'crm_contact' and map.source_record_id = contacts.contact_id
    cross join lateral (
        select 'crm_email_opt_out' as signal
        where contacts.email_opt_out
        union all
        select 'crm_do_not_call'
        where contacts.do_not_call
    ) as opt_out
),

web_preferences as (
    select
        map.customer_id,
        events.event_id,
        events.event_at,
        {{ unnest_list(json_boolean_map_entries('events.consent_preferences')) }} as preference
    from {{ ref('stg_web__events') }} as events
    inner join customer_map as map
        on map.source = 'web_anonymous_id' and map.source_record_id = events.anonymous_id
    where events.consent_preferences is not null
),

-- `web_preferences.preference.key` and `.value` are fields of a map-entry struct, which sqlfluff's RF01 reads as
-- references to a table `web_preferences.preference`: hence the `noqa: RF01` below.
signals as (
    select
        signals.customer_id,
        signal_purposes.purpose,
        signal_purposes.consent,
        signals.signal as source,
        signals.source_record,
        signals.consent_at
    from (
        select * from email_signals
        union all
        select * from crm_signals
    ) as signals
    inner join signal_purposes using (signal)
    union all
    select
        web_preferences.customer_id,
        category_purposes.purpose,
        case when web_preferences.preference.value then 'granted' else 'denied' end as consent,  -- noqa: RF01
        'web_consent:' || category_purposes.category as source,
        'web_event:' || web_preferences.event_id as source_record,
        web_preferences.event_at
    from web_preferences
    inner join category_purposes on category_purposes.category = web_preferences.preference.key  -- noqa: RF01
    where web_preferences.preference.value is not null  -- noqa: RF01
),

latest as (
    select *
    from signals
    qualify row_number() over (
        partition by customer_id, purpose
        order by consent_at desc nulls last, consent = 'denied' desc, source, source_record
    ) = 1
),

purposes as (
    select {{ unnest_list(string_list_literal(var('consent_purposes'))) }} as purpose
)

select
    customers.customer_id,
    purposes.purpose,
    coalesce(latest.consent, 'unknown') as consent,
    latest.source,
    latest.source_record,
    latest.consent_at
from {{ ref('dim_customers') }} as customers
cross join purposes
left join latest
    on latest.customer_id = customers.customer_id and latest.purpose = purposes.purpose
