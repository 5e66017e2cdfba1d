-- The CRM pipeline by pipeline, stage and owner: how many deals sit where, and for how much.
with deals as (
    select * from {{ ref('stg_crm__deals') }}
    where not is_archived
),

reference as (
    select {{ as_of() }} as as_of
)

select
    d.pipeline,
    d.deal_stage,
    d.owner,
    bool_and(d.is_open) as is_open_stage,
    count(*) as deals,
    count(distinct d.contact_id) as contacts,
    cast(coalesce(sum(d.amount), 0) as decimal(18, 2)) as total_amount,
    cast(avg(d.amount) as decimal(18, 2)) as avg_amount,
    count(*) filter (
        where d.is_open and d.close_date between cast(r.as_of as date) and cast(r.as_of as date) + 30
    ) as deals_closing_next_30d,
    max(d.updated_at) as last_updated_at
from deals as d
cross join reference as r
group by d.pipeline, d.deal_stage, d.owner
