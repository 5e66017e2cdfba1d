-- One row per conversion with the ordered channels of the touches before it (within the
-- attribution lookback), e.g. `Paid Search > Email > Direct`; '(none)' when nothing touched it.
select
    conversion_id,
    any_value(conversion_type) as conversion_type,
    any_value(customer_id) as customer_id,
    any_value(converted_at) as converted_at,
    any_value(revenue) as revenue,
    cast(max(path_length) as integer) as path_length,
    {{ ordered_string_agg('channel', ' > ', 'touch_position') }} as channel_path,
    {{ value_at_min('channel', 'touch_position') }} as first_channel,
    {{ value_at_max('channel', 'touch_position') }} as last_channel
from {{ ref('fct_attribution') }}
group by conversion_id
