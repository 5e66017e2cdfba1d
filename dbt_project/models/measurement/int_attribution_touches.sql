{{ config(schema='intermediate', **changed_customers_config()) }}
-- Every marketing touch of a known customer: web sessions (channel from the first UTM medium and
-- referrer, source/medium/campaign as tagged) and email campaign clicks (the message's first click).
-- Incremental: only the changed customers' rows are rebuilt (macros/changed_customers.sql).
select
    customer_id,
    'web_session' as touch_type,
    session_id as touch_id,
    session_start as touched_at,
    {{ attribution_channel('utm_medium', 'referrer') }} as channel,
    coalesce(utm_source, {{ web_domain('referrer') }}) as source,
    utm_medium as medium,
    utm_campaign as campaign
from {{ ref('int_web_sessions_by_customer') }}
where customer_id is not null and {{ is_changed_customers_web_row() }} and {{ is_changed_customer() }}
union all
select
    customer_id,
    'email_click' as touch_type,
    message_id as touch_id,
    first_clicked_at as touched_at,
    'Email' as channel,
    'email' as source,
    'email' as medium,
    coalesce(campaign_name, campaign_id) as campaign
from {{ ref('int_email_engagement') }}
where customer_id is not null and first_clicked_at is not null and {{ is_changed_customer() }}
