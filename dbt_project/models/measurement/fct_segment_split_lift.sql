-- Did the campaign work: per split segment and group, members, those who ordered (fct_orders)
-- within `split_lift_window_days` after entering the segment, the conversion rate, and its
-- difference from the holdout's (absolute and relative). Groups of a segment without holdout
-- have null lift.
with members as (
    select * from {{ ref('segment_split_groups') }}
),

conversions as (
    select
        members.segment,
        members.split_group,
        members.is_holdout,
        members.customer_id,
        count(orders.order_key) > 0 as converted
    from members
    left join {{ ref('fct_orders') }} as orders
        on orders.customer_id = members.customer_id
        and orders.ordered_at > members.since
        and orders.ordered_at <= members.since + interval {{ var('split_lift_window_days') }} day
    group by all
),

groups as (
    select
        segment,
        split_group,
        bool_or(is_holdout) as is_holdout,
        count(*) as members,
        count(*) filter (where converted) as converted_members,
        count(*) filter (where converted) / count(*) as conversion_rate
    from conversions
    group by segment, split_group
),

holdouts as (
    select
        segment,
        conversion_rate as holdout_conversion_rate
    from groups
    where is_holdout
)

select
    groups.segment,
    groups.split_group,
    groups.is_holdout,
    cast(groups.members as bigint) as members,
    cast(groups.converted_members as bigint) as converted_members,
    cast(groups.conversion_rate as double) as conversion_rate,
    cast(holdouts.holdout_conversion_rate as double) as holdout_conversion_rate,
    cast(groups.conversion_rate - holdouts.holdout_conversion_rate as double) as lift,
    cast(groups.conversion_rate / nullif(holdouts.holdout_conversion_rate, 0) - 1 as double) as relative_lift
from groups
left join holdouts using (segment)
