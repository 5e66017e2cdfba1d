-- One row per conversion and touch that gets credit for it, with every attribution model's share
-- side by side (each model's credits sum to 1 per conversion), as in Snowplow's attribution
-- package. Touches count when they happen before the conversion and within
-- `attribution_lookback_days` of it. A conversion without any such touch (or without a known
-- customer) keeps one row, channel '(none)', with every credit 1, so credited revenue always adds
-- up to total revenue.
with conversions as (
    select * from {{ ref('int_attribution_conversions') }}
),

touches as (
    select * from {{ ref('int_attribution_touches') }}
),

paths as (
    select
        conversion.conversion_id,
        conversion.conversion_type,
        conversion.customer_id,
        conversion.converted_at,
        conversion.revenue,
        touch.touch_type,
        touch.touch_id,
        touch.touched_at,
        coalesce(touch.channel, '(none)') as channel,
        touch.source,
        touch.medium,
        touch.campaign,
        {{ seconds_between('touch.touched_at', 'conversion.converted_at') }} / 86400.0 as days_before_conversion
    from conversions as conversion
    left join touches as touch
        on touch.customer_id = conversion.customer_id
        and touch.touched_at < conversion.converted_at
        and touch.touched_at >= conversion.converted_at - interval {{ var('attribution_lookback_days') }} day
),

positioned as (
    select
        *,
        row_number() over (
            partition by conversion_id order by touched_at, touch_type, touch_id
        ) as touch_position,
        count(touch_id) over (partition by conversion_id) as path_length,
        pow(0.5, days_before_conversion / {{ var('attribution_half_life_days') }}) as decay_weight
    from paths
)

select
    conversion_id,
    conversion_type,
    customer_id,
    converted_at,
    revenue,
    touch_type,
    touch_id,
    touched_at,
    channel,
    source,
    medium,
    campaign,
    cast(touch_position as integer) as touch_position,
    cast(path_length as integer) as path_length,
    cast(path_length = 0 or touch_position = 1 as double) as first_touch_credit,
    cast(path_length = 0 or touch_position = path_length as double) as last_touch_credit,
    case when path_length = 0 then 1.0 else 1.0 / path_length end::double as linear_credit,
    case
        when path_length <= 1 then 1.0
        when path_length = 2 then 0.5
        when touch_position in (1, path_length) then 0.4
        else 0.2 / (path_length - 2)
    end::double as position_based_credit,
    case
        when path_length = 0 then 1.0
        else decay_weight / sum(decay_weight) over (partition by conversion_id)
    end::double as time_decay_credit
from positioned
