-- Every person-bearing source record keyed by customer_id, with the attributes it asserts and
-- when it was observed: the candidates survivorship picks the golden record from.
with customer_map as (
    select * from {{ ref('stg_identity__customer_map') }}
),

crm_activity as (
    select contact_id, max(occurred_at) as last_activity_at
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
        arg_max(first_name, last_activity_at) filter (where first_name is not null) as first_name,
        arg_max(last_name, last_activity_at) filter (where last_name is not null) as last_name,
        arg_max(email, last_activity_at) filter (where email is not null) as email,
        null::varchar as phone,
        null::varchar as company_name,
        -- an address is "observed" when its owner last engaged with it, not when we last mailed it
        coalesce(max(last_engaged_at), max(last_activity_at)) as observed_at,
        min(first_activity_at) as first_seen,
        max(last_activity_at) as last_seen
    from {{ ref('int_email_messages') }}
    group by recipient_id
),

sessions as (
    select * from {{ ref('int_web_sessions') }}
),

web_users as (
    select
        'web_user_id' as source,
        user_id as source_record_id,
        arg_max(traits_first_name, identified_at) filter (where traits_first_name is not null) as first_name,
        arg_max(traits_last_name, identified_at) filter (where traits_last_name is not null) as last_name,
        arg_max(traits_email, identified_at) filter (where traits_email is not null) as email,
        arg_max(traits_phone, identified_at) filter (where traits_phone is not null) as phone,
        null::varchar as company_name,
        max(identified_at) as observed_at,
        min(session_start) as first_seen,
        max(session_end) as last_seen
    from sessions
    where user_id is not null
    group by user_id
),

web_devices as (
    -- traits from identify calls made before login belong to the device
    select
        'web_anonymous_id' as source,
        anonymous_id as source_record_id,
        arg_max(traits_first_name, identified_at) filter (where traits_first_name is not null and user_id is null) as first_name,
        arg_max(traits_last_name, identified_at) filter (where traits_last_name is not null and user_id is null) as last_name,
        arg_max(traits_email, identified_at) filter (where traits_email is not null and user_id is null) as email,
        arg_max(traits_phone, identified_at) filter (where traits_phone is not null and user_id is null) as phone,
        null::varchar as company_name,
        max(identified_at) filter (where user_id is null) as observed_at,
        min(session_start) as first_seen,
        max(session_end) as last_seen
    from sessions
    group by anonymous_id
),

records as (
    select * from crm_contacts
    union all by name select * from email_recipients
    union all by name select * from web_users
    union all by name select * from web_devices
)

select
    m.customer_id,
    m.source,
    m.source_record_id,
    r.first_name,
    r.last_name,
    r.email,
    r.phone,
    r.company_name,
    r.observed_at,
    r.first_seen,
    r.last_seen
from customer_map as m
left join records as r using (source, source_record_id)
