-- Email engagement per customer: messages sent, opened and clicked, hard bounces and opt-outs, and
-- the email tools' current subscriber status. A status outranks no information: unsubscribed or
-- cleaned in any tool counts as an opt-out or a bounce, and a customer known to an email tool must
-- be subscribed in one of them to keep email consent.
with email as (
    select * from {{ ref('int_email_engagement') }}
    where customer_id is not null
),

engagement as (
    select
        customer_id,
        count(*) filter (where sent_at is not null) as email_sends,
        count(*) filter (where opens > 0) as email_opens,
        count(*) filter (where clicks > 0) as email_clicks,
        bool_or(hard_bounced) as email_bounced,
        bool_or(unsubscribed or reported_spam) as email_unsubscribed
    from email
    group by customer_id
),

audience as (
    select
        customer_map.customer_id,
        bool_or(subscribers.is_unsubscribed) as audience_unsubscribed,
        bool_or(subscribers.is_cleaned) as audience_cleaned,
        bool_or(subscribers.has_email_consent) as audience_subscribed
    from {{ ref('stg_email__audience') }} as subscribers
    inner join {{ ref('stg_identity__customer_map') }} as customer_map
        on customer_map.source = 'email_subscriber' and customer_map.source_record_id = subscribers.subscriber_key
    group by customer_map.customer_id
)

select
    customer_id,
    coalesce(engagement.email_sends, 0) as email_sends,
    coalesce(engagement.email_opens, 0) as email_opens,
    coalesce(engagement.email_clicks, 0) as email_clicks,
    coalesce(engagement.email_bounced, false) or coalesce(audience.audience_cleaned, false) as email_bounced,
    coalesce(engagement.email_unsubscribed, false) or coalesce(audience.audience_unsubscribed, false)
        as email_unsubscribed,
    audience.audience_subscribed
from engagement
full outer join audience using (customer_id)
