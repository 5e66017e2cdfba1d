-- Retention cohorts in long form (one row per cohort basis, grain, cohort and later period) for
-- analysts to pivot: customers grouped by the period they were first seen (first activity or
-- order) or first purchased, and how many of them were active (`retention_activity` var) and how
-- many purchased (fct_orders) in each period since, up to as_of's period. Periods with nobody
-- active show 0.
with activity as (
    select
        customer_id,
        occurred_at as active_at
    from {{ ref('int_customer_events') }}
    where
        false
        {%- for source, names in var('retention_activity').items() %}
        or (source = '{{ source }}'{% if names %} and event_name in {{ sql_list(names) }}{% endif %})
        {%- endfor %}
),

purchases as (
    select
        customer_id,
        ordered_at as purchased_at
    from {{ ref('fct_orders') }}
    where customer_id is not null
),

firsts as (
    select
        customer_id,
        least(min(active_at), min(purchased_at)) as first_seen_at,
        min(purchased_at) as first_purchase_at
    from (
        select
            customer_id,
            active_at,
            null::timestamp as purchased_at
        from activity
        union all
        select
            customer_id,
            null::timestamp,
            purchased_at
        from purchases
    ) as first_events
    group by customer_id
),

cohort_members as (
    {%- for grain in var('retention_grains') %}
    select
        customer_id,
        'first_seen' as cohort_basis,
        '{{ grain }}' as grain,
        date_trunc('{{ grain }}', first_seen_at) as cohort_period
    from firsts
    union all
    select
        customer_id,
        'first_purchase' as cohort_basis,
        '{{ grain }}' as grain,
        date_trunc('{{ grain }}', first_purchase_at) as cohort_period
    from firsts
    where first_purchase_at is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

cohort_sizes as (
    select
        cohort_basis,
        grain,
        cohort_period,
        count(*) as cohort_customers
    from cohort_members
    group by all
),

grid as (
    select
        sizes.*,
        unnest(range(0, date_diff(sizes.grain, sizes.cohort_period, date_trunc(sizes.grain, reference.as_of)) + 1))
            as period_number
    from cohort_sizes as sizes
    cross join (select {{ as_of() }} as as_of) as reference
),

-- each customer's active and purchasing periods once per grain, before meeting the cohorts
customer_periods as (
    {%- for grain in var('retention_grains') %}
    select distinct
        customer_id,
        '{{ grain }}' as grain,
        date_trunc('{{ grain }}', active_at) as period,
        'active' as kind
    from activity
    union all
    select distinct
        customer_id,
        '{{ grain }}' as grain,
        date_trunc('{{ grain }}', purchased_at) as period,
        'purchased' as kind
    from purchases
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

member_periods as (
    select
        member.cohort_basis,
        member.grain,
        member.cohort_period,
        member.customer_id,
        date_diff(member.grain, member.cohort_period, period.period) as period_number,
        period.kind
    from cohort_members as member
    inner join customer_periods as period using (customer_id, grain)
),

period_counts as (
    select
        cohort_basis,
        grain,
        cohort_period,
        period_number,
        count(distinct customer_id) filter (where kind = 'active') as active_customers,
        count(distinct customer_id) filter (where kind = 'purchased') as purchasing_customers
    from member_periods
    where period_number >= 0
    group by all
)

select
    grid.cohort_basis,
    grid.grain,
    cast(grid.cohort_period as date) as cohort_period,
    cast(grid.period_number as integer) as period_number,
    cast(grid.cohort_customers as bigint) as cohort_customers,
    cast(coalesce(counts.active_customers, 0) as bigint) as active_customers,
    cast(coalesce(counts.active_customers, 0) / grid.cohort_customers as double) as activity_retention,
    cast(coalesce(counts.purchasing_customers, 0) as bigint) as purchasing_customers,
    cast(coalesce(counts.purchasing_customers, 0) / grid.cohort_customers as double) as purchase_retention
from grid
left join period_counts as counts using (cohort_basis, grain, cohort_period, period_number)
