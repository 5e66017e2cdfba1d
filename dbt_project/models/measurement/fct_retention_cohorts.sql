-- Retention cohorts in long form (one row per cohort basis, grain, cohort and later period) for
-- analysts to pivot: customers grouped by the period they were first seen (first activity or
-- order) or first purchased, and how many of them were active (`retention_activity` var) and how
-- many purchased (fct_orders) in each period since, up to as_of's period. Periods with nobody
-- active show 0. Counted from int_retention_periods (a few rows per customer), so only the
-- grid up to as_of and these counts are recomputed each day.
with customer_periods as (
    select * from {{ ref('int_retention_periods') }}
),

-- a customer's first period of anything (activity or purchase) and first purchasing period
firsts as (
    select
        customer_id,
        grain,
        min(period) as first_seen_period,
        min(period) filter (where kind = 'purchased') as first_purchase_period
    from customer_periods
    group by customer_id, grain
),

cohort_members as (
    select
        customer_id,
        'first_seen' as cohort_basis,
        grain,
        first_seen_period as cohort_period
    from firsts
    union all
    select
        customer_id,
        'first_purchase' as cohort_basis,
        grain,
        first_purchase_period as cohort_period
    from firsts
    where first_purchase_period is not null
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
        {{ integer_series(0, periods_between(
            'sizes.grain', 'sizes.cohort_period', 'date_trunc(sizes.grain, reference.as_of)'
        )) }} as period_number
    from cohort_sizes as sizes
    cross join (select {{ as_of() }} as as_of) as reference
),

member_periods as (
    select
        member.cohort_basis,
        member.grain,
        member.cohort_period,
        member.customer_id,
        {{ periods_between('member.grain', 'member.cohort_period', 'period.period') }} as period_number,
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
        -- a customer has one row per grain, period and kind: counting rows counts customers
        count(*) filter (where kind = 'active') as active_customers,
        count(*) filter (where kind = 'purchased') as purchasing_customers
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
