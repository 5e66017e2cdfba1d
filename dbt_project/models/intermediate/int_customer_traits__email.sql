-- Email engagement per customer: messages sent, opened and clicked, hard bounces and opt-outs.
with email as (
    select * from {{ ref('int_email_engagement') }} where customer_id is not null
)

select
    customer_id,
    count(*) filter (where sent_at is not null) as email_sends,
    count(*) filter (where opens > 0) as email_opens,
    count(*) filter (where clicks > 0) as email_clicks,
    bool_or(hard_bounced) as email_bounced,
    bool_or(unsubscribed or reported_spam) as email_unsubscribed
from email
group by customer_id
