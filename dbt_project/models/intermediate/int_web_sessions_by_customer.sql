{{ config(materialized='view') }}
-- Device sessions attributed to customers: the logged-in user id's customer wins over the
-- device's, since a shared device may carry several people.
select
    coalesce(by_user.customer_id, by_device.customer_id) as customer_id,
    s.*
from {{ ref('int_web_sessions') }} as s
left join {{ ref('stg_identity__customer_map') }} as by_user
    on by_user.source = 'web_user_id' and by_user.source_record_id = s.user_id
left join {{ ref('stg_identity__customer_map') }} as by_device
    on by_device.source = 'web_anonymous_id' and by_device.source_record_id = s.anonymous_id
