-- Per funnel and step: customers who reached it, conversion from the previous and the first step
-- and the median hours since the previous step, overall, per current segment and per acquisition
-- channel (the channel of the customer's first touch, '(none)' without one). Every step of every
-- funnel shows for each breakdown value that entered the funnel, with 0 when nobody reached it.
-- The breakdowns join with `on`, not `using`: Spark puts a `using` key first in `progress.*`,
-- which would shift the columns of a positional union all.
with progress as (
    select * from {{ ref('int_funnel_progress') }}
),

acquisition as (
    select
        customer_id,
        {{ value_at_min('channel', 'touched_at') }} as acquisition_channel
    from {{ ref('int_attribution_touches') }}
    group by customer_id
),

broken_down as (
    select
        progress.*,
        'overall' as breakdown,
        'all' as breakdown_value
    from progress
    union all
    select
        progress.*,
        'segment' as breakdown,
        membership.segment as breakdown_value
    from progress
    inner join {{ ref('segment_membership') }} as membership on membership.customer_id = progress.customer_id
    union all
    select
        progress.*,
        'acquisition_channel' as breakdown,
        coalesce(acquisition.acquisition_channel, '(none)') as breakdown_value
    from progress
    left join acquisition on acquisition.customer_id = progress.customer_id
),

steps as (
    {{ funnel_step_rows() }}
),

grid as (
    select
        steps.funnel,
        steps.step_number,
        steps.step_name,
        entrants.breakdown,
        entrants.breakdown_value
    from steps
    inner join (select distinct
        funnel,
        breakdown,
        breakdown_value
    from broken_down) as entrants using (funnel)
),

counts as (
    select
        funnel,
        step_number,
        breakdown,
        breakdown_value,
        count(*) as customers,
        median({{ seconds_between('previous_reached_at', 'reached_at') }}) / 3600.0 as median_hours_from_previous_step
    from broken_down
    group by funnel, step_number, breakdown, breakdown_value
),

filled as (
    select
        grid.*,
        coalesce(counts.customers, 0) as customers,
        counts.median_hours_from_previous_step
    from grid
    left join counts using (funnel, step_number, breakdown, breakdown_value)
)

select
    funnel,
    cast(step_number as integer) as step_number,
    step_name,
    breakdown,
    breakdown_value,
    cast(customers as bigint) as customers,
    cast(customers / nullif(lag(customers) over breakdown_steps, 0) as double) as conversion_from_previous_step,
    cast(customers / nullif(first_value(customers) over breakdown_steps, 0) as double) as conversion_from_first_step,
    cast(median_hours_from_previous_step as double) as median_hours_from_previous_step
from filled
window breakdown_steps as (partition by funnel, breakdown, breakdown_value order by step_number)
