-- Members of every segment at the end of each day, from the day it first had a member to as_of,
-- replayed from segment_history (a build's changes count on the day of its as_of), with the day's
-- entries and exits.
with changes as (
    select
        segment,
        cast(changed_at as date) as day,
        count(*) filter (where change = 'entered') as entered,
        count(*) filter (where change = 'left') as left_segment
    from {{ ref('segment_history') }}
    group by segment, cast(changed_at as date)
),

spans as (
    select
        segment,
        min(day) as first_day,
        greatest(max(day), cast({{ as_of() }} as date)) as last_day
    from changes
    group by segment
),

days as (
    select
        segment,
        {{ day_series('first_day', 'last_day') }} as day
    from spans
)

select
    days.segment,
    days.day,
    cast(sum(coalesce(changes.entered, 0) - coalesce(changes.left_segment, 0)) over segment_days as bigint) as members,
    cast(coalesce(changes.entered, 0) as bigint) as entered,
    cast(coalesce(changes.left_segment, 0) as bigint) as left_segment
from days
left join changes using (segment, day)
window segment_days as (partition by days.segment order by days.day rows unbounded preceding)
