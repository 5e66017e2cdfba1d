{{ config(**changed_customers_config()) }}
-- Every customer's dated touchpoints from every source, one row per event, for the profile
-- lookup (profiles/): web sessions, email messages, CRM deals and activities, web orders.
-- Stored sorted by customer so one customer's timeline reads a few row groups, not every event.
-- Incremental: only the changed customers' rows are rebuilt (macros/changed_customers.sql).
with crm_contacts as (
    select
        source_record_id as contact_id,
        customer_id
    from {{ ref('stg_identity__customer_map') }}
    where source = 'crm_contact'
),

web_ids as (
    select
        source,
        source_record_id,
        customer_id
    from {{ ref('stg_identity__customer_map') }}
    where source in ('web_user_id', 'web_anonymous_id')
),

sessions as (
    select
        customer_id,
        session_start as occurred_at,
        'web session' as kind,
        'landed on ' || coalesce(landing_page, '?') || ', ' || cast(page_views as string) || ' page views'
        || case when converted then ', converted' else '' end as summary,
        'web_anonymous_id:' || anonymous_id as source_record
    from {{ ref('int_web_sessions_by_customer') }}
    where {{ is_changed_customers_web_row() }}
),

emails as (
    select
        customer_id,
        coalesce(sent_at, first_activity_at) as occurred_at,
        'email' as kind,
        coalesce(campaign_name, campaign_id) || ': ' || opens || ' opens, ' || clicks || ' clicks'
        || case when unsubscribed then ', unsubscribed' else '' end
        || case when hard_bounced then ', bounced' else '' end as summary,
        'email_recipient:' || recipient_id as source_record
    from {{ ref('int_email_engagement') }}
    where {{ is_changed_customer() }}
),

-- CRM deals (at their close date, else last update) and activities, by their contact's customer
crm as (
    select
        contact_id,
        coalesce(cast(close_date as timestamp), updated_at) as occurred_at,
        'deal' as kind,
        deal_name || ' (' || deal_stage || ', ' || coalesce(cast(amount as string), '?') || ')' as summary
    from {{ ref('stg_crm__deals') }}
    where not is_archived
    union all
    select
        contact_id,
        occurred_at,
        'crm ' || lower(activity_type) as kind,
        coalesce(subject, '') as summary
    from {{ ref('stg_crm__activities') }}
    where not is_archived
),

crm_records as (
    select
        c.customer_id,
        crm.occurred_at,
        crm.kind,
        crm.summary,
        'crm_contact:' || crm.contact_id as source_record
    from crm
    inner join crm_contacts as c using (contact_id)
),

-- an order belongs to the logged-in user's customer, else to the device's (as sessions do)
orders as (
    select
        coalesce(by_user.customer_id, by_device.customer_id) as customer_id,
        e.occurred_at,
        'order' as kind,
        coalesce({{ json_text('e.properties', 'order_id') }}, e.event_id) || ': '
        || coalesce({{ json_text('e.properties', 'revenue') }}, '?') || ' '
        || coalesce({{ json_text('e.properties', 'currency') }}, '') as summary,
        'web event:' || e.event_id as source_record
    from {{ ref('int_web_behaviour_events') }} as e
    left join web_ids as by_user on by_user.source = 'web_user_id' and by_user.source_record_id = e.user_id
    left join web_ids as by_device
        on by_device.source = 'web_anonymous_id' and by_device.source_record_id = e.anonymous_id
    where
        e.event_name in {{ sql_list(var('timeline_order_events')) }}
        and {{ is_changed_customers_web_row('e.anonymous_id', 'e.user_id') }}
),

timeline as (
    select * from sessions
    union all
    select * from emails
    union all
    select * from crm_records
    union all
    select * from orders
)

select * from timeline
where customer_id is not null and occurred_at is not null and {{ is_changed_customer() }}
order by customer_id, occurred_at desc, kind, source_record
