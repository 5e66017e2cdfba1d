{{ config(schema='intermediate', **changed_customers_config()) }}
-- Each customer's active periods (`retention_activity` var) and purchasing periods (fct_orders),
-- once per grain (`retention_grains` var): all fct_retention_cohorts needs of the events, stored so
-- the cohorts are counted from a few rows per customer instead of every event. Incremental: only
-- the changed customers' rows are rebuilt (macros/changed_customers.sql).
with activity as (
    select
        customer_id,
        occurred_at as active_at
    from {{ ref('int_customer_events') }}
    where
        {{ is_changed_customer() }}
        and (
            false
            {%- for source, names in var('retention_activity').items() %}
            or (source = '{{ source }}'{% if names %} and event_name in {{ sql_list(names) }}{% endif %})
            {%- endfor %}
        )
),

purchases as (
    select
        customer_id,
        ordered_at as purchased_at
    from {{ ref('fct_orders') }}
    where customer_id is not null and {{ is_changed_customer() }}
)

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
