-- The persistent customer id behind every person-bearing source record.
select
    {{ clean_text('source') }} as source,
    {{ clean_text('source_record_id') }} as source_record_id,
    {{ clean_text('customer_id') }} as customer_id
from {{ source('identity', 'customer_map') }}
