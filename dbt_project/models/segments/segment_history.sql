{{ config(**history_incremental_config(['customer_id', 'segment', 'changed_at'])) }}
-- Who entered and who left each segment, one row per change, stamped with the run's as_of.
-- Each build compares current membership with the state the history implies; a rebuild on
-- unchanged input adds nothing.
with current_members as (
    select
        customer_id,
        segment
    from {{ ref('segment_membership') }}
),

reference as (
    select {{ as_of() }} as as_of
),

previous_members as (
    {% if is_incremental() -%}
    select customer_id, segment
    from {{ this }}
    qualify row_number() over (partition by customer_id, segment order by changed_at desc) = 1
        and change = 'entered'
    {%- else -%}
    select
        customer_id,
        segment
    from current_members
    where false
    {%- endif %}
),

changes as (
    select
        customer_id,
        segment,
        'entered' as change
    from (
        select * from current_members
        except
        select * from previous_members
    ) as entered_members
    union all
    select
        customer_id,
        segment,
        'left' as change
    from (
        select * from previous_members
        except
        select * from current_members
    ) as left_members
)

select
    c.customer_id,
    c.segment,
    c.change,
    r.as_of as changed_at,
    cast(current_timestamp as timestamp) as recorded_at
from changes as c
cross join reference as r
