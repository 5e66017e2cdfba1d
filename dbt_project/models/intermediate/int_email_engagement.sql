{{ config(materialized='view') }}
-- Email messages with the customer they were sent to and the campaign they belong to.
select
    map.customer_id,
    m.*,
    c.campaign_name
from {{ ref('int_email_messages') }} as m
left join {{ ref('stg_identity__customer_map') }} as map
    on map.source = 'email_recipient' and map.source_record_id = m.recipient_id
left join {{ ref('stg_email__campaigns') }} as c using (campaign_id)
