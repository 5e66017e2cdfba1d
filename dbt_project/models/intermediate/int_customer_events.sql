{{ config(**changed_customers_config()) }}
-- Everything a customer did, one row per action, in one shape so behavioural segment conditions,
-- funnels and retention read one table: web track events (event_name as sent) and page views
-- (event_name `page`, properties path/url/title) from int_web_behaviour_events, email actions
-- (event_name the action: sent, open, click, bounce, unsubscribe, spam; properties campaign_id,
-- campaign_name, url), CRM deals
-- (event_name the deal's current stage, at its last update) and CRM activities (event_name the
-- activity type). Rows whose record maps to no customer are left out (they cannot be targeted).
-- Incremental: only the changed customers' rows are rebuilt (macros/changed_customers.sql).
with customer_map as (
    select * from {{ ref('stg_identity__customer_map') }}
),

web as (
    -- the logged-in user's customer first, as for sessions: a shared device may carry several people
    select
        coalesce(by_user.customer_id, by_device.customer_id) as customer_id,
        'web' as source,
        event.event_id as source_record_id,
        event.event_name,
        event.occurred_at,
        event.properties
    from {{ ref('int_web_behaviour_events') }} as event
    left join customer_map as by_user
        on by_user.source = 'web_user_id' and by_user.source_record_id = event.user_id
    left join customer_map as by_device
        on by_device.source = 'web_anonymous_id' and by_device.source_record_id = event.anonymous_id
    where {{ is_changed_customers_web_row('event.anonymous_id', 'event.user_id') }}
),

email as (
    select
        map.customer_id,
        'email' as source,
        activity.activity_id as source_record_id,
        activity.action as event_name,
        activity.occurred_at,
        {{ json_object_text({
            'campaign_id': 'activity.campaign_id', 'campaign_name': 'campaign.campaign_name', 'url': 'activity.url'
        }) }} as properties
    from {{ ref('stg_email__activity') }} as activity
    inner join customer_map as map
        on map.source = 'email_recipient' and map.source_record_id = activity.recipient_id
    left join {{ ref('stg_email__campaigns') }} as campaign using (campaign_id)
    where {{ is_changed_customer('map.customer_id') }}
),

crm_deals as (
    select
        map.customer_id,
        'crm_deal' as source,
        deal.deal_id as source_record_id,
        deal.deal_stage as event_name,
        coalesce(deal.updated_at, deal.created_at) as occurred_at,
        {{ json_object_text({'deal_name': 'deal.deal_name', 'pipeline': 'deal.pipeline', 'amount': 'deal.amount'}) }}
            as properties
    from {{ ref('stg_crm__deals') }} as deal
    inner join customer_map as map
        on map.source = 'crm_contact' and map.source_record_id = deal.contact_id
    where not deal.is_archived and {{ is_changed_customer('map.customer_id') }}
),

crm_activities as (
    select
        map.customer_id,
        'crm_activity' as source,
        activity.activity_id as source_record_id,
        activity.activity_type as event_name,
        activity.occurred_at,
        {{ json_object_text({'subject': 'activity.subject', 'deal_id': 'activity.deal_id'}) }} as properties
    from {{ ref('stg_crm__activities') }} as activity
    inner join customer_map as map
        on map.source = 'crm_contact' and map.source_record_id = activity.contact_id
    where not activity.is_archived and {{ is_changed_customer('map.customer_id') }}
)

select * from web
where customer_id is not null and {{ is_changed_customer() }}
union all
select * from email
union all
select * from crm_deals
union all
select * from crm_activities
