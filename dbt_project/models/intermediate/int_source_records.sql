{{ config(
    materialized='incremental',
    unique_key=['source', 'source_record_id'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
{#- Every person-bearing source record with the attributes it asserts and when it was observed,
    before identity: customer ids are joined in int_customer_records, so re-resolution never
    leaves a stale id here. Aggregating sessions and email messages per record is the expensive
    part, so incremental runs recompute only the web and email records with activity after the
    stored watermark (each from all of its sessions or messages) plus every CRM contact and email
    subscriber (small tables whose rows change in place). Upstream rows only ever move forward in time (sessions and
    messages are extended by newer activity), which is what makes the watermark exact. -#}
with

{% if is_incremental() -%}
watermarks as (
    select
        max(last_seen) filter (where source in ('web_user_id', 'web_anonymous_id')) as web,
        max(last_seen) filter (where source = 'email_recipient') as email
    from {{ this }}
),

touched_sessions as (
    select s.anonymous_id, s.user_id
    from {{ ref('int_web_sessions') }} as s, watermarks as w
    where w.web is null or s.session_end > w.web
),

-- every session of each touched device, and of each touched user (on any device)
device_sessions as (
    select * from {{ ref('int_web_sessions') }}
    where anonymous_id in (select anonymous_id from touched_sessions)
),

user_sessions as (
    select * from {{ ref('int_web_sessions') }}
    where user_id in (select user_id from touched_sessions where user_id is not null)
),

email_messages as (
    select * from {{ ref('int_email_messages') }}
    where recipient_id in (
        select m.recipient_id
        from {{ ref('int_email_messages') }} as m, watermarks as w
        where w.email is null or m.last_activity_at > w.email
    )
),
{%- else -%}
device_sessions as (
    select * from {{ ref('int_web_sessions') }}
),

user_sessions as (
    select * from device_sessions
    where user_id is not null
),

email_messages as (
    select * from {{ ref('int_email_messages') }}
),
{%- endif %}

crm_activity as (
    select
        contact_id,
        max(occurred_at) as last_activity_at
    from {{ ref('stg_crm__activities') }}
    where not is_archived
    group by contact_id
),

crm_contacts as (
    select
        'crm_contact' as source,
        c.contact_id as source_record_id,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.company_name,
        c.street,
        c.city,
        c.postal_code as postcode,
        c.region,
        c.country,
        c.date_of_birth,
        list_sort(list_distinct(list_filter(list_prepend(c.email, c.additional_emails), lambda e: e is not null)))
            as emails,
        c.updated_at as observed_at,
        c.created_at as first_seen,
        greatest(c.updated_at, a.last_activity_at) as last_seen
    from {{ ref('stg_crm__contacts') }} as c
    left join crm_activity as a using (contact_id)
),

email_recipients as (
    select
        'email_recipient' as source,
        recipient_id as source_record_id,
        {{ latest_non_null('first_name', 'last_activity_at') }} as first_name,
        {{ latest_non_null('last_name', 'last_activity_at') }} as last_name,
        {{ latest_non_null('email', 'last_activity_at') }} as email,
        list_sort(list_distinct(list(email) filter (where email is not null))) as emails,
        -- an address is "observed" when its owner last engaged with it, not when we last mailed it
        coalesce(max(last_engaged_at), max(last_activity_at)) as observed_at,
        min(first_activity_at) as first_seen,
        max(last_activity_at) as last_seen
    from email_messages
    group by recipient_id
),

-- an email tool's subscriber list: few rows that change in place, so recomputed on every run
email_subscribers as (
    select
        'email_subscriber' as source,
        subscriber_key as source_record_id,
        first_name,
        last_name,
        email,
        phone,
        company_name,
        coalesce(last_changed_at, consent_at, opted_in_at) as observed_at,
        coalesce(opted_in_at, consent_at, last_changed_at) as first_seen,
        greatest(last_changed_at, last_activity_at, consent_at, opted_in_at) as last_seen
    from {{ ref('stg_email__audience') }}
),

web_users as (
    select
        'web_user_id' as source,
        user_id as source_record_id,
        {{ latest_non_null('traits_first_name', 'identified_at') }} as first_name,
        {{ latest_non_null('traits_last_name', 'identified_at') }} as last_name,
        {{ latest_non_null('traits_email', 'identified_at') }} as email,
        {{ latest_non_null('traits_phone', 'identified_at') }} as phone,
        list_sort(list_distinct(list(traits_email) filter (where traits_email is not null))) as emails,
        max(identified_at) as observed_at,
        min(session_start) as first_seen,
        max(session_end) as last_seen
    from user_sessions
    where user_id is not null
    group by user_id
),

web_devices as (
    -- traits from identify calls made before login belong to the device
    select
        'web_anonymous_id' as source,
        anonymous_id as source_record_id,
        {{ latest_non_null('traits_first_name', 'identified_at', 'user_id is null') }} as first_name,
        {{ latest_non_null('traits_last_name', 'identified_at', 'user_id is null') }} as last_name,
        {{ latest_non_null('traits_email', 'identified_at', 'user_id is null') }} as email,
        {{ latest_non_null('traits_phone', 'identified_at', 'user_id is null') }} as phone,
        list_sort(list_distinct(list(traits_email) filter (where traits_email is not null and user_id is null)))
            as emails,
        max(identified_at) filter (where user_id is null) as observed_at,
        min(session_start) as first_seen,
        max(session_end) as last_seen
    from device_sessions
    group by anonymous_id
),

-- by name: a source that asserts fewer attributes (no address from email tools) leaves them null
records as (
    select * from crm_contacts
    union all by name
    select * from email_recipients
    union all by name
    select * from email_subscribers
    union all by name
    select * from web_users
    union all by name
    select * from web_devices
    {%- for model in var('golden_record_models', {}).values() %}
    union all by name
    select
        source,
        source_record_id,
        first_name,
        last_name,
        email,
        phone,
        emails,
        observed_at,
        first_seen,
        last_seen
    from {{ ref(model) }}
    {%- endfor %}
)

select * from records
