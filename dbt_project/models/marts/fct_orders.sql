-- One row per order, from every source that records purchases: won CRM deals and web order
-- events (int_commerce__web_order_events). Records sharing an order id are one order: the won
-- deal is kept when there is one (the CRM is the system of record for the amount), else the
-- earliest event; `duplicate_records` counts the others. Records without an order id are
-- orders of their own. The customer comes from the kept record, else from a duplicate.
with customer_map as (
    select * from {{ ref('stg_identity__customer_map') }}
),

won_deals as (
    select
        'crm_deal' as source,
        deal.deal_id as source_record_id,
        deal.order_id,
        coalesce(cast(deal.close_date as timestamp), deal.updated_at) as ordered_at,
        deal.amount as revenue,
        null::string as currency,
        deal.contact_id,
        null::string as user_id,
        null::string as anonymous_id,
        by_contact.customer_id,
        1 as source_rank
    from {{ ref('stg_crm__deals') }} as deal
    left join customer_map as by_contact
        on by_contact.source = 'crm_contact' and by_contact.source_record_id = deal.contact_id
    where deal.is_won and not deal.is_archived
),

web_orders as (
    -- the logged-in user's customer first, as for sessions: a shared device may carry several people
    select
        'web_event' as source,
        event.event_id as source_record_id,
        event.order_id,
        event.ordered_at,
        event.revenue,
        event.currency,
        null::string as contact_id,
        event.user_id,
        event.anonymous_id,
        coalesce(by_user.customer_id, by_device.customer_id) as customer_id,
        2 as source_rank
    from {{ ref('int_commerce__web_order_events') }} as event
    left join customer_map as by_user
        on by_user.source = 'web_user_id' and by_user.source_record_id = event.user_id
    left join customer_map as by_device
        on by_device.source = 'web_anonymous_id' and by_device.source_record_id = event.anonymous_id
),

order_records as (
    select
        *,
        coalesce('order:' || order_id, source || ':' || source_record_id) as order_key
    from (
        select * from won_deals
        union all
        select * from web_orders
    ) as order_sources
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_key order by source_rank, ordered_at, source_record_id
        ) as record_rank,
        count(*) over (partition by order_key) - 1 as duplicate_records,
        {{ window_sorted_distinct_text('source', 'partition by order_key') }} as sources,
        max(customer_id) over (partition by order_key) as any_customer_id
    from order_records
)

select
    order_key,
    order_id,
    source,
    source_record_id,
    sources,
    duplicate_records,
    coalesce(customer_id, any_customer_id) as customer_id,
    ordered_at,
    cast(revenue as decimal(18, 2)) as revenue,
    currency,
    contact_id,
    user_id,
    anonymous_id
from ranked
where record_rank = 1
